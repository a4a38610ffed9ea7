/**
 * Writes a version-2 archive object (README, "Archive format"): the entries as NDJSON cut
 * into blocks of about BLOCK_BYTES, each compressed into its own gzip member, so the
 * object is still one gzip stream to `zcat` and each block can be read alone by range.
 *
 *   entries ─▶ record lines written straight into the block's bytes (stats, sha256)
 *   ─▶ gzip + token filter on worker threads (./block-compressor.ts; the block's memory
 *   moves to the worker, it is not copied), up to IN_FLIGHT blocks at once
 *   ─▶ members in order ─▶ the object stream
 *
 * Memory is about IN_FLIGHT blocks, whatever the size of the log. The block table and the
 * filters are ready when the stream has ended (`stats`).
 */
import {createHash} from 'node:crypto'
import {Readable} from 'node:stream'
import type {LogEntry} from '../entry.js'
import type {Section} from '../job.js'
import type {BlockInfo} from './block-index.js'
import {compressBlock, WORKERS, type CompressedBlock} from './block-compressor.js'
import {count, GZIP_LEVEL, recordLine, type ContentStats} from './format.js'
import {FILTER_KIND} from './token-filter.js'

/** NDJSON bytes per block: small enough that `--level error` fetches little around each error, large enough to keep the index small. */
export const BLOCK_BYTES = 512 * 1024
const IN_FLIGHT = 2 * WORKERS

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

interface PendingBlock {
  info: Omit<BlockInfo, 'offset' | 'size' | 'filter'>
  done: Promise<CompressedBlock>
}

export interface EncodeOptions {
  level?: number
  blockBytes?: number
  /** The job's sections, named in the index of each block they have a line in. */
  sections?: Section[]
}

export function encodeBlocks(entries: AsyncIterable<LogEntry | LogEntry[]>, options: EncodeOptions = {}): EncodedBlocks {
  let settle!: {resolve: (s: BlockStats) => void; reject: (e: unknown) => void}
  const stats = new Promise<BlockStats>((resolve, reject) => (settle = {resolve, reject}))
  stats.catch(() => undefined) // the stream reports the same error to whoever reads it
  const stream = Readable.from(members(entries, options, settle), {objectMode: false})
  return {stream, stats}
}

async function* members(
  entries: AsyncIterable<LogEntry | LogEntry[]>,
  options: EncodeOptions,
  settle: {resolve: (s: BlockStats) => void; reject: (e: unknown) => void},
): AsyncIterable<Buffer> {
  const {level = GZIP_LEVEL, blockBytes = BLOCK_BYTES, sections = []} = options
  const hash = createHash('sha256')
  const stats: BlockStats = {lines: 0, contentBytes: 0, sha256: '', rawBytes: 0, levels: {}, blocks: [], filters: []}
  const pending: PendingBlock[] = []
  let offset = 0
  let filterOffset = 0
  const bytes = new BlockBytes(blockBytes)
  let block: PendingBlock['info'] | undefined

  const seal = (): void => {
    const data = bytes.take()
    hash.update(data)
    stats.contentBytes += data.length
    const info = block ?? {bytes: 0, lines: 0, firstSeq: 0, lastSeq: 0, minTs: 0, maxTs: 0, levels: {}}
    info.bytes = data.length
    block = undefined
    const done = compressBlock(data, level)
    done.catch(() => undefined) // awaited in order below
    pending.push({info, done})
  }
  const emit = async (): Promise<Buffer> => {
    const next = pending.shift()!
    const {compressed, filter} = await next.done
    const info: BlockInfo = {...next.info, offset, size: compressed.length, filter: {offset: filterOffset, size: filter.length, kind: FILTER_KIND}}
    if (sections.length > 0) info.sections = sectionsIn(sections, info)
    stats.blocks.push(info)
    stats.filters.push(filter)
    offset += compressed.length
    filterOffset += filter.length
    return compressed
  }

  try {
    for await (const item of entries) {
      for (const entry of Array.isArray(item) ? item : [item]) {
        bytes.add(recordLine(entry))
        count(stats, entry)
        block = addTo(block, entry)
        if (bytes.length >= blockBytes) {
          seal()
          while (pending.length >= IN_FLIGHT) yield await emit()
        }
      }
    }
    // An empty job still gets one (empty) member: `zcat` of a zero-byte file fails.
    if (bytes.length > 0 || stats.blocks.length + pending.length === 0) seal()
    while (pending.length > 0) yield await emit()
  } catch (error) {
    settle.reject(error)
    throw error
  }
  stats.sha256 = hash.digest('hex')
  settle.resolve(stats)
}

/** Names of the sections with a line in the block, each once, in the job's order. */
function sectionsIn(sections: Section[], block: PendingBlock['info']): string[] {
  const names = sections.filter((s) => block.lines > 0 && s.firstSeq <= block.lastSeq && s.lastSeq >= block.firstSeq).map((s) => s.name)
  return [...new Set(names)]
}

function addTo(block: PendingBlock['info'] | undefined, entry: LogEntry): PendingBlock['info'] {
  if (!block) return {bytes: 0, lines: 1, firstSeq: entry.seq, lastSeq: entry.seq, minTs: entry.ts, maxTs: entry.ts, levels: entry.level ? {[entry.level]: 1} : {}}
  block.lines++
  block.lastSeq = entry.seq
  if (entry.ts < block.minTs) block.minTs = entry.ts
  if (entry.ts > block.maxTs) block.maxTs = entry.ts
  if (entry.level) block.levels[entry.level] = (block.levels[entry.level] ?? 0) + 1
  return block
}

/**
 * A block's NDJSON, encoded into one buffer as records arrive (no string of the whole
 * block, no copy). Each block gets a buffer of its own, which compressBlock hands over
 * to a worker thread.
 */
class BlockBytes {
  private buffer: Buffer
  length = 0

  constructor(private readonly blockBytes: number) {
    this.buffer = this.allocate(0)
  }

  add(record: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (this.length + record.length * 3 > this.buffer.length) {
      const bigger = this.allocate(this.length + record.length * 3)
      this.buffer.copy(bigger, 0, 0, this.length)
      this.buffer = bigger
    }
    this.length += this.buffer.write(record, this.length)
  }

  /** The block's bytes; the next block starts in a new buffer. */
  take(): Buffer {
    const data = this.buffer.subarray(0, this.length)
    this.buffer = this.allocate(0)
    this.length = 0
    return data
  }

  /** Never from Node's shared pool: the buffer's memory is transferred to a worker. */
  private allocate(atLeast: number): Buffer {
    return Buffer.allocUnsafeSlow(Math.max(atLeast, this.blockBytes + 64 * 1024))
  }
}
