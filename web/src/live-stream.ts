/**
 * The live tail: the relay's SSE stream (`id:` = seq; events log, status, end). The browser's
 * own EventSource retry is not relied on: on any error this closes it and reconnects with
 * `?after=<last seq delivered>` (with backoff), which covers a restarted relay, an HTTP
 * error and a dropped proxy alike. Entries at or below the last delivered seq are dropped,
 * so a resume never shows a line twice; an entry past lastSeq + 1 (a hole) makes it reconnect
 * from lastSeq, so the page never shows a gap either — but for the lines of a damaged
 * archived block, which the relay names in an `unreadable` event in their place. A `failed`
 * event (a damaged live log) is an error every reconnect would meet again: the stream stops
 * there, keeping what it delivered. Entries are handed over once per animation frame:
 * at 10 000 lines/s the page renders ~60 batches, not 10 000 events.
 */
import {getJob, jobPath, type EntryRecord, type JobStatusEvent, type RelayFailure, type UnreadableBlock} from './api.js'

export type StreamState = 'connecting' | 'connected' | 'reconnecting' | 'ended' | 'failed'

export interface LiveStreamHandlers {
  onEntries: (entries: EntryRecord[]) => void
  /** Status and end events: the metadata without its sections, with their count (JobStatusEvent). */
  onStatus: (meta: JobStatusEvent) => void
  onState: (state: StreamState) => void
  /** A damaged archived block the relay went past (an `unreadable` event): its lines will not come. */
  onUnreadable: (block: UnreadableBlock) => void
  /** The relay ended the stream on an error a reconnect would meet again (a `failed` event): no more entries will come. */
  onFailed: (failure: RelayFailure) => void
}

const FIRST_RETRY_MS = 250
const MAX_RETRY_MS = 5000

export class LiveStream {
  /** Seq of the last entry delivered. */
  lastSeq: number
  /** Times an entry skipped ahead of lastSeq + 1 (never expected: the relay resumes exactly); each one reconnects. */
  gaps = 0
  /** Entries accepted, and entries dropped because they were at or below lastSeq (a resume that overlapped). */
  received = 0
  duplicates = 0
  private source: EventSource | undefined
  private batch: EntryRecord[] = []
  private frame = 0
  private retry = FIRST_RETRY_MS
  private timer: ReturnType<typeof setTimeout> | undefined
  private failures = 0
  private closed = false

  constructor(
    private readonly jobId: string,
    after: number,
    private readonly handlers: LiveStreamHandlers,
  ) {
    this.lastSeq = after
  }

  start(): void {
    this.connect('connecting')
  }

  close(): void {
    this.closed = true
    this.source?.close()
    clearTimeout(this.timer)
    cancelAnimationFrame(this.frame)
  }

  private connect(state: StreamState): void {
    if (this.closed) return
    this.handlers.onState(state)
    console.info(`stream: connecting after line ${this.lastSeq}`)
    const source = new EventSource(`${jobPath(this.jobId)}/logs/stream?after=${this.lastSeq}`, {withCredentials: true})
    this.source = source
    source.addEventListener('open', () => {
      this.retry = FIRST_RETRY_MS
      this.failures = 0
      this.handlers.onState('connected')
    })
    source.addEventListener('log', (event) => this.onLog(event as MessageEvent<string>))
    source.addEventListener('status', (event) => {
      const meta = parseJson<JobStatusEvent>((event as MessageEvent<string>).data)
      if (meta) this.handlers.onStatus(meta)
    })
    source.addEventListener('unreadable', (event) => {
      const block = parseJson<UnreadableBlock>((event as MessageEvent<string>).data)
      if (!block || block.lastSeq <= this.lastSeq || block.firstSeq > this.lastSeq + 1) return
      this.flush()
      this.lastSeq = block.lastSeq // the entries after it follow without a gap
      this.handlers.onUnreadable(block)
    })
    source.addEventListener('end', (event) => {
      this.flush()
      const meta = parseJson<JobStatusEvent>((event as MessageEvent<string>).data)
      if (meta && typeof meta.status === 'string') this.handlers.onStatus(meta)
      this.close()
      this.handlers.onState('ended')
    })
    source.addEventListener('failed', (event) => {
      this.flush()
      this.close()
      const failure = parseJson<RelayFailure>((event as MessageEvent<string>).data)
      this.handlers.onState('failed')
      this.handlers.onFailed(typeof failure?.error === 'string' ? failure : {error: 'the relay could not read the job'})
    })
    source.addEventListener('error', () => {
      if (this.closed || source !== this.source) return
      source.close()
      this.flush()
      this.handlers.onState('reconnecting')
      this.failures++
      // After repeated failures, ask why: a 401 sends the user to the login form.
      if (this.failures % 3 === 0) getJob(this.jobId).catch(() => undefined)
      this.timer = setTimeout(() => this.connect('reconnecting'), this.retry)
      this.retry = Math.min(this.retry * 2, MAX_RETRY_MS)
    })
  }

  private onLog(event: MessageEvent<string>): void {
    const entry = parseJson<EntryRecord>(event.data)
    if (!entry) return
    if (typeof entry.seq !== 'number') entry.seq = Number(event.lastEventId)
    if (entry.seq <= this.lastSeq) {
      this.duplicates++
      return
    }
    if (entry.seq !== this.lastSeq + 1) {
      // The relay skipped lines: do not show a hole. Resume from the last line we have.
      this.gaps++
      console.warn(`stream gap: expected line ${this.lastSeq + 1}, got ${entry.seq}; resuming after ${this.lastSeq}`)
      this.source?.close()
      this.flush()
      this.connect('reconnecting')
      return
    }
    this.lastSeq = entry.seq
    this.received++
    this.batch.push(entry)
    // Background tabs get no animation frames: bound the batch anyway.
    if (this.batch.length >= 5000) this.flush()
    else if (this.frame === 0) this.frame = requestAnimationFrame(() => this.flush())
  }

  private flush(): void {
    cancelAnimationFrame(this.frame)
    this.frame = 0
    if (this.batch.length === 0) return
    const entries = this.batch
    this.batch = []
    this.handlers.onEntries(entries)
  }
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T
  } catch {
    return undefined // a malformed event is skipped; the next one carries on
  }
}
