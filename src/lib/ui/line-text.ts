/**
 * A job's line measured, cut and searched for a full-screen terminal UI (made safe for
 * it first by render/terminal-safe.ts): widths count wide characters as two columns.
 */
import stringWidth from 'string-width'
import wrapAnsi from 'wrap-ansi'

// eslint-disable-next-line no-control-regex
const ANY_ESCAPE = /\u001B\[[0-9;:]*m/g
// eslint-disable-next-line no-control-regex
const SGR_PARTS = /(\u001B\[[0-9;:]*m)/

export function withoutColor(text: string): string {
  return text.includes('\u001B') ? text.replace(ANY_ESCAPE, '') : text
}

const TAB_STOP = 8

/** Tabs in a line made terminalSafe as spaces to the next tab stop, counted in the columns the terminal draws (colours take none). */
export function expandTabs(text: string): string {
  if (!text.includes('\t')) return text
  let out = ''
  let column = 0
  for (const part of text.split(SGR_PARTS)) {
    if (part.startsWith('\u001B')) {
      out += part
      continue
    }
    const cells = part.split('\t')
    for (let i = 0; i < cells.length; i++) {
      if (i > 0) {
        const spaces = TAB_STOP - (column % TAB_STOP)
        out += ' '.repeat(spaces)
        column += spaces
      }
      out += cells[i]
      column += stringWidth(cells[i])
    }
  }
  return out
}

/** Columns a string of plain text takes, as the terminal draws it (string-width: East Asian wide and emoji 2, combining marks 0). */
export const displayWidth: (text: string) => number = stringWidth

const GRAPHEMES = new Intl.Segmenter(undefined, {granularity: 'grapheme'})
const ELLIPSIS = '…'

/**
 * `text` (colour sequences allowed) cut to `columns` with a trailing "…" when it is wider:
 * exactly `columns` wide, or one less when a wide character would straddle the "…".
 * Ink's own truncate (cli-truncate) keeps such a character, overflows by one column, and
 * the terminal's edge then cuts the "…" off.
 */
export function cutToWidth(text: string, columns: number): string {
  if (stringWidth(text) <= columns) return text
  if (columns < 1) return ''
  let out = ''
  let used = 0
  let styled = false
  for (const part of text.split(SGR_PARTS)) {
    if (part.startsWith('\u001B')) {
      out += part
      styled = true
      continue
    }
    for (const {segment} of GRAPHEMES.segment(part)) {
      const width = stringWidth(segment)
      if (used + width > columns - 1) return `${out}${styled ? '\u001B[0m' : ''}${ELLIPSIS}`
      out += segment
      used += width
    }
  }
  return out // not reached: the text is wider than `columns`
}

/**
 * Rows `text` takes in a `columns`-wide area: 1 unless wrapped; wrapped, exactly as Ink
 * lays it out (wrap-ansi, word wrap, hard breaks), since the viewer only draws what fits.
 */
export function rowsFor(text: string, columns: number, wrap: boolean): number {
  if (!wrap || stringWidth(text) <= columns) return 1
  return wrapAnsi(text, Math.max(1, columns), {trim: false, hard: true}).split('\n').length
}

/**
 * The `/` search as a regular expression: the text as a regex when it is one, else
 * literally; case-insensitive unless it holds an upper-case letter (smart case, as in less and vim).
 */
export function searchPattern(query: string): RegExp | undefined {
  if (query === '') return undefined
  const flags = /[A-Z]/.test(query) ? 'g' : 'gi'
  try {
    const regex = new RegExp(query, flags)
    if (regex.test('')) return new RegExp(escapeRegex(query), flags) // matches nothing useful, e.g. "a*"
    return regex
  } catch {
    return new RegExp(escapeRegex(query), flags) // an unfinished regex while typing: search the text as is
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export interface Segment {
  text: string
  match: boolean
}

/** Splits plain text into runs that do and do not match the search. */
export function matchSegments(plain: string, pattern: RegExp): Segment[] {
  const segments: Segment[] = []
  let last = 0
  pattern.lastIndex = 0
  for (let match = pattern.exec(plain); match; match = pattern.exec(plain)) {
    if (match[0] === '') {
      pattern.lastIndex++
      continue
    }
    if (match.index > last) segments.push({text: plain.slice(last, match.index), match: false})
    segments.push({text: match[0], match: true})
    last = match.index + match[0].length
  }
  if (last < plain.length) segments.push({text: plain.slice(last), match: false})
  return segments
}

export function lineMatches(plain: string, pattern: RegExp): boolean {
  pattern.lastIndex = 0
  return pattern.test(plain)
}
