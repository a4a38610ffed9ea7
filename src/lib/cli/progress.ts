/**
 * Progress of long work on stderr, through oclif's `ux.action` spinner: only when stderr
 * is a terminal and output is not --json, so pipes, cron logs and JSON consumers get
 * nothing. Status updates are throttled to one redraw per 100 ms.
 */
import {ux} from '@oclif/core/ux'
import {formatBytes} from '../render/job-table.js'
import {formatDuration} from '../time.js'

const REDRAW_MS = 100

export interface Progress {
  /** The status shown after the title; `force` redraws even within the throttle window. */
  status(text: string, force?: boolean): void
  finish(result?: string): void
  /** Runs `write` with the progress line out of the way (output on the same terminal). */
  around<T>(write: () => T): T
}

const NONE: Progress = {status: () => undefined, finish: () => undefined, around: (write) => write()}

export function startProgress(title: string, options: {json: boolean; stream?: NodeJS.WriteStream}): Progress {
  const stream = options.stream ?? process.stderr
  if (options.json || !stream.isTTY || ux.action.type !== 'spinner') return NONE
  ux.action.start(title, 'starting', {stdout: false})
  let drawn = 0
  let last = ''
  return {
    status(text, force = false) {
      last = text
      const now = Date.now()
      if (!force && now - drawn < REDRAW_MS) return
      drawn = now
      ux.action.status = text
    },
    finish(result = 'done') {
      ux.action.stop(last ? `${result} · ${last}` : result)
    },
    // oclif types pause() as a promise; it returns what the function returns.
    around: <T>(write: () => T) => ux.action.pause(write) as unknown as T,
  }
}

/** "12/40 jobs · 3.1 MB · 1.2 MB/s · ETA 20s": counts, bytes, rate and the time left at the rate so far. */
export function rateStatus(done: number, total: number, bytes: number, elapsedMs: number, unit: string): string {
  const parts = [`${done}/${total} ${unit}`, formatBytes(bytes)]
  if (elapsedMs > 0 && done > 0) {
    parts.push(`${formatBytes(Math.round((bytes * 1000) / elapsedMs))}/s`)
    if (done < total) parts.push(`ETA ${formatDuration(Math.round(((total - done) * elapsedMs) / done))}`)
  }
  return parts.join(' · ')
}
