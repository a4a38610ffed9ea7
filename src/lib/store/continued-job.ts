/**
 * A live job that continues an archived run of its id (job.ts `continues`): `push` into the
 * file store or Redis after `logs archive` keeps the new lines in the live store numbered
 * 1, 2, … of their own, and the job's lines are the archived run's 1..B followed by those as
 * B+1, B+2, … Jobs (./jobs.ts) reads such a job as one through these helpers: the range each
 * part is read with, the live seqs moved into the job's, and the two metadata as one.
 */
import type {LogEntry} from '../entry.js'
import type {JobMeta} from '../job.js'
import type {Level} from '../level.js'
import {joinRunSections} from '../run-sections.js'
import {isStored, shiftStored} from './stored-layout.js'
import type {ArchiveItem, FollowEvent, ReadRange} from './types.js'

/**
 * How many archived lines come before the live ones: 0 for a job that continues nothing, and
 * for one whose live copy was archived already (both runs are then in its archive object).
 */
export function continuedBase(meta: JobMeta | undefined): number {
  return meta?.continues && meta.location.kind === 'live' ? meta.continues.lines : 0
}

/** The metadata of the whole job: the live run's, with the archived run's lines, counts, labels and sections in front. */
export function continuedMeta(live: JobMeta, archived: JobMeta | undefined): JobMeta {
  const base = live.continues?.lines ?? 0
  const meta: JobMeta = {...live, createdAt: live.continues?.createdAt ?? live.createdAt, lines: base + live.lines}
  if (live.sections) meta.sections = live.sections.map((section) => ({...section, firstSeq: section.firstSeq + base, lastSeq: section.lastSeq + base}))
  // Only the run it continues: an object that holds both runs already (an archive under way) would count them twice.
  const run = archived && archived.createdAt === live.continues?.createdAt && archived.lines === base ? archived : undefined
  if (!run) return meta
  meta.bytes += run.bytes
  meta.levels = {...run.levels}
  for (const [level, count] of Object.entries(live.levels) as Array<[Level, number]>) meta.levels[level] = (meta.levels[level] ?? 0) + count
  meta.firstTs = run.firstTs ?? live.firstTs
  meta.lastTs = live.lastTs ?? run.lastTs
  if (run.labels || live.labels) meta.labels = {...run.labels, ...live.labels}
  if (run.masked || live.masked) meta.masked = (run.masked ?? 0) + (live.masked ?? 0)
  if (run.sections?.length) meta.sections = joinRunSections(run.sections, meta.sections ?? [])
  if (run.sectionsDropped || live.sectionsDropped) meta.sectionsDropped = (run.sectionsDropped ?? 0) + (live.sectionsDropped ?? 0)
  return meta
}

/** The part of a range among the archived run's lines 1..base; undefined when it wants none of them. */
export function earlierRange<R extends ReadRange>(range: R, base: number): R | undefined {
  if ((range.after ?? 0) >= base) return undefined
  const next: R = {...range, before: Math.min(range.before ?? Number.POSITIVE_INFINITY, base + 1)}
  if (range.seqRanges) {
    next.seqRanges = clip(range.seqRanges, 1, base, 0)
    if (next.seqRanges.length === 0) return undefined
  }
  return next
}

/** The part of a range among the live lines, in the live store's own numbers (the job's minus base); undefined when it wants none. */
export function laterRange<R extends ReadRange>(range: R, base: number): R | undefined {
  if (range.before !== undefined && range.before <= base + 1) return undefined
  const next: R = {...range, after: Math.max(0, (range.after ?? 0) - base)}
  if (range.before !== undefined) next.before = range.before - base
  if (range.seqRanges) {
    next.seqRanges = clip(range.seqRanges, base + 1, Number.POSITIVE_INFINITY, base)
    if (next.seqRanges.length === 0) return undefined
  }
  return next
}

function clip(ranges: Array<[number, number]>, low: number, high: number, minus: number): Array<[number, number]> {
  const clipped: Array<[number, number]> = []
  for (const [first, last] of ranges) {
    const a = Math.max(first, low)
    const b = Math.min(last, high)
    if (a <= b) clipped.push([a - minus, b - minus])
  }
  return clipped
}

/** A live entry renumbered as the job's (entries read from a store are the reader's own). */
export function shifted(entry: LogEntry, base: number): LogEntry {
  entry.seq += base
  return entry
}

/**
 * The entries of a range of a continued job: those of the archived run (`earlier`, in the
 * job's numbers) then the live ones (`later`, in the store's), renumbered. `tail` reads the
 * live part first, keeping at most N entries, and takes from the archived run what it lacks.
 */
export async function* continuedEntries(
  range: ReadRange,
  base: number,
  earlier: (range: ReadRange) => AsyncIterable<LogEntry>,
  later: (range: ReadRange) => AsyncIterable<LogEntry>,
): AsyncIterable<LogEntry> {
  if (range.tail !== undefined) {
    const {limit, ...whole} = range
    const kept: LogEntry[] = []
    const live = laterRange(whole, base)
    if (live) for await (const entry of later(live)) kept.push(shifted(entry, base))
    const archived = kept.length < range.tail ? earlierRange({...whole, tail: range.tail - kept.length}, base) : undefined
    let left = limit ?? Number.POSITIVE_INFINITY
    if (archived) {
      for await (const entry of earlier(archived)) {
        if (left-- <= 0) return
        yield entry
      }
    }
    for (const entry of kept) {
      if (left-- <= 0) return
      yield entry
    }
    return
  }
  let count = 0
  const archived = earlierRange(range, base)
  if (archived) {
    for await (const entry of earlier(archived)) {
      count++
      yield entry
    }
  }
  if (range.limit !== undefined && count >= range.limit) return
  const live = laterRange(range.limit === undefined ? range : {...range, limit: range.limit - count}, base)
  if (live) for await (const entry of later(live)) yield shifted(entry, base)
}

/** A live follow event in the job's terms: entries renumbered, metadata of the whole job. */
export function continuedEvent(event: FollowEvent, base: number, archived: JobMeta | undefined): FollowEvent {
  if (event.type === 'entries') {
    for (const entry of event.entries) shifted(entry, base)
    return event
  }
  return {...event, meta: continuedMeta(event.meta, archived)}
}

/** What a live store gives `logs archive` of a continued job (entries, batches or as stored), renumbered as the job's. */
export async function* continuedItems(items: AsyncIterable<ArchiveItem>, base: number): AsyncIterable<ArchiveItem> {
  for await (const item of items) {
    if (isStored(item)) {
      shiftStored(item, base)
    } else if (Array.isArray(item)) {
      for (const entry of item) shifted(entry, base)
    } else {
      shifted(item, base)
    }
    yield item
  }
}
