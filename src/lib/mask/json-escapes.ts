/**
 * A line as a JSON reader sees its strings: JSON string escapes decoded (`\uXXXX` with
 * either case of hex digits, `\/`, `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`), each decoded
 * character knowing the span of the line it came from. The masker matches values and
 * detectors against this view and masks the spans, so an encoder's way of escaping a
 * secret (Go's `\u0026`, .NET's `\u002B`, PHP's `\/`, any mix) cannot hide it, and the rest
 * of the line keeps its bytes. Anything else after a backslash stays as it is.
 *
 * The whole line is decoded, not only what is inside its strings: a secret is a secret
 * wherever it is, and the masker matches the line as written too.
 */

const SHORT: Record<string, string> = {'"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t'}

/** The two-character escapes (`\n`): the character they stand for, by the one after the backslash. */
export const SHORT_ESCAPES: ReadonlyArray<[string, string]> = Object.entries(SHORT)

export interface Unescaped {
  text: string
  /** Where in the line the span that the i-th UTF-16 unit of `text` decodes starts, and ends. */
  starts: number[]
  ends: number[]
}

/**
 * `line` decoded; undefined when it holds no escape. `latin1`: the line is not UTF-8 and
 * `line` holds its bytes as latin1 characters, so a `\u` escape decodes to the latin1
 * characters of its UTF-8 bytes, as a value's latin1 form has them.
 */
export function unescapeJson(line: string, latin1: boolean): Unescaped | undefined {
  let text = ''
  const starts: number[] = []
  const ends: number[] = []
  let escaped = false
  const push = (decoded: string, start: number, end: number) => {
    text += decoded
    for (let k = 0; k < decoded.length; k++) {
      starts.push(start)
      ends.push(end)
    }
  }
  for (let i = 0; i < line.length;) {
    const char = line[i]
    if (char !== '\\') {
      push(char, i, i + 1)
      i++
      continue
    }
    const short = SHORT[line[i + 1]]
    if (short !== undefined) {
      push(short, i, i + 2)
      escaped = true
      i += 2
      continue
    }
    const unit = hexUnit(line, i)
    if (unit === undefined) {
      push(char, i, i + 1)
      i++
      continue
    }
    escaped = true
    if (!latin1) {
      push(String.fromCharCode(unit), i, i + 6)
      i += 6
      continue
    }
    // A surrogate pair is one character: its UTF-8 bytes come from both escapes.
    const low = unit >= 0xd800 && unit < 0xdc00 ? hexUnit(line, i + 6) : undefined
    const pair = low !== undefined && low >= 0xdc00 && low < 0xe000
    const decoded = pair ? String.fromCharCode(unit, low) : String.fromCharCode(unit)
    const end = i + (pair ? 12 : 6)
    push(Buffer.from(decoded, 'utf8').toString('latin1'), i, end)
    i = end
  }
  return escaped ? {text, starts, ends} : undefined
}

/** The UTF-16 unit of a `\uXXXX` escape at `at`, if one is there. */
function hexUnit(line: string, at: number): number | undefined {
  if (line[at] !== '\\' || line[at + 1] !== 'u') return undefined
  const digits = line.slice(at + 2, at + 6)
  return /^[0-9A-Fa-f]{4}$/.test(digits) ? Number.parseInt(digits, 16) : undefined
}
