/**
 * Where any of a set of literal byte strings starts in a chunk: the masking prefilter,
 * run on every byte push reads. A regular expression (literal-alternation.ts) tops out
 * near 0.7 GB/s on this, whatever its form; this reads 16 bytes a step with WebAssembly
 * SIMD, 3 to 4 times faster, and checks the few places it flags in JavaScript.
 *
 *   chunk ──copied into the module's memory, a window at a time──▶ literal-scan.wat:
 *   positions whose first 3 bytes fit some literal's "fingerprint" ──▶ each compared with
 *   the literals that start with its byte ──▶ the offsets where one truly starts, in order
 *
 * The fingerprint is Teddy's (Hyperscan, ripgrep): the literals go into 8 buckets; for
 * each of the first 3 positions two 16-entry tables, by low and high nibble, hold the
 * buckets that allow the nibble there; a position is flagged when one bucket allows all
 * six nibbles. A literal shorter than 3 bytes allows any byte past its end. Unlike the
 * regular expression's matches, overlapping occurrences are all reported.
 *
 * Where WebAssembly SIMD is missing, or a window flags more places than the module has
 * room to list (input full of near misses), the caller's regular expression does the chunk.
 */
import {LITERAL_SCAN_WASM} from './literal-scan-wasm.js'
import {lazyWasmModule} from '../wasm-module.js'

const BUCKETS = 8
const FINGERPRINT = 3
const TABLES_BYTES = FINGERPRINT * 32
/** The data starts after the tables; the module reads up to 2 + 15 bytes past a window's last position. */
const DATA_AT = 128
const TAIL = 32

interface Scan {
  (data: number, length: number, out: number, cap: number): number
}

const module = lazyWasmModule(LITERAL_SCAN_WASM)

export class LiteralScanner {
  private readonly memory: Uint8Array
  private readonly run: Scan
  private readonly out: number
  /** The literals by their first byte, longest first. */
  private byFirst: (Buffer[] | undefined)[] = []

  /**
   * Undefined where WebAssembly SIMD is missing or there is no literal. A window of the
   * chunk at a time (a read is 64 KiB): the module's memory is about 2 windows.
   * `window`, `cap`: smaller in tests, to reach their edges.
   */
  static of(literals: Iterable<Buffer>, options: {window?: number; cap?: number} = {}): LiteralScanner | undefined {
    const wasm = module()
    if (!wasm) return undefined
    const scanner = new LiteralScanner(wasm, options.window ?? 1 << 18, options.cap ?? 1 << 14)
    return scanner.use(literals) ? scanner : undefined
  }

  private constructor(
    wasm: WebAssembly.Module,
    private readonly window: number,
    private readonly cap: number,
  ) {
    const instance = new WebAssembly.Instance(wasm)
    const memory = instance.exports.memory as WebAssembly.Memory
    this.out = (DATA_AT + window + TAIL + 3) & ~3
    const needed = this.out + cap * 4
    if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536))
    this.memory = new Uint8Array(memory.buffer)
    this.run = instance.exports.scan as Scan
  }

  /**
   * Scans for these literals from now on, in the same memory (a value registered mid-stream
   * by `::add-mask::` adds one, and a log may register many). False when there is none.
   */
  use(literals: Iterable<Buffer>): boolean {
    const bytes = [...literals].filter((literal) => literal.length > 0)
    if (bytes.length === 0) return false
    this.memory.set(fingerprints(bytes), 0)
    this.byFirst = []
    for (const literal of bytes.sort((a, b) => b.length - a.length)) (this.byFirst[literal[0]] ??= []).push(literal)
    return true
  }

  /** Offsets in `chunk` where a literal starts, in order; undefined when a window flagged more places than `cap`. */
  scan(chunk: Buffer): number[] | undefined {
    const found: number[] = []
    for (let from = 0; from < chunk.length; from += this.window) {
      const length = Math.min(this.window, chunk.length - from)
      const copied = Math.min(length + TAIL, chunk.length - from)
      this.memory.set(chunk.subarray(from, from + copied), DATA_AT)
      this.memory.fill(0, DATA_AT + copied, DATA_AT + length + TAIL)
      const flagged = this.run(DATA_AT, length, this.out, this.cap)
      if (flagged < 0) return undefined
      const positions = new Int32Array(this.memory.buffer, this.out, flagged)
      for (let i = 0; i < flagged; i++) {
        const at = from + positions[i]
        if (at < from + length && this.startsAt(chunk, at)) found.push(at)
      }
    }
    return found
  }

  private startsAt(chunk: Buffer, at: number): boolean {
    const literals = this.byFirst[chunk[at]]
    if (!literals) return false
    for (const literal of literals) {
      if (at + literal.length > chunk.length) continue
      let same = true
      for (let i = 1; i < literal.length && same; i++) same = chunk[at + i] === literal[i]
      if (same) return true
    }
    return false
  }
}

/**
 * The nibble tables. A bucket flags every combination of the nibbles its literals allow
 * at each position, so each literal's start (its first FINGERPRINT bytes: twenty values
 * starting `value-` are one start) goes into the bucket it widens least, the longest
 * first: a start shorter than the fingerprint allows any byte past its end, and joins the
 * bucket where that costs least. (Cutting the sorted literals into equal runs made the
 * flags, and the scan's speed, hinge on where the cuts fell.)
 */
function fingerprints(literals: Buffer[]): Uint8Array {
  const starts = [...new Set(literals.map((literal) => literal.subarray(0, FINGERPRINT).toString('latin1')))]
    .sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0))
    .map((start) => Buffer.from(start, 'latin1'))
  // Per bucket and position, the low and high nibbles allowed, as 16-bit masks.
  const allowed = Array.from({length: BUCKETS}, () => new Uint16Array(FINGERPRINT * 2))
  const widened = (masks: Uint16Array, start: Buffer | undefined) => {
    let reach = 1
    for (let position = 0; position < FINGERPRINT; position++) {
      const any = start !== undefined && position >= start.length
      const low = any ? 0xffff : masks[position * 2] | (start ? 1 << (start[position] & 15) : 0)
      const high = any ? 0xffff : masks[position * 2 + 1] | (start ? 1 << (start[position] >> 4) : 0)
      reach *= bits(low) * bits(high)
    }
    return reach
  }
  const tables = new Uint8Array(TABLES_BYTES)
  for (const start of starts) {
    let best = 0
    let cost = Infinity
    allowed.forEach((masks, bucket) => {
      const more = widened(masks, start) - widened(masks, undefined)
      if (more < cost) [best, cost] = [bucket, more]
    })
    for (let position = 0; position < FINGERPRINT; position++) {
      const low = position * 32
      const high = low + 16
      const nibbles = position < start.length ? [[start[position] & 15, start[position] >> 4]] : Array.from({length: 16}, (_, n) => [n, n])
      for (const [lowNibble, highNibble] of nibbles) {
        tables[low + lowNibble] |= 1 << best
        tables[high + highNibble] |= 1 << best
        allowed[best][position * 2] |= 1 << lowNibble
        allowed[best][position * 2 + 1] |= 1 << highNibble
      }
    }
  }
  return tables
}

function bits(mask: number): number {
  let count = 0
  for (let m = mask; m; m &= m - 1) count++
  return count
}
