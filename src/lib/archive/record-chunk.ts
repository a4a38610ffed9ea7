/**
 * A run of entries as record lines (format.ts recordLine, the one encoder) in one buffer,
 * with what the block writer (./block-writer.ts) needs to cut them into blocks and index
 * those without the entries: each record's end, seq, ts and level. Made on a worker thread
 * from the live store's stored entries (./worker-tasks.ts), or on the main thread from
 * entries; its arrays travel between threads by transfer.
 */
import type {LogEntry} from '../entry.js'
import {levelCode, levelOfCode, type Level} from '../level.js'
import {BlockBytes} from './block-bytes.js'
import {recordLine, rawLength} from './format.js'

export interface RecordChunk {
  /** The record lines, newlines included. */
  data: Buffer
  /** Per record: where it ends in `data` (exclusive), where its line value starts (after `"line":"`; it ends 3 bytes before the record), its seq, ts, and level (0: none, else 1 + its index in LEVELS). */
  ends: Uint32Array
  values: Uint32Array
  seqs: Float64Array
  ts: Float64Array
  levels: Uint8Array
  /** Bytes of the original lines (what `--output raw` prints). */
  rawBytes: number
}

/** The entries' record lines; `spare`: a buffer to write them into if it is big enough (the lines of an earlier chunk, done with). */
export function encodeRecords(entries: LogEntry[], spare?: ArrayBuffer): RecordChunk {
  const n = entries.length
  const out = new BlockBytes(n * 192)
  if (spare) out.recycle(spare)
  const chunk = {ends: new Uint32Array(n), values: new Uint32Array(n), seqs: new Float64Array(n), ts: new Float64Array(n), levels: new Uint8Array(n), rawBytes: 0}
  for (let i = 0; i < n; i++) {
    const entry = entries[i]
    out.add(recordLine(entry))
    chunk.ends[i] = out.length
    chunk.seqs[i] = entry.seq
    chunk.ts[i] = entry.ts
    chunk.levels[i] = levelCode(entry.level)
    chunk.rawBytes += rawLength(entry)
  }
  const data = out.take()
  // The record's first `"line":"` is its key: the fields before it cannot hold one.
  for (let i = 0; i < n; i++) chunk.values[i] = data.indexOf(LINE_KEY, i === 0 ? 0 : chunk.ends[i - 1]) + LINE_KEY.length
  return {...chunk, data}
}

const LINE_KEY = Buffer.from('"line":"')

/** The chunk's level of record i, as a name. */
export function levelAt(chunk: RecordChunk, i: number): Level | undefined {
  return levelOfCode(chunk.levels[i])
}
