/**
 * One log line as DOM: line-number link, optional timestamp, the text with its ANSI colours
 * and search highlights. Built with createElement/textContent only: log text is data,
 * never markup.
 */
import {sectionFacts, type SectionMark} from '../../src/lib/structure/folds.js'
import {markerText} from '../../src/lib/structure/marker-text.js'
import {isColorClass, parseAnsi, plainText, type Segment} from './ansi.js'
import {isUnreadable, type CachedRow} from './entry-cache.js'

export interface RowOptions {
  timestamps: boolean
  /** Lower-cased search term to highlight, or '' for none. */
  highlight: string
  /** Seq of the line the URL points at (#L…). */
  target: number
  /** Seq of the current search match. */
  currentMatch: number
  /** The section this line is the header of. */
  section?: SectionMark
}

export function renderRow(seq: number, entry: CachedRow | undefined, options: RowOptions): HTMLElement {
  const row = document.createElement('div')
  row.className = 'row'
  row.dataset.seq = String(seq)
  if (seq === options.target) row.classList.add('target')
  if (seq === options.currentMatch) row.classList.add('current-match')

  const gutter = document.createElement('a')
  gutter.className = 'gutter'
  gutter.href = `#L${seq}`
  gutter.textContent = String(seq)
  row.append(gutter)

  if (!entry || isUnreadable(entry)) {
    row.classList.add(entry ? 'unreadable' : 'loading')
    const text = document.createElement('span')
    text.className = 'text'
    // A damaged block is named on its first row only: its other rows say no more than that.
    text.textContent = !entry ? '…' : seq === entry.unreadable.firstSeq ? `unreadable: ${entry.unreadable.what}` : 'unreadable'
    row.append(text)
    return row
  }
  if (entry.level) row.classList.add(`level-${entry.level}`)
  if (entry.stream === 'stderr') row.classList.add('stderr')
  if (options.timestamps) {
    const ts = document.createElement('span')
    ts.className = 'ts'
    ts.textContent = formatTimestamp(entry.ts)
    row.append(ts)
  }
  const marker = markerText(entry.line)
  if (marker !== undefined) row.append(renderMarker(marker, options.section))
  else row.append(renderText(entry.line, options.highlight))
  return row
}

/**
 * A section marker as a header instead of `::group::` or GitLab's escape sequences: with
 * its section known, a fold button (clicked: folds or unfolds), the title and its facts
 * (duration, lines, errors); an end marker or one whose section is not known yet as its text.
 */
function renderMarker(marker: string, mark: SectionMark | undefined): HTMLElement {
  const text = document.createElement('span')
  text.className = 'text section-marker'
  if (!mark) {
    text.textContent = marker
    return text
  }
  text.classList.add('section-header')
  if (mark.folded) text.classList.add('folded')
  // A span, not a button: a button's own box would make the row taller than the list's fixed row height.
  const fold = document.createElement('span')
  fold.setAttribute('role', 'button')
  fold.className = 'fold'
  fold.textContent = mark.folded ? '▸' : '▾'
  fold.title = mark.folded ? 'Unfold this section (z)' : 'Fold this section (z)'
  fold.setAttribute('aria-expanded', String(!mark.folded))
  const title = document.createElement('span')
  title.className = 'section-title'
  title.textContent = mark.section.title || mark.section.name
  const facts = document.createElement('span')
  facts.className = 'section-facts'
  facts.textContent = sectionFacts(mark.section)
  if (mark.section.failed || (mark.section.levels.error ?? 0) + (mark.section.levels.fatal ?? 0) > 0) facts.classList.add('has-errors')
  text.append(fold, title, facts)
  return text
}

export function formatTimestamp(ts: number): string {
  const date = new Date(ts)
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().replace('T', ' ').replace('Z', '')
}

function renderText(line: string, highlight: string): HTMLElement {
  const text = document.createElement('span')
  text.className = 'text'
  const segments = parseAnsi(line)
  const plain = plainText(segments)
  const lower = plain.toLowerCase()
  // Lower-casing can change a string's length (rare scripts): highlight only when offsets still line up.
  const ranges = highlight && lower.length === plain.length ? findRanges(lower, highlight) : []
  let offset = 0
  let rangeIndex = 0
  for (const segment of segments) {
    const end = offset + segment.text.length
    let cursor = offset
    while (cursor < end) {
      const range = ranges[rangeIndex]
      if (!range || range[0] >= end) {
        text.append(styled(segment, segment.text.slice(cursor - offset), false))
        cursor = end
      } else if (range[0] > cursor) {
        text.append(styled(segment, segment.text.slice(cursor - offset, range[0] - offset), false))
        cursor = range[0]
      } else {
        const stop = Math.min(range[1], end)
        text.append(styled(segment, segment.text.slice(cursor - offset, stop - offset), true))
        cursor = stop
        if (stop === range[1]) rangeIndex++
      }
    }
    offset = end
  }
  return text
}

function findRanges(haystack: string, needle: string): [number, number][] {
  const ranges: [number, number][] = []
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) {
    ranges.push([at, at + needle.length])
  }
  return ranges
}

function styled(segment: Segment, text: string, marked: boolean): Node {
  const style = segment.style
  if (!style && !marked) return document.createTextNode(text)
  const node = document.createElement(marked ? 'mark' : 'span')
  node.textContent = text
  if (!style) return node
  if (style.fg) applyColor(node, 'fg', style.fg)
  if (style.bg) applyColor(node, 'bg', style.bg)
  if (style.bold) node.classList.add('bold')
  if (style.dim) node.classList.add('dim')
  if (style.italic) node.classList.add('italic')
  if (style.underline) node.classList.add('underline')
  if (style.inverse) node.classList.add('inverse')
  return node
}

function applyColor(node: HTMLElement, where: 'fg' | 'bg', color: string): void {
  if (isColorClass(color)) node.classList.add(`${where}-${color}`)
  else if (where === 'fg') node.style.color = color
  else node.style.backgroundColor = color
}
