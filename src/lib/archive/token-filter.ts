/**
 * A block's token filter: a Bloom filter over the 4-byte runs (4-grams) of its records'
 * line values, so that a reader can prove a literal absent (one of its 4-grams is not in
 * the filter) and skip the block without fetching it. It never says "absent" for a literal
 * that is there; it says "maybe" for a few per cent of absent ones. The fields around the
 * line (seq, ts, level…) are left out: no pattern is looked for in them, and their digits
 * would fill the filter with 4-grams every block has.
 *
 * Definition (README, "Archive format"): for each run of 4 bytes b0 b1 b2 b3 within the
 * JSON-escaped value of a record's `line` (between its quotes), g = b0 + b1·2⁸ + b2·2¹⁶ + b3·2²⁴
 * and its key k = imul(g, 0x9E3779B1) >>> 12 (20 bits); h1 = fmix32(k) (MurmurHash3's
 * finalizer), h2 = rotl(h1, 16) | 1 (32-bit unsigned); bits (h1 + i·h2) mod m for i = 0, 1
 * are set, where m (a power of two: 4 bits per distinct key, at most the block's length in
 * bytes or 8192, whichever is more, at least 64) is 8 × the filter's length in bytes; bit n is bit n % 8 (least
 * significant first) of byte n / 8. 4-grams of one key are one to the filter: a "maybe"
 * more, never an "absent" (0.5 % of absent 4-grams in a block of 5 000 keys, against some
 * 15 % the Bloom filter's bits say "maybe" to); a block's keys are told apart exactly, in a
 * bitmap of 128 KiB that stays in a core's cache (one of 2 MiB for keys of 24 bits made
 * the worker's loop twice as slow), so each is hashed once.
 *
 * 4-grams rather than trigrams (the kinds of objects written before, still read): a literal
 * such as `item 12345` has every one of its trigrams in most blocks of a log of numbered
 * items, and none of `m 12`, ` 123`: on the bench's 150 MB job the trigram filters let 214 of
 * 514 blocks through for it, these 6, the blocks that hold it. A filter is 3 to 4 times as
 * big for it (a block has that many more distinct 4-grams), and a literal of 3 bytes is
 * no longer tested.
 */
import {wasmGramBuilder, type WasmGramBuilder} from './wasm-gram-builder.js'

/** The kind of filter build() makes; a reader trusts only the kinds it knows (KNOWN_KINDS). */
export const FILTER_KIND = 'line-4gram-bloom-1'
/**
 * The trigram filters of the objects written before: over the line values, and the
 * whole-NDJSON filters of the first version 2 objects (a superset of them); one hash.
 */
const TRIGRAM_KINDS: readonly string[] = ['line-trigram-bloom-2', 'trigram-bloom-2']
/** The kind of a catalog's job filters stored as `filter` (catalog.ts): folded trigram filters. */
export const TRIGRAM_KIND = TRIGRAM_KINDS[0]
export const KNOWN_KINDS: readonly string[] = [FILTER_KIND, ...TRIGRAM_KINDS]

const HASHES = 2
const BITS_PER_KEY = 4
const KEYS = 1 << 20
/** See filterBits(): 1 KiB. */
const SMALL_BITS = 8192
/** A filter with more of its bits set than this rules out too little to be worth storing or reading. */
const MAX_FILL = 0.75
const LINE_KEY = Buffer.from('"line":"')

/** MurmurHash3's 32-bit finalizer. */
export function fmix32(k: number): number {
  k = Math.imul(k ^ (k >>> 16), 0x85ebca6b)
  k = Math.imul(k ^ (k >>> 13), 0xc2b2ae35)
  return (k ^ (k >>> 16)) >>> 0
}

/** The key of the 4-gram at data[at..at+4). */
function keyAt(data: Uint8Array, at: number): number {
  return Math.imul(data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24), 0x9e3779b1) >>> 12
}

/** Bit i (0 ≤ i < HASHES) of a key in a filter of mask + 1 bits. */
function bitOf(key: number, i: number, mask: number): number {
  const h1 = fmix32(key)
  const h2 = (h1 << 16) | (h1 >>> 16) | 1
  return (h1 + Math.imul(i, h2)) & mask
}

/** Builds filters for one block after another, reusing its memory (a 128 KiB bitmap of keys seen). */
export class GramFilterBuilder {
  /** In WebAssembly where the runtime has it (./wasm-gram-builder.ts), made on first use; null: here (as are blocks too big for it). */
  private wasm: WasmGramBuilder | null | undefined
  private seen?: Uint8Array
  private distinct = new Int32Array(1 << 16)
  private count = 0

  /** `inWasm` false: always the JavaScript loops below (the tests' reference). */
  constructor(inWasm = true) {
    if (!inWasm) this.wasm = null
  }

  /** The keys of the 4-grams of data[start..end) (a line value), each distinct one listed once. */
  private add(seen: Uint8Array, data: Buffer, start: number, end: number): void {
    let count = this.count
    for (let at = start; at + 4 <= end; at++) {
      const key = keyAt(data, at)
      const byte = key >>> 3
      const bit = 1 << (key & 7)
      if ((seen[byte] & bit) !== 0) continue
      seen[byte] |= bit
      if (count === this.distinct.length) {
        const grown = new Int32Array(count * 2)
        grown.set(this.distinct)
        this.distinct = grown
      }
      this.distinct[count++] = key
    }
    this.count = count
  }

  /**
   * The filter of a block. `values`, when the writer knows them, gives where each record's
   * line value starts and ends (pairs of offsets in `data`), which spares searching for them.
   */
  build(data: Buffer, values: Uint32Array = lineValues(data)): Buffer {
    if (this.wasm === undefined) this.wasm = wasmGramBuilder()
    const built = this.wasm?.build(data, values, (distinct) => filterBits(distinct, data.length))
    if (built) return storable(built)
    const seen = (this.seen ??= new Uint8Array(KEYS / 8))
    for (let n = 0; n + 1 < values.length; n += 2) this.add(seen, data, values[n], values[n + 1])
    const count = this.count
    this.count = 0
    const bits = filterBits(count, data.length)
    const filter = Buffer.alloc(bits / 8)
    const mask = bits - 1
    for (let n = 0; n < count; n++) {
      const key = this.distinct[n]
      seen[key >>> 3] = 0
      for (let i = 0; i < HASHES; i++) {
        const bit = bitOf(key, i, mask)
        filter[bit >>> 3] |= 1 << (bit & 7)
      }
    }
    return storable(filter)
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
 * The filter's bits for a block of `bytes` with `distinct` keys: 4 per key, but at most one
 * per byte of the block (a filter ≤ 1/8 of the block before compression) or SMALL_BITS: a
 * small block of varied lines has about a key per byte, and a filter of a bit per byte
 * would be too full to keep, for it and for its job's filter in the catalog.
 */
function filterBits(distinct: number, bytes: number): number {
  let bits = 64
  while (bits < distinct * BITS_PER_KEY && bits * 2 <= Math.max(bytes, SMALL_BITS)) bits *= 2
  return bits
}

/** The filter, or an empty one (it rules nothing out) where too many of its bits are set: a small block of many distinct 4-grams. */
function storable(filter: Buffer): Buffer {
  return bitsSet(filter) > filter.length * 8 * MAX_FILL ? Buffer.alloc(0) : filter
}

/** Bits set in each byte value: a lookup per byte counts a filter's bits some 13× faster than clearing them one by one. */
const BITS_IN = Uint8Array.from({length: 256}, (_, value) => {
  let set = 0
  for (let b = value; b; b &= b - 1) set++
  return set
})

function bitsSet(bytes: Uint8Array): number {
  let set = 0
  for (let at = 0; at < bytes.length; at++) set += BITS_IN[bytes[at]]
  return set
}

/** Whether a filter of `kind` can prove `literal` absent: a kind this reader knows, and a literal as long as its runs at least. */
export function canTest(kind: string | undefined, literal: Buffer): boolean {
  if (kind === FILTER_KIND) return literal.length >= 4
  return kind !== undefined && TRIGRAM_KINDS.includes(kind) && literal.length >= 3
}

/** False when the filter, of `kind` (one of KNOWN_KINDS), proves `literal` absent from the block. */
export function mayContain(filter: Buffer, literal: Buffer, kind: string = FILTER_KIND): boolean {
  if (filter.length === 0) return true
  const mask = filter.length * 8 - 1
  const isSet = (bit: number): boolean => (filter[bit >>> 3] & (1 << (bit & 7))) !== 0
  if (TRIGRAM_KINDS.includes(kind)) {
    for (let at = 2; at < literal.length; at++) {
      const t = (literal[at - 2] << 16) | (literal[at - 1] << 8) | literal[at]
      const h1 = Math.imul(t, 0x9e3779b1) >>> 0
      const h2 = (Math.imul(t ^ (t >>> 11), 0x85ebca6b) | 1) >>> 0
      if (!isSet(h1 & mask) || !isSet((h1 + h2) & mask)) return false
    }
    return true
  }
  for (let at = 0; at + 4 <= literal.length; at++) {
    const key = keyAt(literal, at)
    for (let i = 0; i < HASHES; i++) if (!isSet(bitOf(key, i, mask))) return false
  }
  return true
}

/**
 * A job's filter in the catalog: at most this many bytes (32 768 bits, 4 bits for each of
 * some 8 000 distinct 4-grams: a job of a few thousand lines, one block). At 512 bytes, the
 * size for trigrams, the jobs of 2 000 lines of `bench/cross-job.ts` had none: `get 'job-*'
 * --grep` read 606 objects and indexes rather than 10.
 */
export const JOB_FILTER_BYTES = 4096

/** A token filter's bytes and their kind (a job's, in the catalog, keeps its kind beside them). */
export interface TokenFilter {
  kind: string
  data: Buffer
}

/** A job filter is folded smaller while at most this share of its bits stay set: it still rules out a rare literal (one of 4-grams mostly absent) as well, in fewer bytes to read. */
const JOB_FILL = 0.5

/**
 * One filter for a whole job: its blocks' filters folded to a common size and OR-ed. A bit
 * n of a filter of m bits lands on bit n mod m' of one of m' bits (m' divides m: powers of
 * two), which is where the same key's bit falls in a filter built with m' bits — so the
 * result answers mayContain() like a filter built over every block at once. Folded further
 * while half its bits or fewer are set. Undefined when it would be too full to rule
 * anything out, when a block's filter is empty, or when the blocks' kinds differ (a job
 * written again keeps its older blocks' filters): then the job is read through its block filters.
 */
export function foldFilters(filters: TokenFilter[], maxBytes = JOB_FILTER_BYTES): TokenFilter | undefined {
  const kinds = new Set(filters.map(({kind}) => (TRIGRAM_KINDS.includes(kind) ? TRIGRAM_KIND : kind)))
  const [kind] = kinds
  if (kinds.size !== 1 || !KNOWN_KINDS.includes(kind)) return undefined
  const size = Math.min(maxBytes, ...filters.map(({data}) => data.length))
  if (size === 0 || (size & (size - 1)) !== 0) return undefined
  let folded = foldTo(
    filters.map(({data}) => data),
    size,
  )
  if (bitsSet(folded) > size * 8 * MAX_FILL) return undefined
  for (let half = foldTo([folded], size / 2); half.length >= 8 && bitsSet(half) <= half.length * 8 * JOB_FILL; half = foldTo([half], half.length / 2)) folded = half
  return {kind, data: folded}
}

function foldTo(filters: Buffer[], size: number): Buffer {
  const folded = Buffer.alloc(size)
  for (const data of filters) for (let at = 0; at < data.length; at++) folded[at % size] |= data[at]
  return folded
}
