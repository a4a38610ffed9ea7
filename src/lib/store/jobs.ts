/**
 * Jobs: what every reader (`get`, `tail`, `ls`, `serve`) asks for a job. It answers from
 * wherever the job lives now — the live store, the archive, or both across a move — so
 * callers never know which.
 *
 * A move (`logs archive`) is: object stored and verified → location recorded in the live
 * metadata → live copy deleted. A read or follow that is inside the live store when the
 * copy goes continues from the archive right after the last sequence number it delivered:
 * no gap, no duplicate (DESIGN.md invariant 1).
 */
import {batched, flattened} from '../batched.js'
import {DamagedManifestError, JobNotFoundError, UsageError} from '../errors/index.js'
import {rawChunk, type LogEntry} from '../entry.js'
import type {ContinuedRun, JobMeta} from '../job.js'
import {matchesSelector} from '../label-selector.js'
import {markStarts, RecordStarts} from '../record-starts.js'
import {continuedBase, continuedEntries, continuedEvent, continuedMeta, earlierRange, laterRange} from './continued-job.js'
import {remainingRange} from './remaining-range.js'
import {resumedFollow} from './resumed-follow.js'
import type {ArchiveStore, FollowEvent, FollowOptions, JobFilter, LiveStore, RawBlock, RawRange, ReadRange, RemovedFrom} from './types.js'

export interface JobsOptions {
  live: LiveStore
  archive?: ArchiveStore
  /** A snapshot(): close() leaves the stores to the Jobs it was taken from. */
  view?: boolean
}

/** Entries per event when a follower is served from the archive. */
const ARCHIVE_FOLLOW_BATCH = 1000

export class Jobs {
  readonly live: LiveStore
  readonly archive: ArchiveStore | undefined

  private readonly view: boolean

  constructor({live, archive, view = false}: JobsOptions) {
    this.live = live
    this.archive = archive
    this.view = view
  }

  /**
   * The jobs as one request of a long-running server sees them (`logs serve`): an archived
   * job's manifest is read at most once by the snapshot — its metadata, then its entries —
   * and never kept past it (ArchiveStore.snapshot). A reading command's own archive already
   * works that way for the whole command (open/open-jobs.ts).
   */
  snapshot(): Jobs {
    return new Jobs({live: this.live, archive: this.archive?.snapshot(), view: true})
  }

  async getJob(id: string): Promise<JobMeta | undefined> {
    const live = await this.live.getJob(id)
    if (live) return continuedBase(live) > 0 ? continuedMeta(live, await this.archivedMeta(id)) : live
    return (await this.archive?.head(id))?.meta
  }

  async requireJob(id: string): Promise<JobMeta> {
    const meta = await this.getJob(id)
    if (!meta) throw this.notFound(id)
    return meta
  }

  /** That the job is in none of the stores searched, naming them. */
  notFound(id: string): JobNotFoundError {
    return new JobNotFoundError(id, this.searched)
  }

  /** The stores a job is looked for in, for messages. */
  get searched(): string {
    return this.archive ? `${this.live.name} or ${this.archive.name}` : this.live.name
  }

  async listJobs(filter?: JobFilter): Promise<JobMeta[]> {
    const selected = (meta: JobMeta) => matchesSelector(filter?.selector, meta.labels)
    if (!this.archive) return (await this.live.listJobs(filter)).filter(selected)
    // Labels are selected once a job is whole: a live run that continues an archived one has only the labels pushed with it.
    const live = await this.live.listJobs({...filter, selector: undefined})
    const seen = new Set(live.map((job) => job.id))
    const listed = (await this.archive.list(filter)).map((a) => a.meta)
    const byId = new Map(listed.map((meta) => [meta.id, meta]))
    // A live job that continues an archived run is one job with it: that run's lines and counts in front.
    const whole = await Promise.all(live.map(async (meta) => (continuedBase(meta) > 0 ? continuedMeta(meta, byId.get(meta.id) ?? (await this.archivedMeta(meta.id))) : meta)))
    const archived = listed.filter((meta) => !seen.has(meta.id) && selected(meta))
    return [...whole.filter(selected), ...archived].sort((a, b) => b.updatedAt - a.updatedAt)
  }

  /**
   * The entries of a range, with the first line of each multi-line record marked
   * (record-starts.ts: each entry is handed on once the one after it is read).
   */
  read(id: string, range: ReadRange = {}): AsyncIterable<LogEntry> {
    return flattened(this.readBatches(id, range))
  }

  /** read() in the batches the stores read (a step per batch, not per entry, for a big job); none is empty. */
  readBatches(id: string, range: ReadRange = {}): AsyncIterable<LogEntry[]> {
    return this.batchesOf(id, range, true)
  }

  /** `lookAfter`: check a last entry that may start a record against the entry after the range. */
  private async *batchesOf(id: string, range: ReadRange, lookAfter: boolean): AsyncIterable<LogEntry[]> {
    const starts = new RecordStarts()
    try {
      const live = await this.live.getJob(id)
      if (live && (live.location.kind === 'live' || !(await this.archived(id)))) {
        let last: number | undefined
        let count = 0
        let moved: boolean
        try {
          for await (const batch of this.liveBatches(live, range)) {
            if (batch.length === 0) continue
            const out = starts.takeBatch(batch)
            if (out.length > 0) yield out
            last = batch.at(-1)!.seq
            count += batch.length
          }
          // A read that ended without an error may still have met a move (a store that reads on to what it holds): the rest, if any, is in the archive.
          moved = await this.movedAway(id, continuedBase(live))
        } catch (error) {
          if (!(await this.movedAway(id, continuedBase(live)))) throw error
          moved = true
        }
        if (moved) {
          for await (const batch of this.archive!.readBatches(id, remainingRange(range, last, count))) {
            const out = starts.takeBatch(batch)
            if (out.length > 0) yield out
          }
        }
      } else {
        if (!this.archive) throw this.notFound(id)
        // The archive's own read says whether it holds the job: one manifest read, not two.
        let started = false
        try {
          for await (const batch of this.archive.readBatches(id, range)) {
            started = true
            const out = starts.takeBatch(batch)
            if (out.length > 0) yield out
          }
        } catch (error) {
          if (started || !(error instanceof JobNotFoundError)) throw error
          throw this.notFound(id)
        }
      }
    } catch (error) {
      const rest = await starts.rest()
      if (rest.length > 0) yield rest // what was read before a failure is still handed on
      throw error
    }
    // Only a range that ends before the stored entries do may end right before a continuation.
    const bounded = range.limit !== undefined || range.before !== undefined || range.until !== undefined
    const rest = await starts.rest(lookAfter && bounded ? (seq) => this.entryAfter(id, seq, range.signal) : undefined)
    if (rest.length > 0) yield rest
  }

  private async entryAfter(id: string, seq: number, signal?: AbortSignal): Promise<LogEntry | undefined> {
    for await (const batch of this.batchesOf(id, {after: seq, limit: 1, signal}, false)) return batch[0]
    return undefined
  }

  /**
   * The stored bytes of a range: copied as they are from a live store that keeps them
   * (readRaw), else encoded from entries. Continues from the archive after a move, as read() does.
   */
  async *readRaw(id: string, range: RawRange = {}): AsyncIterable<RawBlock> {
    const live = this.live.readRaw ? await this.live.getJob(id) : undefined
    const base = continuedBase(live)
    // Without an archive (a relay, which reads its own), the live store answers for an archived job too.
    // A tail of a continued job may reach into its archived run: read as entries.
    if (!live || (live.location.kind !== 'live' && this.archive) || (base > 0 && range.tail !== undefined)) {
      yield* rawBlocks(this.batchesOf(id, range, false))
      return
    }
    let last: number | undefined
    let count = 0
    // A continued job's archived run (encoded from its entries), then the live bytes as stored.
    const earlier = base > 0 ? earlierRange(range, base) : undefined
    if (earlier) {
      for await (const block of rawBlocks(batched(this.earlierEntries(id, base, earlier)))) {
        yield block
        last = block.last
        count += block.last - block.first + 1
      }
    }
    const rest = remainingRange(range, last, count)
    if (rest.limit !== undefined && rest.limit <= 0) return
    try {
      for await (const stored of this.live.readRaw!(id, laterRange(rest, base)!)) {
        // A renumbered copy: the store reads on from the block it yielded, so it must not see it changed.
        const block = {...stored, first: stored.first + base, last: stored.last + base}
        yield block
        last = block.last
        count += block.last - block.first + 1
      }
    } catch (error) {
      if (!(await this.movedAway(id, base))) throw error
      yield* rawBlocks(this.archive!.readBatches(id, remainingRange(range, last, count)))
      return
    }
    if (await this.movedAway(id, base)) yield* rawBlocks(this.archive!.readBatches(id, remainingRange(range, last, count)))
  }

  /** New entries and metadata changes until the job ends, wherever it lives; a store that stops answering is waited for (resumed-follow.ts). */
  follow(id: string, options: FollowOptions): AsyncIterable<FollowEvent> {
    return resumedFollow((from) => this.followFrom(id, from), options, this.live.followRetry)
  }

  private async *followFrom(id: string, options: FollowOptions): AsyncIterable<FollowEvent> {
    let after = options.after
    const live = await this.live.getJob(id)
    options.answered?.()
    if ((!live || live.location.kind === 'archived') && (await this.archived(id))) {
      yield* this.followArchived(id, after, options.signal)
      return
    }
    const base = continuedBase(live)
    const archived = base > 0 ? await this.archivedMeta(id) : undefined
    if (base > 0 && after < base) {
      // The archived run first, then the live lines from where it ends.
      yield* this.archivedEvents(id, {after, before: base + 1, signal: options.signal})
      after = base
    }
    try {
      const waitForJob = live ? false : options.waitForJob
      // `known` is of the whole job: the live store would see its own metadata as a change from it.
      const known = base > 0 ? undefined : options.known
      for await (const liveEvent of this.live.follow(id, {after: after - base, signal: options.signal, waitForJob, known})) {
        const event = base > 0 ? continuedEvent(liveEvent, base, archived) : liveEvent
        if (event.type === 'entries' && event.entries.length > 0) {
          after = event.entries.at(-1)!.seq
          // A start whose continuation is not in this event yet stays unmarked: followers are not kept waiting for it.
          markStarts(event.entries)
        }
        yield event
        if (event.type === 'end') return
      }
    } catch (error) {
      if (!(await this.movedAway(id, base))) throw error
    }
    if (options.signal?.aborted) return
    if (base > 0 ? await this.movedAway(id, base) : await this.archived(id)) yield* this.followArchived(id, after, options.signal)
    else if (!(await this.live.getJob(id))) throw this.notFound(id)
  }

  /**
   * Deletes the job wherever it lives: its live copy, and its archive object and manifest
   * (so listings and reads stop finding it); `only` one of them (a live run that conflicts
   * with an archived one, archive-conflict-error.ts). Returns where it was, or undefined when it was
   * nowhere; with dryRun, only where it is.
   */
  async remove(id: string, {dryRun = false, only}: {dryRun?: boolean; only?: 'live' | 'archive'} = {}): Promise<RemovedFrom[] | undefined> {
    if (this.live.removeJob) {
      if (only)
        throw new UsageError(`--from ${only} needs the stores themselves: through a relay a job is deleted wherever it lives`, [
          'drop --url / LOGS_URL and name the store and archive (--store, --archive)',
        ])
      return this.live.removeJob(id, {dryRun})
    }
    const from: RemovedFrom[] = []
    if (only !== 'archive' && (await this.live.getJob(id))) {
      if (!dryRun) await this.live.deleteJob(id)
      from.push({store: 'live', url: this.live.name})
    }
    // A job whose manifest is damaged is deleted too: its manifest and whatever objects bear its id.
    const archived =
      only === 'live'
        ? undefined
        : await this.archive?.head(id).catch((error: unknown) => (error instanceof DamagedManifestError ? {url: error.url ?? this.archive!.name} : Promise.reject(error)))
    if (archived) {
      if (!dryRun) await this.archive!.delete([id])
      from.push({store: 'archive', url: archived.url})
    }
    return from.length > 0 ? from : undefined
  }

  async close(): Promise<void> {
    if (this.view) return
    await Promise.all([this.live.close(), this.archive?.close()])
  }

  /** An archived job is complete: its remaining entries in batches, then its end. */
  private async *followArchived(id: string, after: number, signal?: AbortSignal): AsyncIterable<FollowEvent> {
    const archived = await this.archive!.head(id)
    if (!archived) throw new JobNotFoundError(id, this.archive!.name)
    yield* this.archivedEvents(id, {after, signal})
    yield {type: 'end', meta: archived.meta}
  }

  /** Archived entries of a range (read a block at a time) in events of ARCHIVE_FOLLOW_BATCH, records' first lines marked (a run's last line ends its record). */
  private async *archivedEvents(id: string, range: ReadRange): AsyncIterable<FollowEvent & {type: 'entries'}> {
    let batch: LogEntry[] = []
    const starts = new RecordStarts()
    for await (const read of this.archive!.readBatches(id, range)) {
      for (const entry of read) {
        const ready = starts.take(entry)
        if (ready) batch.push(ready)
        if (batch.length >= ARCHIVE_FOLLOW_BATCH) {
          yield {type: 'entries', entries: batch}
          batch = []
        }
      }
    }
    const last = await starts.last()
    if (last) batch.push(last)
    if (batch.length > 0) yield {type: 'entries', entries: batch}
  }

  /**
   * A live job's entries in the job's numbers, in batches: for one that continues an archived run, that
   * run's part of the range from the archive, then the live part (continued-job.ts).
   */
  private liveBatches(live: JobMeta, range: ReadRange): AsyncIterable<LogEntry[]> {
    const base = continuedBase(live)
    if (base === 0) return this.live.readBatches?.(live.id, range) ?? batched(this.live.read(live.id, range))
    const entries = continuedEntries(
      range,
      base,
      (part) => this.earlierEntries(live.id, base, part),
      (part) => this.live.read(live.id, part),
    )
    return batched(entries)
  }

  /** The archived run a live job continues; a warning, and none of its lines, when the archive does not hold it. */
  private async *earlierEntries(id: string, base: number, range: ReadRange): AsyncIterable<LogEntry> {
    const missing = (where: string) => range.onWarning?.(`lines 1..${base} of job ${id}, an archived run it continues, are not in ${where}; showing the lines after them`)
    if (!this.archive) {
      missing('an archive (none is configured)')
      return
    }
    let started = false
    try {
      for await (const entry of this.archive.read(id, range)) {
        started = true
        yield entry
      }
    } catch (error) {
      if (started || !(error instanceof JobNotFoundError)) throw error
      missing(this.archive.name)
    }
  }

  /** The archived run a push of a job not in the live store continues (job.ts ContinuedRun), if the archive holds one. */
  async archivedRun(id: string): Promise<ContinuedRun | undefined> {
    const archived = (await this.archive?.head(id))?.meta
    return archived && {createdAt: archived.createdAt, lines: archived.lines}
  }

  /** The archived job's metadata, if the archive can tell. */
  private async archivedMeta(id: string): Promise<JobMeta | undefined> {
    return (await this.archive?.head(id).catch(() => undefined))?.meta
  }

  private async archived(id: string): Promise<boolean> {
    return this.archive !== undefined && (await this.archive.head(id)) !== undefined
  }

  /**
   * The live copy is gone (or going) and the archive holds the job: for one that continued
   * an archived run of `base` lines, an object past them (read afresh, as the earlier run's
   * may be the one remembered), else the live store's failure is its own.
   */
  async movedAway(id: string, base = 0): Promise<boolean> {
    const live = await this.live.getJob(id).catch(() => undefined)
    if (live && live.location.kind === 'live') return false
    if (base === 0) return this.archived(id)
    const archived = await this.archive?.head(id, {fresh: true})
    return archived !== undefined && archived.meta.lines > base
  }
}

/** Batches of entries as raw blocks, each with its entries. */
async function* rawBlocks(batches: AsyncIterable<LogEntry[]>): AsyncIterable<RawBlock> {
  for await (const batch of batches) if (batch.length > 0) yield {first: batch[0].seq, last: batch.at(-1)!.seq, bytes: rawChunk(batch), entries: batch}
}
