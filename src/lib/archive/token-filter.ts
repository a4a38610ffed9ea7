/**
 * A block's token filter: a Bloom filter over the byte trigrams of its records' line
 * values, so that a reader can prove a literal absent (one of its trigrams is not in the
 * filter) and skip the block without fetching it. It never says "absent" for a literal
 * that is there; it says "maybe" for a few per cent of absent ones. The fields around the
 * line (seq, ts, level…) are left out: no pattern is looked for in them, and their digits
 * would fill the filter with trigrams every block has.
 *
 * Definition (README, "Archive format"): for each run of 3 bytes b0 b1 b2 within the
 * JSON-escaped value of a record's `line` (between its quotes),
 * t = b0·2¹⁶ + b1·2⁸ + b2; h1 = imul(t, 0x9E3779B1), h2 = imul(t ^ (t >>> 11), 0x85EBCA6B) | 1
 * (32-bit unsigned); bits (h1 + i·h2) mod m for i = 0, 1 are set, where m (a power of
 * two: 4 bits per distinct trigram, at most the block's length in bytes, at least 64) is 8 × the filter's length in bytes; bit n is bit
 * n % 8 (least significant first) of byte n / 8.
 */
import {wasmTrigramBuilder, type WasmTrigramBuilder} from './wasm-trigram-builder.js'

const HASHES = 2
const BITS_PER_TRIGRAM = 4
/** The kind of filter build() makes; a reader trusts only the kinds it knows (KNOWN_KINDS). */
export const FILTER_KIND = 'line-trigram-bloom-2'
/** Filters this reader can answer for a pattern's literal: the current kind, and the whole-NDJSON filters of the first version 2 objects (a superset of it). */
export const KNOWN_KINDS: readonly string[] = [FILTER_KIND, 'trigram-bloom-2']
const TRIGRAMS = 1 << 24
const LINE_KEY = Buffer.from('"line":"')

/** Builds filters for one block after another, reusing its memory (a 2 MiB bitmap of trigrams seen). */
export class TrigramFilterBuilder {
  /** In WebAssembly where the runtime has it (./wasm-trigram-builder.ts), made on first use; null: here (as are blocks too big for it). */
  private wasm: WasmTrigramBuilder | null | undefined
  private seen?: Uint8Array
  private distinct = new Int32Array(1 << 16)
  private count = 0

  /** `inWasm` false: always the JavaScript loops below (the tests' reference). */
  constructor(inWasm = true) {
    if (!inWasm) this.wasm = null
  }

  /** The trigrams of data[start..end) (a line value), each distinct one listed once. */
  private add(seen: Uint8Array, data: Buffer, start: number, end: number): void {
    if (end - start < 3) return
    let count = this.count
    let t = (data[start] << 8) | data[start + 1]
    for (let i = start + 2; i < end; i++) {
      t = ((t << 8) | data[i]) & 0xffffff
      const byte = t >>> 3
      const bit = 1 << (t & 7)
      if ((seen[byte] & bit) !== 0) continue
      seen[byte] |= bit
      if (count === this.distinct.length) {
        const grown = new Int32Array(count * 2)
        grown.set(this.distinct)
        this.distinct = grown
      }
      this.distinct[count++] = t
    }
    this.count = count
  }

  /**
   * The filter of a block. `values`, when the writer knows them, gives where each record's
   * line value starts and ends (pairs of offsets in `data`), which spares searching for them.
   */
  build(data: Buffer, values: Uint32Array = lineValues(data)): Buffer {
    if (this.wasm === undefined) this.wasm = wasmTrigramBuilder()
    const built = this.wasm?.build(data, values, (distinct) => filterBits(distinct, data.length))
    if (built) return built
    const seen = (this.seen ??= new Uint8Array(TRIGRAMS / 8))
    for (let n = 0; n + 1 < values.length; n += 2) this.add(seen, data, values[n], values[n + 1])
    const count = this.count
    this.count = 0
    const bits = filterBits(count, data.length)
    const filter = Buffer.alloc(bits / 8)
    const mask = bits - 1
    for (let n = 0; n < count; n++) {
      const trigram = this.distinct[n]
      seen[trigram >>> 3] = 0
      setBits(filter, trigram, mask)
    }
    return filter
  }
}

/**
 * Where the records' line values start and end: what a pattern's literal can be found in.
 * A record's first `"line":"` is its key (earlier fields cannot hold one, and a `"` inside
 * the value is escaped); the value ends at the record's closing `"}`.
 */
function lineValues(data: Buffer): Uint32Array {
  const values: number[] = []
  for (let record = 0; record < data.length;) {
    let newline = data.indexOf(0x0a, record)
    if (newline === -1) newline = data.length
    const key = data.indexOf(LINE_KEY, record)
    const end = newline - 2
    values.push(key === -1 || key > newline ? end : key + LINE_KEY.length, end)
    record = newline + 1
  }
  return Uint32Array.from(values, (at) => Math.max(0, at))
}

/**
 * The filter's bits for a block of `bytes` with `distinct` trigrams: 4 per trigram, but at
 * most one per byte of the block (a filter ≤ 1/8 of the block before compression): a filter
 * that big is saturated on blocks of mostly unique tokens, where it would skip nothing anyway.
 */
function filterBits(distinct: number, bytes: number): number {
  let bits = 64
  while (bits < distinct * BITS_PER_TRIGRAM && bits * 2 <= bytes) bits *= 2
  return bits
}

/** Bit i (0 ≤ i < HASHES) of a trigram in a filter of mask + 1 bits. */
function bitOf(trigram: number, i: number, mask: number): number {
  const h1 = Math.imul(trigram, 0x9e3779b1) >>> 0
  const h2 = (Math.imul(trigram ^ (trigram >>> 11), 0x85ebca6b) | 1) >>> 0
  return (h1 + Math.imul(i, h2)) & mask
}

function setBits(filter: Buffer, trigram: number, mask: number): void {
  for (let i = 0; i < HASHES; i++) {
    const bit = bitOf(trigram, i, mask)
    filter[bit >>> 3] |= 1 << (bit & 7)
  }
}

/** False when the filter proves `literal` (≥ 3 bytes) absent from the block. */
export function mayContain(filter: Buffer, literal: Buffer): boolean {
  if (literal.length < 3 || filter.length === 0) return true
  const mask = filter.length * 8 - 1
  for (let i = 2; i < literal.length; i++) {
    const trigram = (literal[i - 2] << 16) | (literal[i - 1] << 8) | literal[i]
    for (let k = 0; k < HASHES; k++) {
      const bit = bitOf(trigram, k, mask)
      if ((filter[bit >>> 3] & (1 << (bit & 7))) === 0) return false
    }
  }
  return true
}

/** A job's filter in the catalog: at most this many bytes (4096 bits). */
export const JOB_FILTER_BYTES = 512
/** A job filter with more of its bits set than this rules out too little to be worth storing. */
const MAX_FILL = 0.75

/**
 * One filter for a whole job: its blocks' filters folded to a common size and OR-ed. A bit
 * n of a filter of m bits lands on bit n mod m' of one of m' bits (m' divides m: powers of
 * two), which is where the same trigram's bit falls in a filter built with m' bits — so the
 * result answers mayContain() like a filter built over every block at once. Undefined when
 * it would be too full to rule anything out (then the job is read through its block filters).
 */
export function foldFilters(filters: Buffer[], maxBytes = JOB_FILTER_BYTES): Buffer | undefined {
  if (filters.length === 0) return undefined
  const size = Math.min(maxBytes, ...filters.map((filter) => filter.length))
  if (size === 0 || (size & (size - 1)) !== 0) return undefined
  const folded = Buffer.alloc(size)
  for (const filter of filters) for (let at = 0; at < filter.length; at++) folded[at % size] |= filter[at]
  let set = 0
  for (const byte of folded) for (let b = byte; b; b &= b - 1) set++
  return set <= size * 8 * MAX_FILL ? folded : undefined
}
