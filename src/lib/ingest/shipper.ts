/**
 * Delivers a spool to a remote store, in order, once.
 *
 *   spool (local disk) ──read after `shipped`──▶ append(entries, {writer, batch}) ──▶ remote
 *
 * Before each append the batch's range is recorded as in flight (ship-state.ts); after
 * it, `shipped` moves on. A shipper restarted after a crash re-sends exactly the
 * in-flight range with the same token, which the remote store applies at most once — so
 * retries never duplicate, and the spool never skips a line.
 *
 * When the remote fails, the shipper keeps retrying with backoff (the spool keeps
 * growing on disk meanwhile) and reports the outage once, and the recovery once. A
 * remote that lost the job (Redis restarted without its data) gets it started again.
 * A usage error (a wrong token, a request the store refuses) is not an outage: retrying
 * cannot help, so run() fails with it and the lines stay spooled.
 */
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import type {NewEntry} from '../entry.js'
import {JobNotFoundError, LogsError} from '../errors/index.js'
import {isEnded} from '../job.js'
import type {LiveStore} from '../store/types.js'
import {ShipStateFile, type ShipState} from './ship-state.js'
import {SPOOL_PID_LABEL, type SpoolHandle} from './spool.js'

export interface ShipperOptions {
  /** Gather lines this long between appends (object stores); 0 = send as soon as there are lines. */
  batchInterval?: number
  maxBatchBytes?: number
  /** Called once when the remote becomes unreachable, and once when it is back. */
  onOutage?: (error: Error) => void
  onRecovered?: () => void
}

const MAX_BACKOFF_MS = 2000
/** Big enough that a fast producer costs few round trips; only what is pending is sent. */
const DEFAULT_BATCH_BYTES = 4 * 1024 * 1024

type Outcome = 'ok' | 'failed' | 'job-lost'

export class Shipper {
  private wakeUp: (() => void) | undefined
  /** Level-triggered: a notify() between two looks at the spool is not lost. */
  private woken = false
  private stopped = false
  /** Return once everything is delivered, even if the job has not ended (interrupted push, orphan spool). */
  private drainOnly = false
  private outage = false

  constructor(
    private readonly spool: SpoolHandle,
    private readonly remote: LiveStore,
    private readonly job: string,
    private readonly options: ShipperOptions = {},
  ) {}

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

  /** Reads the next batch once (or the in-flight one again), records it as in flight, sends it. */
  private async shipBatch(state: ShipState, stateFile: ShipStateFile): Promise<Outcome> {
    const maxBytes = this.options.maxBatchBytes ?? DEFAULT_BATCH_BYTES
    const range = state.inflight
    const entries: NewEntry[] = []
    let bytes = 0
    let last = state.shipped
    const read = range ? {after: range.from - 1, limit: range.to - range.from + 1} : {after: state.shipped}
    for await (const entry of this.spool.store.read(this.spool.writer, read)) {
      const raw = entry.bytes ?? Buffer.from(entry.line, 'utf8')
      entries.push({ts: entry.ts, bytes: raw, eol: entry.eol, level: entry.level, stream: entry.stream})
      last = entry.seq
      bytes += raw.length + 1
      if (!range && bytes >= maxBytes) break
    }
    if (entries.length === 0) return 'ok'
    state.inflight = range ?? {from: state.shipped + 1, to: last}
    stateFile.save(state)
    const outcome = await this.attempt(() => this.remote.append(this.job, entries, {writer: this.spool.writer, batch: state.inflight!.to}))
    if (outcome !== 'ok') return outcome
    state.shipped = state.inflight.to
    delete state.inflight
    stateFile.save(state)
    return 'ok'
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
        if (error instanceof LogsError && error.exitCode === 2) throw error
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
