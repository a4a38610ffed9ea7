/**
 * The job index file (`idx`): one fixed-size record per entry, so entry N is at byte
 * (N-1) × RECORD_SIZE — "after N", "last N" and time bisection need no scan.
 *
 *   0  f64  offset of the entry's bytes in `log`
 *   8  f64  ts (ms since epoch)
 *  16  u32  length of the bytes (without the newline)
 *  20  u8   level (0 = unknown, 1 + index in LEVELS)
 *  21  u8   stream (0 unknown, 1 stdout, 2 stderr)
 *  22  u8   flags (bit 0: followed by a newline in `log`; bit 1: starts a multi-line record; bit 2: continues one)
 *  23  u8   secrets masked in the entry at capture (at most 255: a spool's count on its way to the job)
 */
import {levelCode, levelOfCode, type Level} from '../../level.js'
import type {RecordMark, Stream} from '../../entry.js'
import {EOL_FLAG, RECORD_CONTINUATION_FLAG, RECORD_START_FLAG} from '../../line-batch.js'

export const RECORD_SIZE = 24
/** Where each field is in a record, for readers that take only some of them (the archive's record encoder). */
export const FIELD_AT = {offset: 0, ts: 8, length: 16, level: 20, stream: 21, flags: 22, masked: 23} as const
const FLAGS_AT = FIELD_AT.flags

export interface IndexRecord {
  offset: number
  ts: number
  length: number
  level?: Level
  stream?: Stream
  eol: boolean
  masked?: number
  record?: RecordMark
}

export const STREAMS: (Stream | undefined)[] = [undefined, 'stdout', 'stderr']
export const RECORD_MARKS: (RecordMark | undefined)[] = [undefined, 'start', 'continuation', undefined]

const STREAM_CODES: Record<string, number> = {stdout: 1, stderr: 2}

export function writeRecord(target: Buffer, at: number, record: IndexRecord): void {
  writeRecordFields(
    new DataView(target.buffer, target.byteOffset, target.length),
    at,
    record.offset,
    record.ts,
    record.length,
    levelCode(record.level),
    record.stream,
    record.eol,
    record.masked,
    record.record,
  )
}

/** writeRecord without a record object: what an append writes for each entry of a batch, into one view of the batch's records. */
export function writeRecordFields(
  target: DataView,
  at: number,
  offset: number,
  ts: number,
  length: number,
  level: number,
  stream: Stream | undefined,
  eol: boolean,
  masked: number | undefined,
  record?: RecordMark,
): void {
  const mark = record === 'start' ? RECORD_START_FLAG : record === 'continuation' ? RECORD_CONTINUATION_FLAG : 0
  writeRecordCodes(target, at, offset, ts, length, level, streamCode(stream), (eol ? EOL_FLAG : 0) | mark, masked)
}

/** writeRecordFields with the stream, flags and level as the record keeps them (the flags are line-batch.ts's, which its columns hold). */
export function writeRecordCodes(
  target: DataView,
  at: number,
  offset: number,
  ts: number,
  length: number,
  level: number,
  stream: number,
  flags: number,
  masked: number | undefined,
): void {
  target.setFloat64(at, offset, true)
  target.setFloat64(at + 8, ts, true)
  target.setUint32(at + 16, length, true)
  target.setUint8(at + 20, level)
  target.setUint8(at + 21, stream)
  target.setUint8(at + FLAGS_AT, flags)
  target.setUint8(at + 23, masked ? Math.min(masked, 255) : 0)
}

export function streamCode(stream: Stream | undefined): number {
  return stream ? STREAM_CODES[stream] : 0
}

export function readRecord(source: Buffer, at: number): IndexRecord {
  const level = source[at + 20]
  return {
    offset: source.readDoubleLE(at),
    ts: source.readDoubleLE(at + 8),
    length: source.readUInt32LE(at + 16),
    level: levelOfCode(level),
    stream: STREAMS[source[at + 21]],
    eol: eolBit(source[at + FLAGS_AT]) === 1,
    masked: source[at + 23] || undefined,
    record: RECORD_MARKS[markCode(source[at + FLAGS_AT])],
  }
}

/** Where the next entry's bytes start in `log`. */
export function recordEnd(record: IndexRecord): number {
  return record.offset + record.length + (record.eol ? 1 : 0)
}

/** Bit 0 of a record's flags: 1 when a newline follows the entry in `log`. */
export function eolBit(flags: number): number {
  return flags & EOL_FLAG
}

/** A record's mark from its flags, as RECORD_MARKS numbers it: 0 none, 1 start, 2 continuation. */
export function markCode(flags: number): number {
  const code = (flags >> 1) & 3
  return code === 3 ? 0 : code
}

/** recordEnd of the record at byte `at` of a buffer of records, without decoding the rest of it. */
export function recordEndAt(source: Buffer, at: number): number {
  return source.readDoubleLE(at + FIELD_AT.offset) + source.readUInt32LE(at + FIELD_AT.length) + eolBit(source[at + FLAGS_AT])
}

/** Offset in `log` of record i of a buffer of records, without decoding the rest of it. */
export function recordOffset(source: Buffer, i: number): number {
  return source.readDoubleLE(i * RECORD_SIZE)
}
