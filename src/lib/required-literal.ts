/**
 * The longest run of plain characters that every match of a regular expression must
 * contain, as UTF-8 bytes: `item 12345[0-9]` → `item 12345`. A byte search for it
 * (Buffer.indexOf, memchr speed) then stands in for decoding and searching text that
 * cannot match — how `get --grep` reads a big log at the speed of the disk.
 *
 * Conservative by construction: only characters outside groups and classes count, a
 * character made optional by `?`, `*` or `{…}` is dropped, and a pattern with a top-level
 * `|` or a flag that changes what a character matches (i, u, v) has no literal. Callers
 * still test each candidate line with the pattern itself.
 *
 * Patterns are RE2 syntax (../pattern.ts): RE2 forms this scanner does not model — inline
 * flags `(?i)`, quoting `\Q…\E`, `\x{…}`, `\p{…}`/`\pL`, POSIX classes `[[:alpha:]]` —
 * give no literal rather than a wrong one.
 */
import type {Pattern} from './pattern.js'

/** Shorter literals are too common to be worth a byte search of their own. */
const MIN_BYTES = 3
const QUANTIFIER = /^\{\d+(?:,\d*)?\}/
/** RE2 syntax whose effect on required characters the scanner below does not model. */
const UNMODELLED = /\(\?[a-zA-Z-]+[:)]|\\[QEpPC]|\\x\{|\[:/

export function requiredLiteral(pattern: Pick<Pattern, 'source' | 'flags'>): Buffer | undefined {
  if (/[iuv]/.test(pattern.flags) || UNMODELLED.test(pattern.source)) return undefined
  const runs = literalRuns(pattern.source)
  if (!runs) return undefined
  const longest = runs.reduce((best, run) => (run.length > best.length ? run : best), '')
  // U+FFFD in a pattern can match what the decoder made of invalid bytes, which are not its bytes;
  // without the u flag a quantifier may split a surrogate pair.
  if (/[\uFFFD\uD800-\uDFFF]/.test(longest)) return undefined
  const bytes = Buffer.from(longest, 'utf8')
  return bytes.length >= MIN_BYTES ? bytes : undefined
}

/**
 * requiredLiteral of a pattern that ignores case (`get -i`), as ASCII bytes a matching line
 * holds in some ASCII case: the longest required run that is ASCII without `k` or `s`
 * (RE2 folds those with U+212A KELVIN SIGN and U+017F LONG S, whose bytes differ; every
 * other ASCII character folds only to its other ASCII case, or to none).
 */
export function caselessLiteral(pattern: Pick<Pattern, 'source' | 'flags'>): Buffer | undefined {
  if (pattern.flags !== 'i' || UNMODELLED.test(pattern.source)) return undefined
  // A part of a required run is required too: the parts between the characters the byte search cannot fold.
  const runs = literalRuns(pattern.source)?.flatMap((run) => run.split(NOT_CASELESS))
  if (!runs?.length) return undefined
  const longest = runs.reduce((best, run) => (run.length > best.length ? run : best), '')
  return longest.length >= MIN_BYTES ? Buffer.from(longest, 'latin1') : undefined
}

/** Beyond ASCII, or folded beyond it by RE2. */
const NOT_CASELESS = /[\u0080-\uFFFF]|[ksKS]/

/** Runs of required characters at the top level; undefined when the pattern has a top-level alternative. */
function literalRuns(source: string): string[] | undefined {
  const runs: string[] = []
  let run = ''
  let depth = 0
  const endRun = () => {
    if (run) runs.push(run)
    run = ''
  }
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    let literal: string | undefined
    if (c === '\\') {
      const next = source[i + 1] ?? ''
      i += escapeLength(source, i) - 1
      if (/[^0-9A-Za-z]/.test(next)) literal = next // an escaped punctuation character stands for itself
    } else if (c === '[') {
      i = classEnd(source, i)
    } else if (c === '(') {
      depth++
    } else if (c === ')') {
      depth--
    } else if (c === '|') {
      if (depth === 0) return undefined
    } else if (c === '{' && QUANTIFIER.test(source.slice(i))) {
      i = source.indexOf('}', i)
    } else if (!'^$.?*+'.includes(c)) {
      literal = c
    }
    if (literal === undefined || depth > 0) {
      endRun()
      continue
    }
    const quantifier = source[i + 1]
    if (quantifier === '?' || quantifier === '*' || quantifier === '{') {
      endRun() // optional: not required
    } else {
      run += literal
      if (quantifier === '+') endRun() // required once; what follows need not be next to it
    }
  }
  endRun()
  return runs
}

/** Length of the escape sequence starting at `at` (the backslash). */
function escapeLength(source: string, at: number): number {
  const kind = source[at + 1]
  if (kind === 'x') return 4
  if (kind === 'u') return 6
  if (kind === 'c') return 3
  if (kind === 'k' && source[at + 2] === '<') return source.indexOf('>', at) - at + 1
  if (kind !== undefined && /[1-9]/.test(kind)) return 1 + /^\d+/.exec(source.slice(at + 1))![0].length
  return 2
}

/** Index of the `]` closing the class that starts at `at`. */
function classEnd(source: string, at: number): number {
  for (let i = at + 1; i < source.length; i++) {
    if (source[i] === '\\') i++
    else if (source[i] === ']') return i
  }
  return source.length
}
