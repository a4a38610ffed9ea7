/**
 * Where one literal starts in bytes: the byte search of `get --grep` (a pattern's required
 * literal, required-literal.ts) over a stored log. Buffer.indexOf tops out near 1.6 GB/s
 * on log lines; this reads 16 bytes a step with WebAssembly SIMD (literal-find.wat),
 * about 2.5 times faster. The bytes are read straight into the module's memory (`buffers`),
 * so a search copies nothing.
 *
 *   read into buffers[i] ─► hitsIn(view of it) ─► next(from): the module lists up to CAP
 *   hits a call, in order ─► the caller's next hit at or after `from`
 *
 * Where WebAssembly SIMD is missing, or the bytes are not in the module's memory, the
 * search is Buffer.indexOf.
 */
import {LITERAL_FIND_WASM} from './literal-find-wasm.js'
import {lazyWasmModule} from './wasm-module.js'

/** Hits listed per call of the module. */
const CAP = 4096
/** The module reads up to 15 bytes past a buffer's last start: each buffer is followed by this much room. */
const PAD = 16

interface Find {
  (needle: number, needleLength: number, data: number, starts: number, out: number, cap: number): number
}

const module = lazyWasmModule(LITERAL_FIND_WASM)

/** The hits of one search, asked for in increasing `from`. */
export interface Hits {
  /** The first start of the literal at or after `from`, or -1. */
  next(from: number): number
}

export class LiteralFinder {
  /** Buffers of the size asked for, to read into: searching them costs no copy. */
  readonly buffers: Buffer[]
  private readonly wasm?: {find: Find; memory: ArrayBuffer; needle: number; out: Int32Array}

  /** `count` buffers of `size` bytes to read into, and the search of `literal` in them. */
  constructor(
    private readonly literal: Buffer,
    size: number,
    count = 2,
  ) {
    const wasm = module()
    if (!wasm || literal.length === 0) {
      this.buffers = Array.from({length: count}, () => Buffer.allocUnsafe(size))
      return
    }
    const instance = new WebAssembly.Instance(wasm)
    const memory = instance.exports.memory as WebAssembly.Memory
    const out = 0
    const needle = out + CAP * 4
    const first = align(needle + literal.length)
    const stride = align(size + PAD)
    const needed = first + count * stride
    if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536))
    // Views only after the last grow: growing detaches the memory's earlier ArrayBuffer.
    literal.copy(new Uint8Array(memory.buffer), needle)
    this.buffers = Array.from({length: count}, (_, i) => Buffer.from(memory.buffer, first + i * stride, size))
    this.wasm = {find: instance.exports.find as Find, memory: memory.buffer, needle, out: new Int32Array(memory.buffer, out, CAP)}
  }

  /** The literal's starts in `data` (a view of one of `buffers`, or any buffer). */
  hitsIn(data: Buffer): Hits {
    const {wasm, literal} = this
    if (!wasm || data.buffer !== wasm.memory) return {next: (from) => data.indexOf(literal, from)}
    const starts = data.length - literal.length + 1
    let listed = 0
    let read = 0
    /** Where the module's next call starts looking. */
    let scanned = 0
    return {
      next(from) {
        for (;;) {
          while (read < listed && wasm.out[read] < from) read++
          if (read < listed) return wasm.out[read]
          const start = Math.max(scanned, from)
          if (start >= starts) return -1
          listed = wasm.find(wasm.needle, literal.length, data.byteOffset + start, starts - start, wasm.out.byteOffset, CAP)
          // The module's offsets are from where it started.
          for (let i = 0; i < listed; i++) wasm.out[i] += start
          read = 0
          scanned = listed === CAP ? wasm.out[CAP - 1] + 1 : starts
        }
      },
    }
  }
}

function align(at: number): number {
  return (at + 15) & ~15
}
