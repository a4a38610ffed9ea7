/**
 * Record lines (format.ts recordLine) written straight from the file store's stored entries
 * (its index records and log bytes), on the archive's worker threads: no entry object and no
 * string per line, the line's bytes copied with JSON's escapes. 2.2× less CPU than
 * recordLine over decoded entries on a 128 MB log of plain and JSON lines; runs that are
 * valid UTF-8 are written by WebAssembly (./stored-records-simd.ts), faster again.
 *
 * The bytes are recordLine's by construction: the fields around the line are cut out of
 * recordJson's own output for each combination of level, stream, end and record mark, and
 * each byte's escape is JSON.stringify's. That holds for lines that are valid UTF-8, where
 * JSON escapes only `"`, `\` and the bytes below 0x20 and leaves the rest as they are;
 * other lines keep their bytes in base64 besides a lossy text, and go through recordLine.
 */
import {isUtf8} from 'node:buffer'
import {endianness} from 'node:os'
import {FIELD_AT, RECORD_SIZE, eolBit} from '../store/file/index-record.js'
import {decodeStored} from '../store/stored-entries.js'
import type {StoredEntries, StoredLogBlock} from '../store/types.js'
import {BlockBytes} from './block-bytes.js'
import {recordLine} from './format.js'
import {END, ESCAPES, FIELDS_ROOM, LEVEL_CODES, SEQ, TS, WORST_ESCAPE, fieldsOf, latin1} from './record-pieces.js'
import {encodeRecords, type RecordChunk} from './record-chunk.js'
import {simdRecords} from './stored-records-simd.js'

const LINE_KEY = '"line":"'
const PLAIN = Uint8Array.from(ESCAPES, (escape) => (escape ? 0 : 1))
/** The two escapes of JSON logs' hot path, written inline: `\"` and `\\`. */
const QUOTE = 0x22
const BACKSLASH = 0x5c

function put(out: Buffer, at: number, bytes: Buffer): number {
  for (let k = 0; k < bytes.length; k++) out[at + k] = bytes[k]
  return at + bytes.length
}

/** Digits of a non-negative integer below 2^53 at `at`. */
function putInteger(out: Buffer, at: number, value: number): number {
  let digits = 1
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++
  for (let k = at + digits - 1, rest = value; k >= at; k--, rest = Math.floor(rest / 10)) out[k] = 48 + (rest % 10)
  return at + digits
}

/** The index records as 64-bit words (offset and ts) and 32-bit ones (length): faster than readDoubleLE per field. */
function wordsOf(index: Buffer): {doubles: Float64Array; words: Uint32Array} {
  const aligned = index.byteOffset % 8 === 0 ? index : Buffer.from(index)
  const buffer = aligned.buffer as ArrayBuffer
  return {doubles: new Float64Array(buffer, aligned.byteOffset, aligned.length / 8), words: new Uint32Array(buffer, aligned.byteOffset, aligned.length / 4)}
}
const LITTLE_ENDIAN = endianness() === 'LE'
const DOUBLES = RECORD_SIZE / 8
const WORDS = RECORD_SIZE / 4

/**
 * The record lines of stored entries: written straight from a file store's bytes; a Redis
 * store's chunks are decoded into entries first. `spare`: a buffer to write them into if it
 * is big enough (the lines of an earlier chunk, done with).
 */
export function storedRecords(stored: StoredEntries, spare?: ArrayBuffer): RecordChunk {
  if (stored.kind === 'redis') return encodeRecords(decodeStored(stored), spare)
  return simdRecords(stored, spare) ?? logRecords(stored, spare)
}

/** A file store's record lines written here, byte by byte: where ./stored-records-simd.ts does not. */
export function logRecords(stored: StoredLogBlock, spare?: ArrayBuffer): RecordChunk {
  const {from, count, index, data, start} = stored
  const {doubles, words} = wordsOf(index)
  const bytes = new BlockBytes(Math.ceil(data.length * 1.25) + count * FIELDS_ROOM)
  if (spare) bytes.recycle(spare)
  const chunk = {
    ends: new Uint32Array(count),
    values: new Uint32Array(count),
    seqs: new Float64Array(count),
    ts: new Float64Array(count),
    levels: new Uint8Array(count),
    rawBytes: 0,
  }
  const valid = isUtf8(data)
  let lastTs = Number.NaN
  let tsText = latin1('')
  for (let i = 0; i < count; i++) {
    const r = i * RECORD_SIZE
    const at = (LITTLE_ENDIAN ? doubles[i * DOUBLES + FIELD_AT.offset / 8] : index.readDoubleLE(r + FIELD_AT.offset)) - start
    const ts = LITTLE_ENDIAN ? doubles[i * DOUBLES + FIELD_AT.ts / 8] : index.readDoubleLE(r + FIELD_AT.ts)
    const end = at + (LITTLE_ENDIAN ? words[i * WORDS + FIELD_AT.length / 4] : index.readUInt32LE(r + FIELD_AT.length))
    const level = index[r + FIELD_AT.level]
    const flags = index[r + FIELD_AT.flags]
    const seq = from + i
    chunk.seqs[i] = seq
    chunk.ts[i] = ts
    chunk.levels[i] = level < LEVEL_CODES ? level : 0
    chunk.rawBytes += end - at + eolBit(flags)
    if (!valid && !isUtf8(data.subarray(at, end))) {
      const record = recordLine(decodeStored(stored, [i])[0])
      bytes.add(record)
      chunk.ends[i] = bytes.length
      chunk.values[i] = bytes.length - Buffer.byteLength(record) + record.indexOf(LINE_KEY) + LINE_KEY.length
      continue
    }
    const out = bytes.reserve(FIELDS_ROOM + (end - at) * WORST_ESCAPE)
    let p = putInteger(out, put(out, bytes.length, SEQ), seq)
    if (ts !== lastTs) {
      lastTs = ts
      tsText = latin1(String(ts))
    }
    p = put(out, put(out, put(out, p, TS), tsText), fieldsOf(level, index[r + FIELD_AT.stream], flags))
    chunk.values[i] = p
    for (let k = at; k < end; k++) {
      const byte = data[k]
      if (PLAIN[byte] === 1) {
        out[p++] = byte
      } else if (byte === QUOTE || byte === BACKSLASH) {
        out[p++] = BACKSLASH
        out[p++] = byte
      } else {
        p = put(out, p, ESCAPES[byte]!)
      }
    }
    bytes.length = put(out, p, END)
    chunk.ends[i] = bytes.length
  }
  return {...chunk, data: bytes.take()}
}
