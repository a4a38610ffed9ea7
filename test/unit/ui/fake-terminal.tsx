/**
 * A fake terminal for rendering the viewer in tests (ink's own testing approach: a
 * stdout that records frames, a stdin that accepts keys), with a size that can be set
 * and changed, which ink-testing-library's fixed 100-column stdout cannot do.
 */
import {EventEmitter} from 'node:events'
import {render, type Instance} from 'ink'
import {AsyncQueue} from '../../../src/lib/tail/async-queue.js'
import type {TailEvent} from '../../../src/lib/tail/types.js'
import type {LogEntry} from '../../../src/lib/entry.js'
import type {JobMeta} from '../../../src/lib/job.js'
import type {Level} from '../../../src/lib/level.js'
import {stripAnsi} from '../../../src/lib/level.js'
import type {ReadRange} from '../../../src/lib/store/types.js'
import {Viewer, type ViewerProps} from '../../../src/lib/ui/Viewer.js'
import {ViewerFeed} from '../../../src/lib/ui/viewer-feed.js'
import type {ViewerSource} from '../../../src/lib/ui/viewer-source.js'
import {waitUntil} from '../../helpers/wait.js'

export class FakeStdout extends EventEmitter {
  frames: string[] = []
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super()
  }
  write = (frame: string): boolean => {
    this.frames.push(frame)
    return true
  }
  lastFrame = (): string => this.frames.at(-1) ?? ''
  resize(columns: number, rows: number): void {
    this.columns = columns
    this.rows = rows
    this.emit('resize')
  }
}

export class FakeStdin extends EventEmitter {
  isTTY = true
  private data: string | null = null
  write(data: string): void {
    this.data = data
    this.emit('readable')
    this.emit('data', data)
  }
  read = (): string | null => {
    const {data} = this
    this.data = null
    return data
  }
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export const KEYS = {
  up: '\u001B[A',
  down: '\u001B[B',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  end: '\u001B[F',
  home: '\u001B[H',
  enter: '\r',
  escape: '\u001B',
  ctrlC: '\u0003',
}

export function entry(seq: number, line: string, level?: Level, ts = 1_700_000_000_000 + seq): LogEntry {
  return {seq, ts, line, eol: true, level}
}

export function entries(from: number, to: number, line: (seq: number) => string = (seq) => `line ${seq}`): LogEntry[] {
  return Array.from({length: to - from + 1}, (_, i) => entry(from + i, line(from + i)))
}

export function meta(id: string, patch: Partial<JobMeta> = {}): JobMeta {
  return {id, status: 'running', createdAt: 1, updatedAt: 1, lines: 0, bytes: 0, levels: {}, location: {kind: 'live'}, ...patch}
}

/** A source the test pushes events into; `history` (when given) answers the store reads of scroll-back. */
export class PushSource implements ViewerSource {
  readonly queue = new AsyncQueue<TailEvent>(100_000)
  read?: (job: string, range: ReadRange) => Promise<LogEntry[]>
  reads: ReadRange[] = []

  constructor(history?: LogEntry[]) {
    if (history) {
      this.read = async (_job, range) => {
        this.reads.push(range)
        let list = history.filter((e) => (range.before === undefined || e.seq < range.before) && (range.after === undefined || e.seq > range.after))
        if (range.tail !== undefined) list = list.slice(-range.tail)
        if (range.limit !== undefined) list = list.slice(0, range.limit)
        return list
      }
    }
  }

  events(): AsyncIterable<TailEvent> {
    return this.queue
  }

  push(event: TailEvent): void {
    void this.queue.push(event)
  }
}

export interface Rendered {
  stdout: FakeStdout
  stdin: FakeStdin
  feed: ViewerFeed
  source: PushSource
  instance: Instance
  /** The last frame without colour codes. */
  screen: () => string
  /** The last frame as written (with ANSI codes). */
  raw: () => string
  press: (...keys: string[]) => Promise<void>
  /** Waits until the screen satisfies the check (the feed and ink render asynchronously). */
  until: (check: (screen: string) => boolean, what?: string) => Promise<string>
  quit: () => void
}

export interface RenderOptions extends Partial<Omit<ViewerProps, 'feed'>> {
  columns?: number
  rows?: number
  capacity?: number
  history?: LogEntry[]
}

export function renderViewer(options: RenderOptions = {}): Rendered {
  const stdout = new FakeStdout(options.columns ?? 80, options.rows ?? 24)
  const stdin = new FakeStdin()
  const source = new PushSource(options.history)
  const feed = new ViewerFeed({source, capacity: options.capacity ?? 1000, notifyInterval: 5, pageSize: 100})
  const {columns: _c, rows: _r, capacity: _cap, history: _h, ...props} = options
  const instance = render(<Viewer feed={feed} color={true} colorLevel={1} {...props} />, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  })
  const screen = (): string => stripAnsi(stdout.lastFrame())
  const until = async (check: (screen: string) => boolean, what = 'the expected screen'): Promise<string> => {
    await waitUntil(() => check(screen()), {what}).catch((error: Error) => {
      throw new Error(`${error.message}; last screen:\n${screen()}`)
    })
    return screen()
  }
  const press = async (...keys: string[]): Promise<void> => {
    for (const key of keys) {
      stdin.write(key)
      await new Promise((resolve) => setTimeout(resolve, 15))
    }
  }
  return {stdout, stdin, feed, source, instance, screen, raw: () => stdout.lastFrame(), press, until, quit: () => instance.unmount()}
}

/** Screen lines (the frame may end with a newline). */
export function screenLines(screen: string): string[] {
  return screen.replace(/\n$/, '').split('\n')
}
