/**
 * `logs get --output raw`: the stored bytes copied to the output as they are.
 *   - Without filters, block by block (no entry decoded where the store keeps bytes), then,
 *     with -f, the followed entries' bytes.
 *   - With filters a store can decide on a line's bytes (GetOptions.lines: --grep,
 *     --exclude, --level, --stream, with --since/--until/--after/--head), the bytes of the
 *     lines taken, picked by the store (readRawMatching) where it can.
 * Anything else (context, -n, --section, -f with filters) goes through getEntries.
 */
import {rawChunk, type LogEntry} from '../entry.js'
import {continuedBase} from '../store/continued-job.js'
import type {Jobs} from '../store/jobs.js'
import type {MatchedBlock, RawBlock, StoredBlock} from '../store/types.js'
import {getEntries, jobToRead, type GetOptions} from './get-entries.js'

/** The raw output of `options`, copied or picked from stored bytes; undefined when it needs entries. */
export function rawOutput(jobs: Jobs, options: GetOptions): AsyncIterable<Buffer> | undefined {
  if (copiesRaw(options)) return getRaw(jobs, options)
  if (picksRaw(options)) return getRawMatching(jobs, options)
  return undefined
}

/** True when the options pick consecutive sequence numbers, so stored bytes can be copied. */
export function copiesRaw(options: GetOptions): boolean {
  return !options.filter && !options.context && !options.match && options.since === undefined && options.until === undefined
}

/** The stored bytes of the range (copiesRaw), block by block, as the job has them now. */
async function* historyBlocks(jobs: Jobs, options: GetOptions): AsyncGenerator<RawBlock> {
  const exists = await jobToRead(jobs, options)
  if (!exists || (options.tail ?? 1) <= 0 || (options.head ?? 1) <= 0) return
  yield* jobs.readRaw(options.job, {after: options.after, tail: options.tail, limit: options.head, signal: options.signal})
}

/**
 * The range of `options` as blocks of stored bytes, for an output that copies what it can
 * (render/plain-text.ts): consecutive entries, or the lines a filter a store can decide on
 * their bytes took (picksRaw); undefined for any other read (context, -n with a filter, -f).
 */
export function storedBlocks(jobs: Jobs, options: GetOptions): AsyncIterable<StoredBlock> | undefined {
  if (options.follow) return undefined
  if (copiesRaw(options)) return withEntries(jobs, options)
  if (picksRaw(options)) return matchedStored(jobs, options)
  return undefined
}

/** Blocks that read as their entries: those they were made of, else those of their range read again. */
async function* withEntries(jobs: Jobs, options: GetOptions): AsyncGenerator<StoredBlock> {
  for await (const {first, last, bytes, entries} of historyBlocks(jobs, options)) {
    const range = {after: first - 1, limit: last - first + 1, signal: options.signal}
    yield {first, last, bytes, entries: () => entries ?? jobs.read(options.job, range)}
  }
}

async function* getRaw(jobs: Jobs, options: GetOptions): AsyncGenerator<Buffer> {
  const {job, signal} = options
  let last = options.after ?? 0
  for await (const block of historyBlocks(jobs, options)) {
    last = block.last
    yield block.bytes
  }
  if (!options.follow || options.head !== undefined) return
  for await (const event of jobs.follow(job, {after: last, signal})) {
    if (event.type === 'entries') {
      if (event.entries.length > 0) yield rawChunk(event.entries)
    } else if (event.type === 'end') {
      options.onEnd?.(event.meta)
      return
    }
  }
}

/** True when `options.lines` alone picks the lines wanted, from the first on: a store may pick them on their bytes. */
function picksRaw(options: GetOptions): boolean {
  return options.lines !== undefined && !options.context && !options.follow && options.tail === undefined && options.seqRanges === undefined
}

/**
 * The lines `options.lines` takes, as blocks of their bytes: from a live store that picks
 * them on their bytes; from entries (getEntries, the block then carrying them) for a job
 * elsewhere (archived, continuing an archived run, a store without readRawMatching), and
 * for the rest of one moved to the archive during the read, after the last line written.
 */
async function* matchedBlocks(jobs: Jobs, options: GetOptions): AsyncGenerator<MatchedBlock & {entries?: LogEntry[]}> {
  const {job, since, until, head, signal} = options
  const live = jobs.live.readRawMatching ? await jobs.live.getJob(job) : undefined
  if (live?.location.kind === 'live' && continuedBase(live) === 0 && head !== 0) {
    let after = options.after
    let left = head ?? Number.POSITIVE_INFINITY
    let moved: boolean
    try {
      for await (const block of jobs.live.readRawMatching!(job, {after, since, until, limit: head, signal}, options.lines!)) {
        after = block.last
        left -= block.count
        yield block
      }
      moved = left > 0 && (await jobs.movedAway(job))
    } catch (error) {
      if (!(await jobs.movedAway(job))) throw error
      moved = true
    }
    if (!moved) return
    options = {...options, after, head: head === undefined ? undefined : left}
  }
  for await (const batch of getEntries(jobs, options)) {
    if (batch.length === 0) continue
    const partial = batch.some((entry) => !entry.eol)
    yield {first: batch[0].seq, last: batch.at(-1)!.seq, count: batch.length, bytes: rawChunk(batch), partial, entries: batch}
  }
}

async function* getRawMatching(jobs: Jobs, options: GetOptions): AsyncGenerator<Buffer> {
  for await (const block of matchedBlocks(jobs, options)) yield block.bytes
}

/** The lines a filter took (matchedBlocks) as blocks that read as their entries: those they were made of, else those the filter takes of their range, read again. */
async function* matchedStored(jobs: Jobs, options: GetOptions): AsyncGenerator<StoredBlock> {
  for await (const {first, last, bytes, partial, entries} of matchedBlocks(jobs, options)) {
    yield {first, last, bytes, partial, entries: () => entries ?? takenBetween(jobs, options, first, last)}
  }
}

/** The entries the filter of `options` takes from first..last. */
async function* takenBetween(jobs: Jobs, options: GetOptions, first: number, last: number): AsyncGenerator<LogEntry> {
  for await (const batch of getEntries(jobs, {...options, after: first - 1, head: undefined})) {
    for (const entry of batch) {
      if (entry.seq > last) return
      yield entry
    }
  }
}
