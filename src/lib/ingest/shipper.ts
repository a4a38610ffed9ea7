/**
 * Delivers a spool to a remote store, in order, once.
 *
 *   spool (local disk) ──read after `shipped`──▶ append(entries, {writer, batch}) ──▶ remote
 *
 * The spool is the write-ahead log; the entries themselves usually come from memory:
 * the writer offers each batch it spooled, and the shipper reads the spool back only
 * for what memory no longer holds (after a crash, or when an outage outgrew the bound).
 *
 * Before each append the batch's range is recorded as in flight (ship-state.ts); after
 * it, `shipped` moves on. A shipper restarted after a crash re-sends exactly the
 * in-flight range with the same token, which the remote store applies at most once — so
 * retries never duplicate, and the spool never skips a line.
 *
 * When the remote fails, the shipper keeps retrying with backoff (the spool keeps
 * growing on disk meanwhile) and reports the outage once, and the recovery once. A
 * remote that lost the job (Redis restarted without its data) gets it started again.
 * A usage error or a permanent refusal (a wrong token or key, a missing bucket, a size
 * limit) is not an outage: retrying cannot help, so run() fails with it at once and the
 * lines stay spooled.
 */
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import type {NewEntry} from '../entry.js'
import {JobNotFoundError, LogsError, ObjectStoreError} from '../errors/index.js'
import {isEnded} from '../job.js'
import type {LiveStore} from '../store/types.js'
import {ShipStateFile, type ShipState} from './ship-state.js'
import type {StructureRecorder} from './structure-recorder.js'
import {SPOOL_PID_LABEL, type SpoolHandle} from './spool.js'

export interface ShipperOptions {
  /** Gather lines this long between appends (object stores); 0 = send as soon as there are lines. */
  batchInterval?: number
  maxBatchBytes?: number
  /** Bytes of spooled entries kept in memory for shipping; beyond them entries are read back from the spool. */
  maxQueuedBytes?: number
  /** Called once when the remote becomes unreachable, and once when it is back. */
  onOutage?: (error: Error) => void
  onRecovered?: () => void
  /** Sections, phase and progress of what this shipper delivers (not of orphan spools: their open sections died with their writer). */
  structure?: StructureRecorder
}

const MAX_BACKOFF_MS = 2000
/** Entries kept in memory for shipping; beyond this they are read back from the spool. */
const MAX_QUEUED_BYTES = 2 * 1024 * 1024
/** Big enough that a fast producer costs few round trips; only what is pending is sent. */
const DEFAULT_BATCH_BYTES = 1024 * 1024

type Outcome = 'ok' | 'failed' | 'job-lost'

export class Shipper {
  private wakeUp: (() => void) | undefined
  /** Level-triggered: a notify() between two looks at the spool is not lost. */
  private woken = false
  private stopped = false
  /** Return once everything is delivered, even if the job has not ended (interrupted push, orphan spool). */
  private drainOnly = false
  private outage = false
  /** Spooled entries not yet shipped, in seq order from `queuedFrom`. */
  private queue: NewEntry[] = []
  private queuedFrom = 0
  private queuedBytes = 0

  constructor(
    private readonly spool: SpoolHandle,
    private readonly remote: LiveStore,
    private readonly job: string,
    private readonly options: ShipperOptions = {},
  ) {}

  /**
   * Entries just appended to the spool as seq first, first+1, …: shipped from memory when
   * possible. Over the bound, the queue keeps its oldest entries (shipped next) and takes
   * no more; what it did not take is read back from the spool when its turn comes.
   */
  offer(first: number, entries: NewEntry[]): void {
    if (this.queue.length === 0) this.queuedFrom = first
    if (this.queuedFrom + this.queue.length === first && this.queuedBytes <= (this.options.maxQueuedBytes ?? MAX_QUEUED_BYTES)) {
      for (const entry of entries) {
        this.queue.push(entry)
        this.queuedBytes += entry.bytes.length + 1
      }
    }
    this.notify()
  }

  /** New lines are in the spool. */
  notify(): void {
    this.woken = true
    this.wakeUp?.()
  }

  /** Deliver what the spool holds, then return from run() without ending the remote job. */
  drainAndStop(): void {
    this.drainOnly = true
    this.notify()
  }

  /** Stops retrying (the caller gave up waiting); what is not delivered stays in the spool. */
  stop(): void {
    this.stopped = true
    this.wakeUp?.()
  }

  /** Delivers until the spool's job has ended and everything is shipped; true when done, false when stopped first. */
  async run(): Promise<boolean> {
    const {store, writer} = this.spool
    if (!(await store.getJob(writer))) return true // delivered and removed by another process
    const stateFile = new ShipStateFile(join(store.root, 'jobs', writer, 'ship'))
    try {
      return await this.loop(stateFile)
    } finally {
      stateFile.close()
    }
  }

  private async loop(stateFile: ShipStateFile): Promise<boolean> {
    const {store, writer} = this.spool
    const state = stateFile.load()
    const interval = this.options.batchInterval ?? 0
    let lastAppend = 0
    while (!this.stopped) {
      this.woken = false
      const meta = await store.getJob(writer)
      if (!meta) return true
      if (!state.started) {
        const labels = withoutSpoolLabels(meta.labels)
        if ((await this.attempt(() => this.remote.startJob(this.job, {labels}))) !== 'ok') continue
        state.started = true
        stateFile.save(state)
      }
      const pending = meta.lines - state.shipped
      const ended = isEnded(meta.status)
      if (state.inflight || (pending > 0 && (ended || this.drainOnly || Date.now() - lastAppend >= interval))) {
        const outcome = await this.shipBatch(state, stateFile)
        if (outcome === 'job-lost') state.started = false
        if (outcome === 'ok') lastAppend = Date.now()
        continue
      }
      if (ended) {
        await this.options.structure?.finish(meta.status === 'failed')
        const outcome = await this.attempt(() => this.remote.endJob(this.job, {status: meta.status, exitCode: meta.exitCode}))
        if (outcome === 'job-lost') state.started = false
        if (outcome !== 'ok') continue
        await store.deleteJob(writer)
        return true
      }
      if (this.drainOnly && pending === 0) {
        await store.deleteJob(writer)
        return true
      }
      await this.idle(pending > 0 ? Math.max(0, interval - (Date.now() - lastAppend)) : undefined)
    }
    return false
  }

  /** Takes the next batch (or the in-flight one again), records it as in flight, sends it. */
  private async shipBatch(state: ShipState, stateFile: ShipStateFile): Promise<Outcome> {
    const batch = state.inflight ? await this.readSpool(state.inflight.from, state.inflight.to) : (this.fromMemory(state.shipped + 1) ?? (await this.readSpool(state.shipped + 1)))
    if (batch.entries.length === 0) return 'ok'
    state.inflight = {from: batch.from, to: batch.from + batch.entries.length - 1}
    stateFile.save(state)
    let appended: {first: number; duplicate?: boolean} | undefined
    const outcome = await this.attempt(async () => (appended = await this.remote.append(this.job, batch.entries, {writer: this.spool.writer, batch: state.inflight!.to})))
    if (outcome !== 'ok') return outcome
    if (appended && !appended.duplicate) this.options.structure?.observe(appended.first, batch.entries)
    state.shipped = state.inflight.to
    delete state.inflight
    stateFile.save(state)
    this.dropShipped(state.shipped)
    return 'ok'
  }

  /** Up to maxBatchBytes of queued entries starting at seq `from`, if memory has them. */
  private fromMemory(from: number): {from: number; entries: NewEntry[]} | undefined {
    const skip = from - this.queuedFrom
    if (this.queue.length === 0 || skip < 0 || skip >= this.queue.length) return undefined
    const maxBytes = this.options.maxBatchBytes ?? DEFAULT_BATCH_BYTES
    let bytes = 0
    let end = skip
    while (end < this.queue.length && (end === skip || bytes < maxBytes)) bytes += this.queue[end++].bytes.length + 1
    return {from, entries: this.queue.slice(skip, end)}
  }

  private dropShipped(shipped: number): void {
    const count = Math.min(this.queue.length, shipped - this.queuedFrom + 1)
    if (count <= 0) return
    for (const entry of this.queue.splice(0, count)) this.queuedBytes -= entry.bytes.length + 1
    this.queuedFrom += count
  }

  /** Entries from..to (or up to maxBatchBytes from `from`) read back from the spool. */
  private async readSpool(from: number, to?: number): Promise<{from: number; entries: NewEntry[]}> {
    const maxBytes = this.options.maxBatchBytes ?? DEFAULT_BATCH_BYTES
    const entries = await this.spool.store.readNew(this.spool.writer, from - 1, maxBytes, to === undefined ? undefined : to - from + 1)
    return {from, entries}
  }

  /** Runs one remote call; on failure reports the outage once and backs off. A lost job is the caller's to restart. */
  private async attempt(call: () => Promise<unknown>): Promise<Outcome> {
    for (let backoff = 50; !this.stopped; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      try {
        await call()
        if (this.outage) {
          this.outage = false
          this.options.onRecovered?.()
        }
        return 'ok'
      } catch (error) {
        if (error instanceof JobNotFoundError) return 'job-lost'
        if ((error instanceof LogsError && error.exitCode === 2) || (error instanceof ObjectStoreError && error.permanent)) throw error
        if (!this.outage) {
          this.outage = true
          this.options.onOutage?.(error as Error)
        }
        await sleep(backoff)
      }
    }
    return 'failed'
  }

  private async idle(timeout?: number): Promise<void> {
    if (this.woken) return
    await new Promise<void>((resolve) => {
      const timer = timeout === undefined ? undefined : setTimeout(resolve, timeout)
      this.wakeUp = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    this.wakeUp = undefined
  }
}

function withoutSpoolLabels(labels: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!labels) return undefined
  const {[SPOOL_PID_LABEL]: _pid, ...rest} = labels
  return Object.keys(rest).length > 0 ? rest : undefined
}
