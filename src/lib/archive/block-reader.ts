/**
 * Reads a version-2 archive object through its block index: one ranged read for the
 * table, then only the blocks a ReadRange needs — by seq (`--after`, `-n`, `--head`), by
 * time (`--since/--until`), by level counts (`--level`) and, for `--grep`, by the blocks'
 * token filters, by seq ranges (`--section`). Neighbouring blocks are fetched with one
 * ranged read (./block-runs.ts: runs of at most 2 MiB of NDJSON), CONCURRENCY runs at a
 * time, and given out in order: at most CONCURRENCY runs are in memory (16 MiB of NDJSON),
 * whatever the size of the job.
 *
 * A block that cannot be read (corrupt, truncated) is made up for by the blocks beyond it
 * (-n N, --head N) and named at the end (ArchiveReadError) after every other entry was
 * given, or at once to `range.onUnreadable`; an index that disagrees with the data it describes
 * is reported through `onWarning` and the object is scanned instead, after the last entry given. Before either is
 * reported, `recheck` looks at the job's manifest again: the job may have been deleted or
 * archived again since the read's manifest was read (blob-archive.ts).
 */
import {batched} from '../batched.js'
import type {LogEntry} from '../entry.js'
import {ArchiveReadError, ObjectStoreError, type UnreadableBlock} from '../errors/index.js'
import type {Pattern} from '../pattern.js'
import {readBytes, type ObjectBucket} from '../store/object/bucket.js'
import {requiredLiteral} from '../required-literal.js'
import {remainingRange} from '../store/remaining-range.js'
import type {ReadRange} from '../store/types.js'
import {decodeIndexTable, type BlockInfo} from './block-index.js'
import {lineTextOf, parseRecord, seqOf} from './format.js'
import type {Manifest} from './manifest.js'
import {inRange} from './range.js'
import {readAhead, type Span} from './read-ahead.js'
import {runsOf} from './block-runs.js'
import {objectSpan} from './object-span.js'
import type {RecentSpans} from './recent-spans.js'
import {canTest, mayContain} from './token-filter.js'
import {inflateBlock} from './block-codec.js'
import {IndexMismatch, recordLines} from './block-lines.js'

/** Runs fetched at once: a read of many blocks waits on round trips to the store (25 ms each to a bucket some way off), which this many overlap. */
const CONCURRENCY = 8

export interface IndexedRead {
  bucket: ObjectBucket
  manifest: Manifest & {index: NonNullable<Manifest['index']>}
  range: ReadRange
  /** Reads the object from the start, for when the index cannot be trusted. */
  scan: (range: ReadRange) => AsyncIterable<LogEntry>
  /** Spans of this snapshot of the job fetched by earlier reads of the command, and where this read's go (./recent-spans.ts). */
  recent?: RecentSpans
  /**
   * Called before a missing or disagreeing object is reported: throws when the manifest
   * read has gone stale (the job was deleted or archived again), else returns.
   */
  recheck?: () => Promise<void>
}

/** The entries of the range, a batch per block read (or the scan's, in batches). */
export async function* readIndexed({bucket, manifest, range, scan, recent, recheck = async () => undefined}: IndexedRead): AsyncIterable<LogEntry[]> {
  const {id, index} = manifest
  const warn = (why: string): void => range.onWarning?.(`job ${id}: ${why}; reading the whole archived object instead`)
  if ((range.limit !== undefined && range.limit <= 0) || (range.tail !== undefined && range.tail <= 0)) return
  const levels = range.levels && new Set<string>(range.levels)
  if (range.seqRanges) range = {...range, seqRanges: merged(range.seqRanges)}
  // Like the scan's `match`: a hint for whole reads, not for tail or limit.
  const pattern = range.tail === undefined && range.limit === undefined ? range.match : undefined
  const literal = pattern && jsonLiteral(pattern)
  const reader = new BlockReader(bucket, manifest.parts, {range, levels, literal, pattern}, recent)
  // The blocks at the end (-n) or the start (--head) are fetched beside the index (./read-ahead.ts).
  const ahead = readAhead(manifest, range)
  if (ahead) reader.readAhead(ahead)
  let head = recent?.get(index.key, 0, index.tableBytes)
  if (!head) {
    head = await readBytes(bucket, index.key, {offset: 0, length: index.tableBytes})
    if (head?.length === index.tableBytes) recent?.put(index.key, 0, head)
  }
  const table = head ? decodeIndexTable(head, {id, size: manifest.size, lines: manifest.lines}) : `its block index ${bucket.urlOf(index.key)} is missing`
  if (typeof table === 'string') {
    await recheck()
    warn(table)
    yield* batched(scan(range))
    return
  }
  let blocks = table.blocks.filter((block) => wanted(block, range, levels))
  if (literal && blocks.length > 0) blocks = await filtered(bucket, index, blocks, literal)
  // Without filters the index knows how many entries each block gives: blocks are fetched no
  // more than needed, and more when one of them could not be read (batches() below).
  const counted = range.since === undefined && range.until === undefined && !levels

  const failures: Array<{n: number; block: UnreadableBlock}> = []
  const failed = (block: BlockInfo, error: unknown): void => {
    const failure = describe(table.blocks.indexOf(block), block, error)
    if (range.onUnreadable) range.onUnreadable(new ArchiveReadError(id, [failure.block.what], [failure.block]))
    else failures.push(failure)
  }
  // What was given before the index turned out wrong: the scan then goes on after it.
  let emitted = 0
  let lastGiven: number | undefined
  try {
    if (range.tail === undefined) {
      const left = counted && range.limit !== undefined ? () => range.limit! - emitted : undefined
      for await (const {block, result} of batches(reader, blocks, range, left)) {
        range.signal?.throwIfAborted()
        if ('error' in result) {
          await recheck()
          failed(block, result.error)
          continue
        }
        const taken = reader.entries(block, result.data, range.limit === undefined ? undefined : range.limit - emitted)
        emitted += taken.length
        if (taken.length > 0) {
          lastGiven = taken.at(-1)!.seq
          yield taken
        }
        if (emitted === range.limit) break
      }
    } else {
      const picked: LogEntry[][] = []
      let count = 0
      const tail = range.tail
      for await (const {block, result} of batches(reader, [...blocks].reverse(), range, counted ? () => tail - count : undefined)) {
        range.signal?.throwIfAborted()
        if ('error' in result) {
          await recheck()
          failed(block, result.error)
          continue
        }
        const entries = reader.entries(block, result.data)
        picked.unshift(entries)
        count += entries.length
        if (count >= tail) break
      }
      const last = picked.flat().slice(-tail)
      const taken = range.limit === undefined ? last : last.slice(0, range.limit)
      if (taken.length > 0) yield taken
    }
  } catch (error) {
    if (!(error instanceof IndexMismatch)) throw error
    await recheck()
    warn(error.message)
    yield* batched(scan(remainingRange(range, lastGiven, emitted)))
    return
  }
  if (failures.length > 0) {
    const blocks = failures.sort((a, b) => a.n - b.n).map((f) => f.block)
    throw new ArchiveReadError(
      id,
      blocks.map((b) => b.what),
      blocks,
    )
  }
}

function wanted(block: BlockInfo, range: ReadRange, levels: Set<string> | undefined): boolean {
  if (block.lines === 0) return false
  if (range.after !== undefined && block.lastSeq <= range.after) return false
  if (range.before !== undefined && block.firstSeq >= range.before) return false
  if (range.since !== undefined && block.maxTs < range.since) return false
  if (range.until !== undefined && block.minTs >= range.until) return false
  if (levels && !Object.entries(block.levels).some(([level, n]) => (n ?? 0) > 0 && levels.has(level))) return false
  if (range.seqRanges && !range.seqRanges.some(([first, last]) => first <= block.lastSeq && last >= block.firstSeq)) return false
  return true
}

/** The first blocks of `blocks` that hold at least `wanted` entries of the seq range. */
function enough(blocks: BlockInfo[], wanted: number, range: ReadRange): BlockInfo[] {
  let count = 0
  for (const [n, block] of blocks.entries()) {
    const first = Math.max(block.firstSeq, (range.after ?? 0) + 1)
    const last = Math.min(block.lastSeq, (range.before ?? Number.POSITIVE_INFINITY) - 1)
    for (const [from, to] of range.seqRanges ?? [[first, last]]) count += Math.max(0, Math.min(last, to) - Math.max(first, from) + 1)
    if (count >= wanted) return blocks.slice(0, n + 1)
  }
  return blocks
}

/** Inclusive seq ranges sorted and merged where they overlap (nested sections), so that none is counted twice. */
function merged(ranges: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const [first, last] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const previous = out.at(-1)
    if (previous && first <= previous[1] + 1) previous[1] = Math.max(previous[1], last)
    else out.push([first, last])
  }
  return out
}

function inSeqRanges(seq: number, ranges: Array<[number, number]>): boolean {
  return ranges.some(([first, last]) => seq >= first && seq <= last)
}

/** The pattern's required literal as it appears in a record line (JSON-escaped), if it has one. */
export function jsonLiteral(pattern: Pattern): Buffer | undefined {
  const literal = requiredLiteral(pattern)
  return literal && Buffer.from(JSON.stringify(literal.toString('utf8')).slice(1, -1), 'utf8')
}

/** Drops the blocks whose token filter proves the literal absent (one ranged read for the filters that can say so). */
async function filtered(bucket: ObjectBucket, index: IndexedRead['manifest']['index'], blocks: BlockInfo[], literal: Buffer): Promise<BlockInfo[]> {
  const testable = new Set(blocks.filter((b) => canTest(b.filter.kind, literal)))
  let start = Infinity
  let end = -Infinity
  for (const {filter} of testable) {
    start = Math.min(start, filter.offset)
    end = Math.max(end, filter.offset + filter.size)
  }
  if (end <= start) return blocks
  const filters = await readBytes(bucket, index.key, {offset: index.tableBytes + start, length: end - start})
  if (!filters || filters.length !== end - start) return blocks
  return blocks.filter((b) => !testable.has(b) || mayContain(filters.subarray(b.filter.offset - start, b.filter.offset - start + b.filter.size), literal, b.filter.kind))
}

type Fetched = {data: Buffer} | {error: unknown}

/** Fetches and decompresses blocks and turns their bytes into the entries of the range. */
class BlockReader {
  private ahead: Promise<{offset: number; data: Buffer} | undefined> | undefined

  constructor(
    private readonly bucket: ObjectBucket,
    private readonly parts: Array<{key: string; size: number}>,
    private readonly want: {range: ReadRange; levels?: Set<string>; literal?: Buffer; pattern?: Pattern},
    private readonly recent?: RecentSpans,
  ) {}

  /** Starts reading a span whose blocks fetch() then takes from memory; a span that fails or comes short is read again block by block. */
  readAhead({offset, length}: Span): void {
    this.ahead = this.bytes(offset, length).then(
      (data) => ({offset, data}),
      () => undefined,
    )
  }

  /**
   * A run of neighbouring blocks (./block-runs.ts) with one read, each block then
   * decompressed alone; a run whose bytes cannot all be read is fetched block by block, so
   * that each block that cannot be read is named.
   */
  async fetchRun(run: BlockInfo[]): Promise<Fetched[]> {
    if (run.length === 1) return [await this.fetch(run[0])]
    const start = Math.min(...run.map((b) => b.offset))
    const end = Math.max(...run.map((b) => b.offset + b.size))
    let compressed: Buffer
    try {
      compressed = await this.compressed(start, end - start)
    } catch (error) {
      if (storeDown(error)) throw error
      return Promise.all(run.map((block) => this.fetch(block)))
    }
    return Promise.all(run.map((block) => this.inflate(compressed.subarray(block.offset - start, block.offset - start + block.size), block)))
  }

  async fetch(block: BlockInfo): Promise<Fetched> {
    try {
      return await this.inflate(await this.compressed(block.offset, block.size), block)
    } catch (error) {
      if (storeDown(error)) throw error
      return {error}
    }
  }

  private async inflate(compressed: Buffer, block: BlockInfo): Promise<Fetched> {
    try {
      return {data: await inflateBlock(compressed, block.bytes)}
    } catch (error) {
      return {error}
    }
  }

  /** Bytes [offset, offset + length) of the object: from what was read ahead when it holds them all. */
  private async compressed(offset: number, length: number): Promise<Buffer> {
    const ahead = await this.ahead
    if (ahead && offset >= ahead.offset && offset + length <= ahead.offset + ahead.data.length) return ahead.data.subarray(offset - ahead.offset, offset - ahead.offset + length)
    const object = this.parts[0]?.key ?? ''
    const kept = this.recent?.get(object, offset, length)
    if (kept) return kept
    const data = await this.span(offset, length)
    this.recent?.put(object, offset, data)
    return data
  }

  /** Bytes [offset, offset + length) of the object, across its parts. */
  private async span(offset: number, length: number): Promise<Buffer> {
    const data = await this.bytes(offset, length)
    if (data.length !== length) throw new Error(`only ${data.length} of its ${length} bytes are stored (truncated object)`)
    return data
  }

  /** What the object holds of bytes [offset, offset + length): fewer at the end of a truncated one. */
  private bytes(offset: number, length: number): Promise<Buffer> {
    return objectSpan(this.bucket, this.parts, offset, length)
  }

  /** The block's entries of the range, the first `max` of them: a page of a big block decodes the page alone. */
  entries(block: BlockInfo, data: Buffer, max = Number.POSITIVE_INFINITY): LogEntry[] {
    if (data.length !== block.bytes) throw new IndexMismatch(`block seq ${block.firstSeq}..${block.lastSeq} holds ${data.length} bytes, its index says ${block.bytes}`)
    const {range, levels, literal, pattern} = this.want
    const lines = recordLines(data, block, {literal, levels})
    // A block whose seqs are all in range needs no line's seq read before it is parsed.
    const bySeq = (range.after !== undefined && block.firstSeq <= range.after) || (range.before !== undefined && block.lastSeq >= range.before) || range.seqRanges !== undefined
    const out: LogEntry[] = []
    for (const line of lines) {
      const seq = bySeq ? seqOf(line) : undefined
      if (seq !== undefined && ((range.after !== undefined && seq <= range.after) || (range.before !== undefined && seq >= range.before))) continue
      if (seq !== undefined && range.seqRanges && !inSeqRanges(seq, range.seqRanges)) continue
      if (pattern) {
        const text = lineTextOf(line)
        if (text !== undefined && !pattern.test(text)) continue
      }
      const entry = parseRecord(line)
      if (!inRange(entry, range)) continue
      if (levels && !(entry.level && levels.has(entry.level))) continue
      if (out.push(entry) === max) break
    }
    return out
  }
}

function describe(n: number, block: BlockInfo, error: unknown): {n: number; block: UnreadableBlock} {
  const what = `block ${n} (bytes ${block.offset}..${block.offset + block.size - 1}, seq ${block.firstSeq}..${block.lastSeq}) could not be read: ${(error as Error).message ?? String(error)}`
  return {n, block: {what, firstSeq: block.firstSeq, lastSeq: block.lastSeq}}
}

/** A store that is down or refuses us: not a damaged block, the read fails. */
function storeDown(error: unknown): boolean {
  return error instanceof ObjectStoreError && ['unavailable', 'unauthorized'].includes(error.kind)
}

/**
 * The blocks in the order given with what fetching each gave. With `left` (how many entries
 * of the range are still wanted), a batch at a time: the first blocks the index counts
 * enough for what is left, then, when fewer came (a block could not be read), enough of the
 * next ones to make up for it. Without, all of them.
 */
async function* batches(reader: BlockReader, blocks: BlockInfo[], range: ReadRange, left?: () => number): AsyncIterable<{block: BlockInfo; result: Fetched}> {
  if (!left) {
    yield* fetched(reader, blocks)
    return
  }
  for (let rest = blocks; rest.length > 0 && left() > 0;) {
    const batch = enough(rest, left(), range)
    rest = rest.slice(batch.length)
    yield* fetched(reader, batch)
  }
}

/** The blocks, in the order given, with what fetching each gave: neighbours fetched together (./block-runs.ts). */
async function* fetched(reader: BlockReader, blocks: BlockInfo[]): AsyncIterable<{block: BlockInfo; result: Fetched}> {
  for await (const {block: run, result} of inOrder(runsOf(blocks), (run) => reader.fetchRun(run))) {
    for (const [n, block] of run.entries()) yield {block, result: result[n]}
  }
}

/** fn over items, CONCURRENCY at a time, results in the items' order; rejects only where fn does (a store that is down). */
async function* inOrder<T, R>(items: T[], fn: (item: T) => Promise<R>): AsyncIterable<{block: T; result: R}> {
  const running: Array<Promise<{block: T; result: R}>> = []
  let next = 0
  const start = (): void => {
    const item = items[next++]
    const settled = fn(item).then((result) => ({block: item, result}))
    settled.catch(() => undefined)
    running.push(settled)
  }
  while (next < items.length && running.length < CONCURRENCY) start()
  while (running.length > 0) {
    const done = await running.shift()!
    if (next < items.length) start()
    yield done
  }
}
