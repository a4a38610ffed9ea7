/**
 * Delivers a spool to a remote store, in order, once.
 *
 *   spool (local disk) ──read after `shipped`──▶ append(batch, {writer, batch, after}) ──▶ remote
 *
 * The spool is the write-ahead log, and what is sent is read back from it, packed
 * (store/file/packed-reader.ts: the page cache's bytes, no entry per line): the writer only
 * says how far the spool goes (spooledUpTo). Packing the writer's lines into a queue of its
 * own cost push --url more CPU than reading them back (entries, packing, a copy per batch).
 *
 * Up to the store's `appendWindow` batches are in flight at once, each token naming the
 * batch before it (`after`), so the store applies them in order or refuses them: a failed
 * batch is never skipped by its successors. Before batches are sent their ranges are
 * recorded as in flight (ship-state.ts); as each is confirmed, `shipped` moves on in
 * memory, and on disk with the next send: a confirmation needs no write of its own, as the
 * record it leaves is the one a crash right after that send leaves. After a failure, or a
 * crash, the recorded batches are re-sent one at a time as they were cut, with their
 * tokens, which the remote store applies at most once (a batch it applied already, or one
 * before it, is answered as a duplicate) — so retries never duplicate, and the spool never
 * skips a line. Then the window opens again.
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
import {JobNotFoundError, LogsError, ObjectStoreError, OutOfOrderError} from '../errors/index.js'
import {isEnded, type ContinuedRun, type JobMeta} from '../job.js'
import {unpackEntries, type PackedEntries} from '../store/packed-entries.js'
import type {PackedReader} from '../store/file/packed-reader.js'
import type {AppendResult, AppendToken, LiveStore} from '../store/types.js'
import {MAX_INFLIGHT, ShipStateFile, type ShipState} from './ship-state.js'
import type {StructureRecorder} from './structure-recorder.js'
import {SPOOL_PID_LABEL, type SpoolHandle} from './spool.js'
import {timerDelay} from '../time.js'

export interface ShipperOptions {
  /** Gather lines this long between appends (object stores); 0 = send as soon as there are lines. */
  batchInterval?: number
  maxBatchBytes?: number
  /** Called when the store applied (or answered as a duplicate) a batch, took a part of one, or took a step of ending the job: delivery progressed. */
  onDelivered?: () => void
  /** Called once when the remote becomes unreachable, and once when it is back. */
  onOutage?: (error: Error) => void
  onRecovered?: () => void
  /** Sections, phase and progress of what this shipper delivers (not of orphan spools: their open sections died with their writer). */
  structure?: StructureRecorder
  /**
   * The job's archived run, for a job the store lost while this shipper delivered it: one
   * `archive --idle` took for abandoned, or `rm` deleted. The rest then continues that run, as
   * a push after `archive` does; without it, it would start the job anew, from line 1.
   */
  findArchivedRun?: () => Promise<ContinuedRun | undefined>
}

const MAX_BACKOFF_MS = 2000
/** Big enough that a fast producer costs few round trips; only what is pending is sent. A store may ask for more (LiveStore.maxBatchBytes). */
const DEFAULT_BATCH_BYTES = 1024 * 1024
/** Below this many bytes in flight, lines are sent as they are spooled rather than after the next reply. */
const EARLY_SEND_BYTES = 16 * 1024

type Outcome = 'ok' | 'failed' | 'job-lost'

interface Sent {
  packed: PackedEntries
  to: number
  result: Promise<AppendResult>
}

export class Shipper {
  private wakeUp: (() => void) | undefined
  /** Set while pipeline() waits for a reply and could send more. */
  private onOffer: (() => void) | undefined
  /** Level-triggered: a notify() between two looks at the spool is not lost. */
  private woken = false
  private stopped = false
  /** Return once everything is delivered, even if the job has not ended (interrupted push, orphan spool). */
  private drainOnly = false
  private outage = false
  /** The spool's job as last read, its line count kept up by spooledUpTo(). */
  private spooled: JobMeta | undefined
  /** Something else than new lines may have changed the spool's job (its end, a drain): read it again. */
  private spooledStale = true
  /** The spool's line count, as the offers tell it. */
  private offeredLines = 0
  /** The remote lost the job after it was started (store restarted without its data, job archived or deleted). */
  private lost = false
  /** The spool's lines, read back packed, while run() runs. */
  private reader: PackedReader | undefined
  /** Lines the remote store applied from this shipper (not those it answered as duplicates: it had them). */
  applied = 0

  constructor(
    private readonly spool: SpoolHandle,
    private readonly remote: LiveStore,
    private readonly job: string,
    private readonly options: ShipperOptions = {},
  ) {}

  /** The spool holds lines up to seq `last` now (its writer appended them). */
  spooledUpTo(last: number): void {
    this.offeredLines = Math.max(this.offeredLines, last)
    this.wake()
    this.onOffer?.()
  }

  /** The spool changed (new lines not offered, its end). */
  notify(): void {
    this.spooledStale = true
    this.wake()
  }

  private wake(): void {
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
      this.reader = await store.openPacked(writer, {recover: !this.spool.own})
      return await this.loop(stateFile)
    } finally {
      this.reader?.close()
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
      const meta = await this.spoolJob()
      if (!meta) return true
      if (!state.started) {
        const labels = withoutSpoolLabels(meta.labels)
        const continues = (this.lost && (await this.options.findArchivedRun?.())) || meta.continues
        if ((await this.attempt(() => this.remote.startJob(this.job, {labels, continues}))) !== 'ok') continue
        state.started = true
        stateFile.save(state)
      }
      const pending = meta.lines - state.shipped
      const ended = isEnded(meta.status)
      if (state.inflight || (pending > 0 && (ended || this.drainOnly || Date.now() - lastAppend >= interval))) {
        const outcome = state.inflight ? await this.resend(state) : await this.pipeline(state, stateFile, meta.lines, interval > 0 && !ended && !this.drainOnly)
        if (outcome === 'job-lost') this.lose(state)
        if (outcome === 'ok') lastAppend = Date.now()
        continue
      }
      if (ended) {
        await this.options.structure?.finish(meta.status === 'failed')
        // An object store assembles the job's object now, for as long as its size takes: each step of it is progress.
        const outcome = await this.attempt(() => this.remote.endJob(this.job, {status: meta.status, exitCode: meta.exitCode}, {onProgress: this.options.onDelivered}))
        if (outcome === 'job-lost') this.lose(state)
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

  private lose(state: ShipState): void {
    state.started = false
    this.lost = true
  }

  /**
   * The spool's job. Its writer tells the new line count (spooledUpTo) after it appends, so
   * new lines need no read of the job (a handful of syscalls, for every line of a slow job);
   * anything else comes with notify(). A spool never told of (an orphan, which another
   * process may deliver and remove meanwhile) is read every time.
   */
  private async spoolJob(): Promise<JobMeta | undefined> {
    if (this.spooledStale || !this.spooled || this.offeredLines === 0) {
      this.spooledStale = false
      this.spooled = await this.spool.store.getJob(this.spool.writer)
    }
    if (this.spooled && this.offeredLines > this.spooled.lines) this.spooled.lines = this.offeredLines
    return this.spooled
  }

  /**
   * Sends the spool up to `upTo` (and, unless `gathering`, what is spooled meanwhile) with up to
   * the store's window in flight, and confirms them in order. On a failure the batches still in flight are waited
   * for and stay recorded as in flight: resend() takes them from there.
   */
  private async pipeline(state: ShipState, stateFile: ShipStateFile, upTo: number, gathering: boolean): Promise<Outcome> {
    const window = Math.min(MAX_INFLIGHT, Math.max(1, this.remote.appendWindow ?? 1))
    const sent: Sent[] = []
    let next = state.shipped + 1
    while (!this.stopped) {
      // What was spooled since `upTo` was read is sent on without a pause, unless the store
      // gathers lines between appends (a backlog up to `upTo` still goes out back to back).
      const last = gathering ? upTo : Math.max(upTo, this.offeredLines)
      while (sent.length < window && next <= last) {
        const packed = this.nextBatch(next, last)
        if (packed.count === 0) break
        const to = next + packed.count - 1
        const after = sent.at(-1)?.to ?? state.shipped
        state.inflight = {from: state.shipped + 1, to}
        state.ends = [...sent.map((s) => s.to), to]
        stateFile.save(state)
        const result = this.send(packed, {writer: this.spool.writer, batch: to, after: window > 1 ? after : undefined})
        result.catch(() => undefined)
        sent.push({packed, to, result})
        next = to + 1
      }
      const head = sent[0]
      if (!head) return 'ok'
      // Lines spooled while little is in flight go out at once, not after the head's reply (latency);
      // while much is, they gather into the next batch (throughput: fewer, larger appends).
      if (!gathering && sent.length < window && inflightBytes(sent) < EARLY_SEND_BYTES && (await this.settledOrOffered(head.result)) === 'offered') continue
      sent.shift()
      let appended: AppendResult
      try {
        appended = await head.result
      } catch (error) {
        await Promise.allSettled(sent.map((s) => s.result))
        return this.failed(error)
      }
      this.confirmed(state, head.packed, head.to, appended, sent.at(-1)?.to)
    }
    return 'failed'
  }

  /** Waits for `result` to settle or for the writer to offer lines, whichever comes first. */
  private async settledOrOffered(result: Promise<unknown>): Promise<'settled' | 'offered'> {
    try {
      return await new Promise((resolve) => {
        this.onOffer = () => resolve('offered')
        result.then(
          () => resolve('settled'),
          () => resolve('settled'),
        )
      })
    } finally {
      this.onOffer = undefined
    }
  }

  /** Re-sends the batches recorded as in flight, one at a time as they were cut, each with its token. */
  private async resend(state: ShipState): Promise<Outcome> {
    while (state.inflight) {
      const to = state.ends?.[0] ?? state.inflight.to
      const from = state.inflight.from
      const packed = this.reader!.read(from - 1, Number.POSITIVE_INFINITY, to - from + 1)
      let appended: AppendResult | undefined
      const outcome = await this.attempt(async () => (appended = await this.send(packed, {writer: this.spool.writer, batch: to})))
      if (outcome !== 'ok') return outcome
      this.confirmed(state, packed, to, appended!, state.inflight.to)
    }
    return 'ok'
  }

  /**
   * The remote applied the first batch in flight, up to seq `to`; `lastInflight`: the last seq
   * still in flight after it. Not written to the state file: until the next send rewrites it,
   * a crash leaves this batch recorded as in flight, and re-sending it is answered as a duplicate.
   */
  private confirmed(state: ShipState, packed: PackedEntries, to: number, appended: AppendResult, lastInflight: number | undefined): void {
    if (!appended.duplicate) {
      this.applied += packed.count
      this.options.structure?.observePacked(appended.first, packed)
    }
    state.shipped = to
    this.options.onDelivered?.()
    const ends = state.ends?.slice(1)
    if (lastInflight !== undefined && lastInflight > to) {
      state.inflight = {from: to + 1, to: lastInflight}
      state.ends = ends && ends.length > 1 ? ends : undefined
    } else {
      delete state.inflight
      delete state.ends
    }
    this.reader?.recycle(packed)
  }

  /** The next batch from seq `from`, at most up to `upTo`, read back from the spool. */
  private nextBatch(from: number, upTo: number): PackedEntries {
    // Offered lines are in the spool before the offer (the writer appends, then offers).
    this.reader!.holds(this.offeredLines)
    return this.reader!.read(from - 1, this.options.maxBatchBytes ?? this.remote.maxBatchBytes ?? DEFAULT_BATCH_BYTES, upTo - from + 1)
  }

  private send(packed: PackedEntries, token: AppendToken): Promise<AppendResult> {
    if (this.remote.appendPacked) return this.remote.appendPacked(this.job, packed, token, {onProgress: this.options.onDelivered})
    return this.remote.append(this.job, unpackEntries(packed), token)
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
        if (this.failed(error) === 'job-lost') return 'job-lost'
        await sleep(backoff)
      }
    }
    return 'failed'
  }

  /**
   * What a failed call means: a lost job (the caller restarts it), a refusal retrying cannot
   * help (thrown), or an outage (reported once). A batch refused as out of order is none of
   * these: the one before it failed, or the store lost its record of the writer; re-sent.
   */
  private failed(error: unknown): Outcome {
    if (error instanceof JobNotFoundError) return 'job-lost'
    if ((error instanceof LogsError && error.exitCode === 2) || (error instanceof ObjectStoreError && error.permanent)) throw error
    if (!(error instanceof OutOfOrderError) && !this.outage) {
      this.outage = true
      this.options.onOutage?.(error as Error)
    }
    return 'failed'
  }

  private async idle(timeout?: number): Promise<void> {
    if (this.woken) return
    await new Promise<void>((resolve) => {
      const timer = timeout === undefined ? undefined : setTimeout(resolve, timerDelay(timeout))
      this.wakeUp = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    this.wakeUp = undefined
  }
}

function inflightBytes(sent: Sent[]): number {
  let bytes = 0
  for (const batch of sent) bytes += batch.packed.size
  return bytes
}

function withoutSpoolLabels(labels: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!labels) return undefined
  const {[SPOOL_PID_LABEL]: _pid, ...rest} = labels
  return Object.keys(rest).length > 0 ? rest : undefined
}
