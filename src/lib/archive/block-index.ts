/**
 * The block index of a version-2 archive object (README, "Archive format"): a sidecar
 * object `<job>.jsonl.gz.idx` holding a JSON table of the object's blocks, a newline, then
 * the blocks' token filters one after another. The manifest gives the table's length, so
 * a reader fetches the table with one ranged read and the filters only for `--grep`.
 */
import type {Level} from '../level.js'

export const INDEX_FORMAT = 'logs-archive-index/1'

export interface BlockInfo {
  /** Byte offset and length of the block's gzip member in the object (all parts as one). */
  offset: number
  size: number
  /** Bytes of NDJSON the member holds. */
  bytes: number
  /** Entries in the block: firstSeq..lastSeq, every one (lines = lastSeq - firstSeq + 1). */
  lines: number
  firstSeq: number
  lastSeq: number
  /** Smallest and largest `ts` in the block (ts is when a line was read; not trusted to grow). */
  minTs: number
  maxTs: number
  /** Entries per level; entries without a level are not counted. */
  levels: Partial<Record<Level, number>>
  /** Names of the job's sections (`logs sections`) with a line in this block; absent when the job has none. */
  sections?: string[]
  /** Where the block's token filter lies in the filter section (after the table and its newline). */
  filter: {offset: number; size: number; kind: string}
}

export interface IndexTable {
  format: typeof INDEX_FORMAT
  id: string
  blocks: BlockInfo[]
}

export function encodeIndex(table: IndexTable, filters: Buffer[]): {data: Buffer; tableBytes: number} {
  const head = Buffer.from(JSON.stringify(table) + '\n')
  return {data: Buffer.concat([head, ...filters]), tableBytes: head.length}
}

/** The table, or why it cannot be trusted (then readers scan the object). */
export function decodeIndexTable(data: Buffer, expect: {id: string; size: number; lines: number}): IndexTable | string {
  let table: IndexTable
  try {
    table = JSON.parse(data.toString('utf8')) as IndexTable
  } catch (error) {
    return `its block index is not JSON (${(error as Error).message})`
  }
  if (table?.format !== INDEX_FORMAT || !Array.isArray(table.blocks)) return `its block index is not a ${INDEX_FORMAT} table`
  if (table.id !== expect.id) return `its block index is that of job ${JSON.stringify(table.id)}`
  let offset = 0
  let seq = 1
  for (const [n, block] of table.blocks.entries()) {
    if (block.offset !== offset || !(block.size > 0)) return `block ${n} of its index starts at byte ${block.offset}, the previous one ends at ${offset}`
    if (block.lines > 0 && (block.firstSeq !== seq || block.lastSeq - block.firstSeq + 1 !== block.lines)) {
      return `block ${n} of its index holds seq ${block.firstSeq}..${block.lastSeq} (${block.lines} lines), expected to start at ${seq}`
    }
    offset += block.size
    seq += block.lines
  }
  if (offset !== expect.size) return `its block index covers ${offset} bytes, the object has ${expect.size}`
  if (seq - 1 !== expect.lines) return `its block index counts ${seq - 1} lines, the manifest ${expect.lines}`
  return table
}
