/**
 * ./stored-records.ts's record lines written by WebAssembly (stored-records.wat): the
 * escapes looked for 16 bytes a step, a run of entries in one call. The run's index and
 * log bytes are copied into the module's memory and the record lines out of it.
 *
 * The same bytes as the JavaScript writer, from the same pieces (./record-pieces.ts); for
 * runs it does not take (undefined: not all valid UTF-8, a timestamp that is not an
 * integer in 0 … 2^53, a run too big for MAX_MEMORY, no WebAssembly SIMD, a big-endian
 * host) that writer is used.
 */
import {isUtf8} from 'node:buffer'
import {endianness} from 'node:os'
import {lazyWasmModule} from '../wasm-module.js'
import {FIELD_AT, RECORD_SIZE, eolBit} from '../store/file/index-record.js'
import type {StoredLogBlock} from '../store/types.js'
import {BlockBytes} from './block-bytes.js'
import {END, ESCAPES, FIELDS, FIELDS_ROOM, LEVEL_CODES, SEQ, STREAM_CODES, TS, WORST_ESCAPE} from './record-pieces.js'
import type {RecordChunk} from './record-chunk.js'
import {STORED_RECORDS_WASM} from './stored-records-wasm.js'

type Records = (count: number, index: number, data: number, start: number, from: number, out: number, ends: number, values: number, levels: number, streams: number) => number

const module = lazyWasmModule(STORED_RECORDS_WASM)
/** Where stored-records.wat reads its escapes, digit scratch, pieces' table and pieces' bytes. */
const ESCAPES_AT = 0
const ESCAPE_SIZE = 8
const TABLE_AT = 1024
const PIECES_AT = 4096
/** The module reads and writes up to this many bytes past a piece, a line or a record. */
const PAD = 16
/**
 * The most memory the module may take (it never gives memory back): a run that would need
 * more (a line of megabytes, room made for 6 bytes out per byte in) is written by the
 * JavaScript writer instead. Runs of 4096 lines of 100 bytes take 3 MiB.
 */
export const MAX_MEMORY = 64 * 1024 * 1024

let writer: Writer | null | undefined

/** Record lines of a run of a file store's entries, or undefined when the JavaScript writer must write them. */
export function simdRecords(stored: StoredLogBlock, spare?: ArrayBuffer): RecordChunk | undefined {
  if (writer === undefined) {
    const compiled = endianness() === 'LE' ? module() : null
    writer = compiled ? new Writer(compiled) : null
  }
  return writer?.write(stored, spare)
}

class Writer {
  private readonly memory: WebAssembly.Memory
  private readonly records: Records
  /** Where a run's bytes start: after the pieces. */
  private readonly runAt: number

  constructor(compiled: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(compiled)
    this.memory = instance.exports.memory as WebAssembly.Memory
    this.records = instance.exports.records as Records
    const pieces = [SEQ, TS, END, ...FIELDS]
    this.runAt = align(PIECES_AT + pieces.reduce((sum, piece) => sum + align(piece.length + PAD), 0))
    this.reserve(this.runAt)
    const memory = Buffer.from(this.memory.buffer)
    ESCAPES.forEach((escape, byte) => {
      if (!escape) return
      memory[ESCAPES_AT + byte * ESCAPE_SIZE] = escape.length
      escape.copy(memory, ESCAPES_AT + byte * ESCAPE_SIZE + 1)
    })
    let at = PIECES_AT
    pieces.forEach((piece, k) => {
      memory.writeUInt32LE(at, TABLE_AT + k * 8)
      memory.writeUInt32LE(piece.length, TABLE_AT + k * 8 + 4)
      piece.copy(memory, at)
      at = align(at + piece.length + PAD)
    })
  }

  write(stored: StoredLogBlock, spare?: ArrayBuffer): RecordChunk | undefined {
    const {from, count, index, data, start} = stored
    if (!isUtf8(data)) return undefined
    const indexAt = this.runAt
    const dataAt = align(indexAt + count * RECORD_SIZE)
    const outAt = align(dataAt + data.length + PAD)
    const endsAt = align(outAt + count * FIELDS_ROOM + data.length * WORST_ESCAPE + PAD)
    const valuesAt = endsAt + count * 4
    if (valuesAt + count * 4 > MAX_MEMORY) return undefined
    this.reserve(valuesAt + count * 4)
    const memory = new Uint8Array(this.memory.buffer)
    memory.set(index, indexAt)
    const doubles = new Float64Array(this.memory.buffer, indexAt, (count * RECORD_SIZE) / 8)
    const chunk = {seqs: new Float64Array(count), ts: new Float64Array(count), levels: new Uint8Array(count), rawBytes: 0}
    for (let i = 0; i < count; i++) {
      const r = i * RECORD_SIZE
      const ts = doubles[(r + FIELD_AT.ts) / 8]
      if (!(Number.isInteger(ts) && ts >= 0 && ts <= Number.MAX_SAFE_INTEGER)) return undefined
      const level = index[r + FIELD_AT.level]
      chunk.seqs[i] = from + i
      chunk.ts[i] = ts
      chunk.levels[i] = level < LEVEL_CODES ? level : 0
      chunk.rawBytes += index.readUInt32LE(r + FIELD_AT.length) + eolBit(index[r + FIELD_AT.flags])
    }
    memory.set(data, dataAt)
    const length = this.records(count, indexAt, dataAt, start, from, outAt, endsAt, valuesAt, LEVEL_CODES, STREAM_CODES)
    const bytes = new BlockBytes(length)
    if (spare) bytes.recycle(spare)
    bytes.addBytes(memory, outAt, outAt + length)
    return {
      ...chunk,
      data: bytes.take(),
      ends: new Uint32Array(this.memory.buffer, endsAt, count).slice(),
      values: new Uint32Array(this.memory.buffer, valuesAt, count).slice(),
    }
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536))
  }
}

function align(at: number): number {
  return (at + 15) & ~15
}
