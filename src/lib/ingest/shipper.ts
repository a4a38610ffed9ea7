/**
 * Delivers a spool to a remote store, in order, once.
 *
 *   spool (local disk) ──read after `shipped`──▶ append(entries, {writer, batch}) ──▶ remote
 *
 * Before each append the batch's range is written to ship.json as `inflight`; after it,
 * `shipped` moves on. A shipper restarted after a crash re-sends exactly the in-flight
 * range with the same token, which the remote store applies at most once — so retries
 * never duplicate, and the spool never skips a line.
 *
 * When the remote fails, the shipper keeps retrying with backoff (the spool keeps
 * growing on disk meanwhile) and reports the outage once, and the recovery once.
 */
import {readFile, rename, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {isEnded} from '../job.js'
import type {NewEntry} from '../entry.js'
import type {LiveStore} from '../store/types.js'
import {SPOOL_PID_LABEL, type SpoolHandle} from './spool.js'

interface ShipState {
  shipped: number
  inflight?: {from: number; to: number}
  started?: boolean
}

export interface ShipperOptions {
  /** Gather lines this long between appends (object stores); 0 = send as soon as there are lines. */
  batchInterval?: number
  maxBatchBytes?: number
  /** Called once when the remote becomes unreachable, and once when it is back. */
  onOutage?: (error: Error) => void
  onRecovered?: (delivered: number) => void
}

const MAX_BACKOFF_MS = 2000

export class Shipper {
  private wakeUp: (() => void) | undefined
  /** Level-triggered: a notify() between two looks at the spool is not lost. */
  private woken = false
  private stopped = false
  /** Return once everything is delivered, even if the job has not ended (interrupted push, orphan spool). */
  private drainOnly = false
  private outage = false
  private readonly statePath: string

  constructor(
    private readonly spool: SpoolHandle,
    private readonly remote: LiveStore,
    private readonly job: string,
    private readonly options: ShipperOptions = {},
  ) {
    this.statePath = join(spool.store.root, 'jobs', spool.writer, 'ship.json')
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
    const state = await this.loadState()
    let lastAppend = 0
    while (!this.stopped) {
      this.woken = false
      const meta = await this.spool.store.getJob(this.spool.writer)
      if (!meta) return true // delivered and removed by another process
      const pending = meta.lines - state.shipped
      const interval = this.options.batchInterval ?? 0
      const ended = isEnded(meta.status)
      if (!state.started) {
        if (!(await this.attempt(() => this.remote.startJob(this.job, {labels: withoutSpoolLabels(meta.labels)})))) continue
        state.started = true
        await this.saveState(state)
      }
      const due = ended || this.drainOnly || Date.now() - lastAppend >= interval
      if (state.inflight || (pending > 0 && due)) {
        if (!(await this.shipBatch(state))) continue
        lastAppend = Date.now()
        continue
      }
      if (ended) {
        const end = {status: meta.status, exitCode: meta.exitCode}
        if (!(await this.attempt(() => this.remote.endJob(this.job, end)))) continue
        await this.spool.store.deleteJob(this.spool.writer)
        return true
      }
      if (this.drainOnly && pending === 0) {
        await this.spool.store.deleteJob(this.spool.writer)
        return true
      }
      await this.idle(pending > 0 ? Math.max(0, interval - (Date.now() - lastAppend)) : undefined)
    }
    return false
  }

  private async shipBatch(state: ShipState): Promise<boolean> {
    const range = state.inflight ?? (await this.nextRange(state.shipped))
    state.inflight = range
    await this.saveState(state)
    const entries: NewEntry[] = []
    for await (const entry of this.spool.store.read(this.spool.writer, {after: range.from - 1, limit: range.to - range.from + 1})) {
      entries.push({ts: entry.ts, bytes: entry.bytes ?? Buffer.from(entry.line, 'utf8'), eol: entry.eol, level: entry.level, stream: entry.stream})
    }
    const ok = await this.attempt(() => this.remote.append(this.job, entries, {writer: this.spool.writer, batch: range.to}))
    if (!ok) return false
    state.shipped = range.to
    delete state.inflight
    await this.saveState(state)
    return true
  }

  /** The next batch: from shipped+1, up to maxBatchBytes of lines. */
  private async nextRange(shipped: number): Promise<{from: number; to: number}> {
    const maxBytes = this.options.maxBatchBytes ?? 1024 * 1024
    let bytes = 0
    let to = shipped
    for await (const entry of this.spool.store.read(this.spool.writer, {after: shipped})) {
      to = entry.seq
      bytes += (entry.bytes?.length ?? Buffer.byteLength(entry.line)) + 1
      if (bytes >= maxBytes) break
    }
    return {from: shipped + 1, to}
  }

  /** Runs one remote call; on failure reports the outage once and backs off. */
  private async attempt(call: () => Promise<unknown>): Promise<boolean> {
    for (let backoff = 50; !this.stopped; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      try {
        await call()
        if (this.outage) {
          this.outage = false
          this.options.onRecovered?.(0)
        }
        return true
      } catch (error) {
        if (!this.outage) {
          this.outage = true
          this.options.onOutage?.(error as Error)
        }
        await sleep(backoff)
      }
    }
    return false
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

  private async loadState(): Promise<ShipState> {
    try {
      return JSON.parse(await readFile(this.statePath, 'utf8')) as ShipState
    } catch {
      return {shipped: 0}
    }
  }

  private async saveState(state: ShipState): Promise<void> {
    const temporary = `${this.statePath}.tmp`
    await writeFile(temporary, JSON.stringify(state))
    await rename(temporary, this.statePath)
  }
}

function withoutSpoolLabels(labels: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!labels) return undefined
  const {[SPOOL_PID_LABEL]: _pid, ...rest} = labels
  return Object.keys(rest).length > 0 ? rest : undefined
}
