/**
 * Patterns that V8's own RegExp matches exactly where RE2 does, in time linear in the text:
 * alternatives, each an optional `^`, then characters, escaped metacharacters, `.` and
 * classes of characters and ranges, each taken once or an exact `{n}` times, then an
 * optional `$`. Every atom has one length, so a match attempt never backtracks inside an
 * alternative, and each start costs at most the pattern's length with its counts expanded
 * (both bounded by ./pattern.ts): `item 12345[0-9]`, `ERROR|FATAL`, `^\[[0-9]{4}-`.
 * Loading and compiling re2js took 20–30 ms of a command's start for such patterns.
 *
 * Where the two engines differ, the pattern goes to RE2: `*`, `+`, `?`, `{n,m}` and groups
 * (choices a backtracking engine may try over and over), `\d`-style escapes, POSIX classes
 * (`[[:alpha:]]`), a `[` inside a class, characters outside the BMP (surrogate pairs here).
 * Matched with the u flag, as RE2 matches code points; `.` is written `[^\n]`, since V8's
 * `.` also refuses \r, U+2028 and U+2029.
 */

/** What JavaScript's u flag lets a backslash escape outside a class: its syntax characters and `/`. */
const SYNTAX = new Set('\\^$.*+?()[]{}|/')
/** Characters that are syntax to RE2 (or to V8 when alone, as `]` and `}` are): never a literal here. */
const SPECIAL = new Set('\\^$.*+?()[]{}|')
/** What may follow an atom's exact count: another count, or a quantifier that gives it a choice. */
const QUANTIFIERS = new Set('*+?{')
const isSurrogate = (char: string) => char >= '\uD800' && char <= '\uDFFF'

/** The RegExp for a pattern of that form, or undefined when it is not one (RE2 decides it). */
export function fixedLengthRegExp(source: string): RegExp | undefined {
  let out = ''
  let at = 0
  const next = () => source[at++]
  while (at <= source.length) {
    if (source[at] === '^') out += next()
    for (;;) {
      const char = source[at]
      if (char === undefined || char === '|' || char === '$') break
      const atom = readAtom()
      if (atom === undefined) return undefined
      out += atom
      if (source[at] === '{') {
        const count = /^\{\d+\}/.exec(source.slice(at, at + 8))?.[0]
        if (count === undefined) return undefined
        out += count
        at += count.length
      }
      if (QUANTIFIERS.has(source[at])) return undefined
    }
    if (source[at] === '$') out += next()
    if (at === source.length) break
    if (source[at] !== '|') return undefined
    out += next()
  }
  try {
    return new RegExp(out, 'u')
  } catch {
    return undefined // a range out of order, say: RE2 says what is wrong
  }

  function readAtom(): string | undefined {
    const char = next()
    if (char === '.') return '[^\\n]'
    if (char === '\\') {
      const escaped = next()
      return escaped !== undefined && SYNTAX.has(escaped) ? `\\${escaped}` : undefined
    }
    if (char === '[') return readClass()
    return SPECIAL.has(char) || isSurrogate(char) ? undefined : char
  }

  function readClass(): string | undefined {
    let text = '['
    if (source[at] === '^') text += next()
    for (let items = 0; ; items++) {
      const char = next()
      if (char === undefined || char === '[' || isSurrogate(char)) return undefined
      if (char === ']') return items === 0 ? undefined : `${text}]`
      if (char === '\\') {
        const escaped = next()
        if (escaped === undefined || !(SYNTAX.has(escaped) || escaped === '-')) return undefined
        text += `\\${escaped}`
      } else text += char
    }
  }
}
