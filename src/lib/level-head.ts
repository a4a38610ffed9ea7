/**
 * The level of the two commonest layouts read straight from a line's first bytes, with
 * no string and no regular expression: a JSON line that opens with its level key (pino,
 * bunyan, winston: `{"level":30,` / `{"level":"info",`) and an ISO timestamp followed by
 * a level word (`2026-11-23T10:00:00.123Z INFO …`, `2026-11-23 10:00:00,123  WARN …`).
 *
 * NOT_READ for anything else, and for anything unusual in these layouts (a zone name, a
 * pid, brackets, a word that names no level, a non-ASCII byte): the caller then runs
 * detectLevel. Where this gives an answer it is detectLevel's answer on the same line
 * (test/unit/level-head.test.ts holds it to that, line by line, on every corpus).
 */
import {levelCode, levelOfCode, levelWordsAfterTimestamp, normalizeLevel, SCAN_LIMIT, type Level} from './level.js'

export const NOT_READ = null
/** levelCodeFromHead's NOT_READ. */
export const CODE_NOT_READ = -1

const isDigit = (byte: number) => byte >= 48 && byte <= 57
const isLetter = (byte: number) => (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
const isWord = (byte: number) => isDigit(byte) || isLetter(byte) || byte === 95
const OPENING = Buffer.from('{"level":')
/** `{"le` and `vel"` as little-endian 32-bit words. */
const OPENING_0 = OPENING.readUInt32LE(0)
const OPENING_4 = OPENING.readUInt32LE(4)

/** One DataView per memory (a read), made when the memory changes: several bytes at once. */
let viewed: Uint8Array | undefined
let view = new DataView(new ArrayBuffer(0))
function viewOf(memory: Uint8Array): DataView {
  if (memory !== viewed) {
    viewed = memory
    view = new DataView(memory.buffer as ArrayBuffer, memory.byteOffset, memory.byteLength)
  }
  return view
}

/** The level of bytes [start, end) of `memory`, or NOT_READ. */
export function levelFromHead(memory: Buffer, start: number, end: number): Level | undefined | typeof NOT_READ {
  const code = levelCodeFromHead(memory, start, end)
  return code === CODE_NOT_READ ? NOT_READ : levelOfCode(code)
}

/** levelFromHead as a level code (level.ts levelCode), or CODE_NOT_READ: what push stores, with no string in between. */
export function levelCodeFromHead(memory: Buffer, start: number, end: number): number {
  const first = end > start ? memory[start] : 0
  if (first === 123 /* { */) return jsonOpeningLevel(memory, start, end)
  if (isDigit(first)) return timestampLevel(memory, start, end)
  return CODE_NOT_READ
}

/** detectLevel's leadingLevelField on bytes: `{"level":` then up to 3 digits, or a quoted ASCII name of 1 to 24 characters. */
function jsonOpeningLevel(memory: Buffer, start: number, end: number): number {
  if (end - start < OPENING.length + 2) return CODE_NOT_READ
  const v = viewOf(memory)
  if (v.getUint32(start, true) !== OPENING_0 || v.getUint32(start + 4, true) !== OPENING_4 || memory[start + 8] !== 58 /* : */) return CODE_NOT_READ
  // A JSON object: its last byte but blanks (space, CR, tab) closes it.
  let last = end - 1
  while (last > start && (memory[last] === 32 || memory[last] === 13 || memory[last] === 9)) last--
  if (memory[last] !== 125 /* } */) return CODE_NOT_READ
  const at = start + OPENING.length
  if (memory[at] === 34 /* " */) {
    let close = at + 1
    while (close < end && close - at - 1 <= 24 && memory[close] !== 34) {
      if (memory[close] >= 128 || memory[close] === 92 /* \ */) return CODE_NOT_READ
      close++
    }
    if (close >= end || close === at + 1 || close - at - 1 > 24) return CODE_NOT_READ
    return levelCode(normalizeLevel(memory.toString('latin1', at + 1, close)))
  }
  let stop = at
  let value = 0
  while (stop < end && stop - at < 4 && isDigit(memory[stop])) value = value * 10 + memory[stop++] - 48
  if (stop === at || stop - at > 3 || (stop < end && isWord(memory[stop]))) return CODE_NOT_READ
  return numberLevelCode(value)
}

/**
 * layoutLevel's AFTER_TIMESTAMP on bytes, for its plainest form: `YYYY-MM-DD[T ]hh:mm:ss`
 * (any of `-/.` between the date's parts), an optional fraction, `Z` or offset, an optional
 * comma, blanks, then a level word of 4 to 11 letters and an optional digit 1-5, ending
 * at a blank, `:`, `|`, `]` or the line's end.
 */
function timestampLevel(memory: Buffer, start: number, end: number): number {
  // Fixed width up to the seconds: `YYYY-MM-DDThh:mm:ss` is 19 bytes.
  if (end - start < 24) return CODE_NOT_READ
  if (!timestampShape(memory, viewOf(memory), start)) return CODE_NOT_READ
  let at = start + 19
  // A fraction: [.,:] and digits (a comma without digits is the comma before the blanks).
  if ((memory[at] === 46 || memory[at] === 44 || memory[at] === 58) && at + 1 < end && isDigit(memory[at + 1])) {
    at += 2
    while (at < end && isDigit(memory[at])) at++
  }
  if (memory[at] === 90 /* Z */) {
    at++
  } else if (memory[at] === 43 || memory[at] === 45 /* + - */) {
    at++
    if (!(isDigit(memory[at]) && isDigit(memory[at + 1]))) return CODE_NOT_READ
    at += memory[at + 2] === 58 ? 3 : 2
    if (!(isDigit(memory[at]) && isDigit(memory[at + 1]))) return CODE_NOT_READ
    at += 2
  }
  if (memory[at] === 44 /* , */) at++
  const blanks = at
  while (at < end && (memory[at] === 32 || memory[at] === 9)) at++
  if (at === blanks) return CODE_NOT_READ
  const word = at
  while (at < end && isLetter(memory[at])) at++
  if (at - word < 4 || at - word > 11) return CODE_NOT_READ
  if (at < end && memory[at] >= 49 && memory[at] <= 53) at++ // [1-5]
  if (at - start >= SCAN_LIMIT) return CODE_NOT_READ
  if (at < end) {
    const next = memory[at]
    if (next !== 32 && next !== 9 && next !== 13 && next !== 58 && next !== 124 && next !== 93) return CODE_NOT_READ
  }
  const code = wordLevelCode(memory, word, at)
  return code === 0 ? CODE_NOT_READ : code
}

/** normalizeLevel of a number (pino's 10 … 60), as a code. */
function numberLevelCode(value: number): number {
  return value >= 60 ? 6 : value >= 10 ? Math.floor(value / 10) : 0
}

/** levelAfterTimestamp on the bytes of a word (letters and an optional digit), compared in lower case without making a string. */
export function wordLevel(memory: Uint8Array, from: number, to: number): Level | undefined {
  return levelOfCode(wordLevelCode(memory, from, to))
}

/** wordLevel as a code; 0 for a word that names no level. */
function wordLevelCode(memory: Uint8Array, from: number, to: number): number {
  const length = to - from
  const candidates = WORDS_BY_LENGTH[length]
  if (candidates === undefined) return 0
  // A word of 4 letters or more (all but `err`) is told by its first four in lower case (| 0x20), read as one number.
  const head = length >= 4 ? (viewOf(memory).getUint32(from, true) | 0x20202020) >>> 0 : 0
  for (let c = 0; c < candidates.length; c++) {
    const word = candidates[c]
    if (word.head !== head) continue
    let i = length >= 4 ? 4 : 0
    // | 0x20 lowers a letter's case and leaves a digit as it is.
    while (i < length && (memory[from + i] | 0x20) === word.bytes[i]) i++
    if (i === length) return word.code
  }
  return 0
}

const WORDS_BY_LENGTH: {bytes: Buffer; head: number; code: number}[][] = []
for (const [word, level] of levelWordsAfterTimestamp()) {
  const bytes = Buffer.from(word, 'latin1')
  ;(WORDS_BY_LENGTH[word.length] ??= []).push({bytes, head: bytes.length >= 4 ? bytes.readUInt32LE(0) : 0, code: levelCode(level)})
}

const isDateSeparator = (byte: number) => byte === 45 || byte === 47 || byte === 46 // - / .

/** Whether the 4 bytes of `x` are ASCII digits: each byte's high half is 3, and stays 3 with 6 added (so it is not past 9; no carry crosses bytes in 0x30-0x3f). */
const fourDigits = (x: number) => (x & 0xf0f0f0f0) === 0x30303030 && ((x + 0x06060606) & 0xf0f0f0f0) === 0x30303030
const twoDigits = (x: number) => (x & 0xf0f0) === 0x3030 && ((x + 0x0606) & 0xf0f0) === 0x3030

/** `YYYY-MM-DD[T ]hh:mm:ss`, its digits read two and four at a time. The caller knows the line holds 19 bytes from s. */
function timestampShape(m: Uint8Array, v: DataView, s: number): boolean {
  return (
    fourDigits(v.getUint32(s, true)) &&
    isDateSeparator(m[s + 4]) &&
    twoDigits(v.getUint16(s + 5, true)) &&
    isDateSeparator(m[s + 7]) &&
    twoDigits(v.getUint16(s + 8, true)) &&
    (m[s + 10] === 84 /* T */ || m[s + 10] === 32) &&
    twoDigits(v.getUint16(s + 11, true)) &&
    m[s + 13] === 58 &&
    twoDigits(v.getUint16(s + 14, true)) &&
    m[s + 16] === 58 &&
    twoDigits(v.getUint16(s + 17, true))
  )
}
