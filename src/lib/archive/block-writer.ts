/**
 * Writes a version-2 archive object (README, "Archive format"): the entries as NDJSON cut
 * into blocks of about BLOCK_BYTES, each compressed into its own zstd frame, so the
 * object is one zstd stream to `zstdcat` and each block can be read alone by range.
 *
 *   stored entries ─▶ record lines, on worker threads (./worker-tasks.ts encodeStored)
 *   (or entries ───▶ record lines here, ./record-chunk.ts), up to AHEAD runs at once
 *   ─▶ in order, cut into blocks here (sha256, block table, stats: no entry objects)
 *   ─▶ zstd + token filter on worker threads (compressBlock), up to IN_FLIGHT blocks
 *   ─▶ frames in order ─▶ the object stream
 *
 * Memory moves between threads, it is not copied, but for the one copy of the record lines
 * into their block. Memory is about AHEAD runs and IN_FLIGHT blocks, whatever the size of
 * the log. The block table and the filters are ready when the stream has ended (`stats`).
 */
import {createHash} from 'node:crypto'
import {Readable} from 'node:stream'
import type {LogEntry} from '../entry.js'
import type {Section} from '../job.js'
import {isStored} from '../store/stored-layout.js'
import type {ArchiveItem} from '../store/types.js'
import {BlockBytes} from './block-bytes.js'
import type {BlockInfo} from './block-index.js'
import type {CopiedBlock} from './block-copy.js'
import type {Level} from '../level.js'
import {ArchiveIntegrityError} from '../errors/index.js'
import {type ContentStats} from './format.js'
import {ZSTD_LEVEL} from './block-codec.js'
import {encodeRecords, levelAt, type RecordChunk} from './record-chunk.js'
import {FILTER_KIND} from './token-filter.js'
import {compressBlock, encodeStored, type CompressedBlock} from './worker-tasks.js'
import {WORKERS} from './worker-pool.js'

/** NDJSON bytes per block: small enough that `--level error` fetches little around each error, large enough to keep the index small. */
export const BLOCK_BYTES = 512 * 1024
const IN_FLIGHT = 2 * WORKERS
/** Runs of entries being turned into record lines ahead of the block being cut. */
const AHEAD = 2 * WORKERS
/** Entries given one by one are encoded in runs of this many. */
const RUN = 4096

export interface BlockStats extends ContentStats {
  blocks: BlockInfo[]
  filters: Buffer[]
}

export interface EncodedBlocks {
  /** The object's bytes; errors of the entry source surface here. */
  stream: Readable
  /** Resolves once the stream has ended. */
  stats: Promise<BlockStats>
}

type Info = Omit<BlockInfo, 'offset' | 'size' | 'filter'>

interface PendingBlock {
  info: Info
  done: Promise<CompressedBlock>
}

export interface EncodeOptions {
  level?: number
  blockBytes?: number
  /** The job's sections, named in the index of each block they have a line in. */
  sections?: Section[]
  /** Blocks stored already (an archived run the entries continue, ./block-copy.ts): written first, as they are. */
  copied?: AsyncIterable<CopiedBlock>
  /** The job's lines 1..N the entries must be: otherwise the stream fails (ArchiveIntegrityError) rather than ends, so a write of it is abandoned. */
  expect?: {id: string; lines: number}
}

export function encodeBlocks(entries: AsyncIterable<ArchiveItem>, options: EncodeOptions = {}): EncodedBlocks {
  let settle!: {resolve: (s: BlockStats) => void; reject: (e: unknown) => void}
  const stats = new Promise<BlockStats>((resolve, reject) => (settle = {resolve, reject}))
  stats.catch(() => undefined) // the stream reports the same error to whoever reads it
  const stream = Readable.from(members(entries, options, settle), {objectMode: false})
  return {stream, stats}
}

async function* members(
  entries: AsyncIterable<ArchiveItem>,
  options: EncodeOptions,
  settle: {resolve: (s: BlockStats) => void; reject: (e: unknown) => void},
): AsyncIterable<Buffer> {
  const {level = ZSTD_LEVEL, blockBytes = BLOCK_BYTES, sections = []} = options
  const hash = createHash('sha256')
  const stats: BlockStats = {lines: 0, contentBytes: 0, sha256: '', rawBytes: 0, levels: {}, blocks: [], filters: []}
  const pending: PendingBlock[] = []
  let offset = 0
  let filterOffset = 0
  const bytes = new BlockBytes(blockBytes)
  let block: Info | undefined
  /** Where the block's records' line values start and end (pairs), for its filter. */
  let values = new Uint32Array(8192)
  let valueCount = 0

  const seal = (): void => {
    const data = bytes.take()
    hash.update(data)
    stats.contentBytes += data.length
    const info = block ?? {bytes: 0, lines: 0, firstSeq: 0, lastSeq: 0, minTs: 0, maxTs: 0, levels: {}}
    info.bytes = data.length
    block = undefined
    const done = compressBlock(data, level, values.slice(0, valueCount))
    valueCount = 0
    done.catch(() => undefined) // awaited in order below
    pending.push({info, done})
  }
  const emit = async (): Promise<Buffer> => {
    const next = pending.shift()!
    const {compressed, filter, spare} = await next.done
    bytes.recycle(spare)
    const info: BlockInfo = {...next.info, offset, size: compressed.length, filter: {offset: filterOffset, size: filter.length, kind: FILTER_KIND}}
    if (sections.length > 0) info.sections = sectionsIn(sections, info)
    stats.blocks.push(info)
    stats.filters.push(filter)
    offset += compressed.length
    filterOffset += filter.length
    return compressed
  }

  try {
    for await (const block of options.copied ?? []) {
      hash.update(block.ndjson)
      stats.contentBytes += block.ndjson.length
      const info: BlockInfo = {...block.info, offset, size: block.compressed.length, filter: {...block.info.filter, offset: filterOffset}}
      stats.blocks.push(info)
      stats.filters.push(block.filter)
      countCopied(stats, info)
      offset += block.compressed.length
      filterOffset += block.filter.length
      yield block.compressed
    }
    const spares = new SpareRecords()
    for await (const chunk of recordChunks(entries, spares)) {
      stats.rawBytes += chunk.rawBytes
      const n = chunk.ends.length
      for (let first = 0; first < n;) {
        // The block ends with the first record that brings it to blockBytes or more.
        const start = first === 0 ? 0 : chunk.ends[first - 1]
        const wanted = start + blockBytes - bytes.length
        let last = first
        while (last < n - 1 && chunk.ends[last] < wanted) last++
        if (valueCount + 2 * (last - first + 1) > values.length) {
          const grown = new Uint32Array(2 * (valueCount + 2 * (last - first + 1)))
          grown.set(values.subarray(0, valueCount))
          values = grown
        }
        const shift = bytes.length - start
        for (let i = first; i <= last; i++) {
          values[valueCount++] = chunk.values[i] + shift
          values[valueCount++] = chunk.ends[i] - 3 + shift
        }
        bytes.addBytes(chunk.data, start, chunk.ends[last])
        block = addTo(block, stats, chunk, first, last)
        first = last + 1
        if (bytes.length >= blockBytes) {
          seal()
          while (pending.length >= IN_FLIGHT) yield await emit()
        }
      }
      spares.recycle(chunk)
    }
    // An empty job still gets one (empty) frame: `zstdcat` of a zero-byte file fails.
    if (bytes.length > 0 || stats.blocks.length + pending.length === 0) seal()
    while (pending.length > 0) yield await emit()
    if (options.expect) checkLines(options.expect, stats)
  } catch (error) {
    settle.reject(error)
    throw error
  }
  stats.sha256 = hash.digest('hex')
  settle.resolve(stats)
}

/** Buffers of record lines done with, each filled again by a later run (a buffer not allocated is one less for a thread's GC to free, ./block-bytes.ts). */
class SpareRecords {
  private readonly buffers: ArrayBuffer[] = []

  /** None of `chunk.data` may be used afterwards. */
  recycle(chunk: RecordChunk): void {
    if (this.buffers.length < AHEAD) this.buffers.push(chunk.data.buffer as ArrayBuffer)
  }

  take(): ArrayBuffer | undefined {
    return this.buffers.pop()
  }
}

/** The items as record lines, in order, with up to AHEAD runs being encoded at once. */
async function* recordChunks(items: AsyncIterable<ArchiveItem>, spares: SpareRecords): AsyncIterable<RecordChunk> {
  const queue: Promise<RecordChunk>[] = []
  const add = (chunk: Promise<RecordChunk>): void => {
    chunk.catch(() => undefined) // awaited in order below
    queue.push(chunk)
  }
  let run: LogEntry[] = []
  for await (const item of items) {
    // Entries held for a run go before a batch that follows them (an unindexed archived run's entries, then the live batches).
    if ((isStored(item) || Array.isArray(item)) && run.length > 0) {
      add(Promise.resolve(encodeRecords(run, spares.take())))
      run = []
    }
    if (isStored(item)) add(encodeStored(item, spares.take()))
    else if (Array.isArray(item)) add(Promise.resolve(encodeRecords(item, spares.take())))
    else if (run.push(item) >= RUN) {
      add(Promise.resolve(encodeRecords(run, spares.take())))
      run = []
    }
    while (queue.length >= AHEAD) yield await queue.shift()!
  }
  if (run.length > 0) add(Promise.resolve(encodeRecords(run, spares.take())))
  while (queue.length > 0) yield await queue.shift()!
}

/** Names of the sections with a line in the block, each once, in the job's order. */
function sectionsIn(sections: Section[], block: Info): string[] {
  const names = sections.filter((s) => block.lines > 0 && s.firstSeq <= block.lastSeq && s.lastSeq >= block.firstSeq).map((s) => s.name)
  return [...new Set(names)]
}

/** A copied block counted into the job's stats (rawBytes, which its index does not give, is left out). */
function countCopied(stats: ContentStats, info: BlockInfo): void {
  if (info.lines === 0) return
  for (const [level, count] of Object.entries(info.levels) as Array<[Level, number]>) stats.levels[level] = (stats.levels[level] ?? 0) + count
  stats.lines += info.lines
  stats.firstSeq ??= info.firstSeq
  stats.lastSeq = info.lastSeq
  stats.firstTs ??= info.minTs
  stats.lastTs = info.maxTs
}

/** Records first..last of a chunk counted into the block (a new one when undefined) and the job's stats. */
function addTo(block: Info | undefined, stats: ContentStats, chunk: RecordChunk, first: number, last: number): Info {
  const {seqs, ts} = chunk
  const info = block ?? {bytes: 0, lines: 0, firstSeq: seqs[first], lastSeq: seqs[first], minTs: ts[first], maxTs: ts[first], levels: {}}
  for (let i = first; i <= last; i++) {
    info.lines++
    info.lastSeq = seqs[i]
    if (ts[i] < info.minTs) info.minTs = ts[i]
    if (ts[i] > info.maxTs) info.maxTs = ts[i]
    const level = levelAt(chunk, i)
    if (level) {
      info.levels[level] = (info.levels[level] ?? 0) + 1
      stats.levels[level] = (stats.levels[level] ?? 0) + 1
    }
  }
  stats.lines += last - first + 1
  stats.firstSeq ??= seqs[first]
  stats.lastSeq = seqs[last]
  stats.firstTs ??= ts[first]
  stats.lastTs = ts[last]
  return info
}

function checkLines({id, lines}: {id: string; lines: number}, stats: ContentStats): void {
  if (stats.lines === lines && (lines === 0 || (stats.firstSeq === 1 && stats.lastSeq === lines))) return
  throw new ArchiveIntegrityError(id, `the live store gave ${stats.lines} entries (seq ${stats.firstSeq ?? '-'}..${stats.lastSeq ?? '-'}), its metadata counts ${lines}`)
}
