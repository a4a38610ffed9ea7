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
 * The fingerprint is Teddy's (Hyperscan, ripgrep): the literals go into 16 buckets, two
 * sets of 8 as "fat" Teddy has them; for each of the first 3 positions two 16-entry tables
 * per set, by low and high nibble, hold the buckets that allow the nibble there; a position
 * is flagged when one bucket allows all six nibbles. A literal shorter than 3 bytes allows
 * any byte past its end. Unlike the regular expression's matches, overlapping occurrences
 * are all reported.
 *
 * Where WebAssembly SIMD is missing, or a window flags more places than the module has
 * room to list (input full of near misses), the caller's regular expression does the chunk.
 */
import {DEFAULT_PACKING} from './default-packing.js'
import {LITERAL_SCAN_WASM} from './literal-scan-wasm.js'
import {lazyWasmModule} from '../wasm-module.js'
import {TYPICAL_BYTE_SHARE, TYPICAL_ROW_SHARE} from './typical-bytes.js'

const BUCKETS = 16
const FINGERPRINT = 3
/** Per set of 8 buckets, a low and a high nibble table of 16 bytes for each position. */
const SET_BYTES = FINGERPRINT * 32
const TABLES_BYTES = (BUCKETS / 8) * SET_BYTES
/** The data starts after the tables; the module reads up to 2 + 15 bytes past a window's last position. */
const DATA_AT = 256
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
  /** The starts the nibble tables were packed for. */
  private packed: string | undefined

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
    // A value registered mid-stream mostly starts as one already scanned for (`value-1`,
    // `value-2`): the buckets stay as they are.
    const starts = startsOf(bytes)
    const key = keyOf(starts)
    if (key !== this.packed) {
      // Packing takes push some 8 ms of its start: the default triggers' comes packed.
      this.memory.set(key === DEFAULT_PACKING.key ? Buffer.from(DEFAULT_PACKING.tables, 'base64') : fingerprints(starts), 0)
      this.packed = key
    }
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
 * The nibble tables. Each literal's start (its first FINGERPRINT bytes: twenty values
 * starting `value-` are one start; one shorter than that allows any byte past its end) goes
 * into one of the buckets, which flags a place when each of its positions allows the byte
 * there by low and by high nibble: a bucket allows every mix of its starts' nibbles. The
 * starts go where they add least to the share of log text flagged (./typical-bytes.ts),
 * longest first, then move one at a time while a move lowers it.
 *
 * Places flagged per 64 KiB of Loghub's lines, with 20 values to mask in brackets: placed by
 * how many nibble mixes a bucket allows (as if bytes were uniform), the default triggers
 * flagged 1436 (1069), and 2651 (3398) once the command lines' (`curl`, `login`…) joined
 * them; placed as now, 494 (747) in 8 buckets. With 8, which places a packing flagged was
 * luck: five more detectors' triggers gave 600 to 1900 (700 to 2200), as the spelling of a
 * trigger changed. In 16 buckets any of those spellings gives 250 to 750 (290 to 790), and
 * the scan is as fast (2.2 GB/s on Loghub's lines). test/unit/literal-scan.test.ts holds it
 * on Loghub's lines and on plain ones.
 */
function fingerprints(literalStarts: string[]): Uint8Array {
  const starts = literalStarts.map((start) => startMasks(Buffer.from(start, 'latin1')))
  const buckets: Uint16Array[][] = Array.from({length: BUCKETS}, () => [])
  const masks: Uint16Array[] = buckets.map(() => new Uint16Array(FINGERPRINT * 2))
  const shares = new Float64Array(BUCKETS)
  const joined = new Uint16Array(FINGERPRINT * 2)
  const added = (bucket: number, start: Uint16Array) => {
    for (let i = 0; i < joined.length; i++) joined[i] = masks[bucket][i] | start[i]
    return flaggedShare(joined) - shares[bucket]
  }
  const settle = (bucket: number, members: Uint16Array[]) => {
    buckets[bucket] = members
    masks[bucket] = unionMasks(members)
    shares[bucket] = flaggedShare(masks[bucket])
  }
  for (const start of starts) {
    let best = 0
    let least = Infinity
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      const more = added(bucket, start)
      if (more < least) [best, least] = [bucket, more]
    }
    settle(best, [...buckets[best], start])
  }
  for (let pass = 0, moved = true; moved && pass < MAX_PASSES; pass++) {
    moved = false
    for (let from = 0; from < BUCKETS; from++) {
      for (const start of [...buckets[from]]) {
        const rest = buckets[from].filter((member) => member !== start)
        const saved = shares[from] - flaggedShare(unionMasks(rest))
        let best = from
        let gain = MIN_GAIN
        for (let bucket = 0; bucket < BUCKETS; bucket++) {
          if (bucket === from) continue
          const more = added(bucket, start)
          if (saved - more > gain) [best, gain] = [bucket, saved - more]
        }
        if (best === from) continue
        settle(from, rest)
        settle(best, [...buckets[best], start])
        moved = true
      }
    }
  }
  const tables = new Uint8Array(TABLES_BYTES)
  for (const [bucket, allowed] of masks.entries()) {
    const [set, bit] = [(bucket >> 3) * SET_BYTES, 1 << (bucket & 7)]
    for (let position = 0; position < FINGERPRINT; position++) {
      for (let nibble = 0; nibble < 16; nibble++) {
        if (allowed[position * 2] & (1 << nibble)) tables[set + position * 32 + nibble] |= bit
        if (allowed[position * 2 + 1] & (1 << nibble)) tables[set + position * 32 + 16 + nibble] |= bit
      }
    }
  }
  return tables
}

/** What ./default-packing.ts holds for these literals (its test writes it): their starts' key, and their nibble tables packed now. */
export function packNow(literals: Buffer[]): {key: string; tables: Uint8Array} {
  const starts = startsOf(literals)
  return {key: keyOf(starts), tables: fingerprints(starts)}
}

/** Which set of starts nibble tables were packed for: the scanner's, and the shipped default's. */
function keyOf(starts: string[]): string {
  return starts.join('\0')
}

/** The literals' distinct starts (latin1), longest first, then in byte order. */
function startsOf(literals: Buffer[]): string[] {
  return [...new Set(literals.map((literal) => literal.subarray(0, FINGERPRINT).toString('latin1')))].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0))
}

/** Rounds of moves at most: they settle in two or three. */
const MAX_PASSES = 8
/** A move that gains less than this is none (the sums' rounding). */
const MIN_GAIN = 1e-12

/** Per position, the low and the high nibble of a start, as 16-bit masks; a shorter start allows any nibble past its end. */
function startMasks(start: Buffer): Uint16Array {
  const masks = new Uint16Array(FINGERPRINT * 2)
  for (let position = 0; position < FINGERPRINT; position++) {
    masks[position * 2] = position < start.length ? 1 << (start[position] & 15) : 0xffff
    masks[position * 2 + 1] = position < start.length ? 1 << (start[position] >> 4) : 0xffff
  }
  return masks
}

/** The nibbles a bucket of these starts allows: the union of their masks. */
function unionMasks(starts: Uint16Array[]): Uint16Array {
  const masks = new Uint16Array(FINGERPRINT * 2)
  for (const start of starts) for (let i = 0; i < masks.length; i++) masks[i] |= start[i]
  return masks
}

/** The share of places in typical log text a bucket allowing these nibbles flags, taking its bytes as independent. */
function flaggedShare(masks: Uint16Array): number {
  let share = 1
  for (let position = 0; position < FINGERPRINT; position++) {
    let allowed = 0
    const lows = masks[position * 2]
    for (let highs = masks[position * 2 + 1]; highs; highs &= highs - 1) {
      const high = 31 - Math.clz32(highs & -highs)
      if (lows === 0xffff) allowed += TYPICAL_ROW_SHARE[high]
      else for (let rest = lows; rest; rest &= rest - 1) allowed += TYPICAL_BYTE_SHARE[(high << 4) | (31 - Math.clz32(rest & -rest))]
    }
    share *= allowed
  }
  return share
}
