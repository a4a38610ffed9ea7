/**
 * User patterns (`--grep`, `--exclude`, the relay's `grep=`/`exclude=`): compiled once,
 * here, with RE2 semantics (re2js, a pure-JS port of RE2). Matching takes time linear in
 * the text, whatever the pattern: a pattern sent over the network cannot freeze the
 * relay the way `^(a+)+$` freezes a backtracking engine, and a pattern means the same in
 * `get`, `tail` and the relay.
 *
 * Plain text is matched as a substring, and alternatives of fixed-length sequences by V8's
 * own RegExp (./fixed-length-pattern.ts): both exactly where RE2 matches, without loading it.
 *
 * RE2 has no backreferences and no lookaround; those are usage errors that say so. The
 * size of what a pattern compiles to is bounded too (its length and its repetition
 * counts), since the cost of a match is the text's length times the program's size.
 */
import {createRequire} from 'node:module'
import type {RE2JS} from 're2js'
import {UsageError} from './errors/index.js'
import {fixedLengthRegExp} from './fixed-length-pattern.js'

/** re2js is loaded when a first pattern is compiled: its import costs every command's start-up ~15 ms, and most commands have no pattern. */
let re2: typeof RE2JS | undefined
const loadRe2 = () => (re2 ??= (createRequire(import.meta.url)('re2js') as {RE2JS: typeof RE2JS}).RE2JS)

/** What the matching code needs: `flags` is 'i' when case is ignored (see required-literal.ts). */
export interface Pattern {
  readonly source: string
  readonly flags: string
  test(text: string): boolean
}

export const MAX_PATTERN_LENGTH = 512
/** Patterns per query (--grep and --exclude together). */
export const MAX_PATTERNS = 16
/** Sum of the pattern's repetition counts (`x{100}` counts 100): bounds its program's size. */
const MAX_REPEAT_TOTAL = 1000
const MAX_PROGRAM_SIZE = 5000
/** RE2's special characters, and surrogates (text beyond the BMP, or broken): such patterns go to RE2. */
const METACHARACTERS = /[\\.+*?()|[\]{}^$\uD800-\uDFFF]/

const SYNTAX_HINT = 'patterns use RE2 syntax (like JavaScript or grep -E, without backreferences or lookaround); escape a literal with a backslash'

export function compilePattern(source: string, where: string, ignoreCase = false): Pattern {
  const invalid = (why: string, hints: string[] = [SYNTAX_HINT]) =>
    new UsageError(`invalid regular expression ${JSON.stringify(source.length > 80 ? `${source.slice(0, 80)}…` : source)} for ${where}: ${why}`, hints)
  if (source.length > MAX_PATTERN_LENGTH) throw invalid(`longer than ${MAX_PATTERN_LENGTH} characters`, [])
  let repeats = 0
  for (const match of source.matchAll(/\{(\d+)(?:,(\d*))?\}/g)) repeats += Math.max(Number(match[1]), Number(match[2] || 0))
  if (repeats > MAX_REPEAT_TOTAL) throw invalid(`its repetition counts add up to more than ${MAX_REPEAT_TOTAL}`, [])
  if (!ignoreCase) {
    // Plain text (the common `--grep ERROR`) matches where RE2 would: a substring test, without RE2's start-up cost.
    if (isPlainText({source, flags: ''})) return {source, flags: '', test: (text) => text.includes(source)}
    const native = fixedLengthRegExp(source)
    if (native) return {source, flags: '', test: (text) => native.test(text)}
  }
  let compiled: RE2JS
  const RE2 = loadRe2()
  try {
    compiled = RE2.compile(source, ignoreCase ? RE2.CASE_INSENSITIVE : 0)
  } catch (error) {
    throw invalid(explain((error as Error).message))
  }
  if (compiled.programSize() > MAX_PROGRAM_SIZE) throw invalid('it is too large to match in bounded time; use a shorter pattern', [])
  return {source, flags: ignoreCase ? 'i' : '', test: (text) => compiled.test(text)}
}

/** True when the pattern matches exactly the texts that hold its source: plain text, case kept. */
export function isPlainText(pattern: Pick<Pattern, 'source' | 'flags'>): boolean {
  return pattern.flags === '' && !METACHARACTERS.test(pattern.source)
}

/** Throws when a query holds more patterns than a query may. */
export function checkPatternCount(count: number, where: string): void {
  if (count > MAX_PATTERNS) throw new UsageError(`too many patterns for ${where}: ${count}, at most ${MAX_PATTERNS}`, ['combine alternatives into one pattern with |'])
}

function explain(message: string): string {
  const why = message.replace(/^error parsing regexp: /, '')
  if (/invalid escape sequence: `\\[1-9]/.test(message)) return `${why} (backreferences are not supported)`
  if (/\(\?[=!]|\(\?<[=!]/.test(message)) return `${why} (lookahead and lookbehind are not supported)`
  return why
}
