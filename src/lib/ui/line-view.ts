/**
 * How one entry looks in the log area: job prefix (stable colour), optional timestamp,
 * then the line with its level colour or its own ANSI colours (or none with
 * `--no-color`), search matches in reverse video. Also its height in rows, so that the
 * viewer only lays out what fits.
 */
import type {ChalkInstance} from 'chalk'
import {formatTimestamp, levelColor} from '../render/format-entry.js'
import {markerText} from '../structure/marker-text.js'
import {sectionFacts, type Folds, type SectionMark} from './folds.js'
import {jobPrefixColor, padJobId} from '../tail/job-colors.js'
import type {ViewEntry} from './log-buffer.js'
import {cutToWidth, expandTabs, lineMatches, matchSegments, rowsFor, withoutColor} from './line-text.js'
import {terminalSafe} from '../render/terminal-safe.js'

export interface LineStyle {
  /** Colours of the content (level 0 when colours are off). */
  paint: ChalkInstance
  /** Styles of the viewer itself (reverse video, bold): on even with --no-color, since they are not colours. */
  ui: ChalkInstance
  timestamps: boolean
  /** Width of the job prefix column; 0 when a single job is shown. */
  prefixWidth: number
  columns: number
  wrap: boolean
  /** The jobs' sections: a marker line shows as its section's header (folded or not, duration, lines, errors). */
  folds?: Folds
}

export interface LineParts {
  head: string
  body: string
  plainBody: string
  /** A section's marker line, shown as its header. */
  header?: true
}

export function lineParts(item: ViewEntry, style: LineStyle): LineParts {
  let head = ''
  if (style.prefixWidth > 0) {
    head += jobPrefixColor(style.paint, item.job)(padJobId(item.job, style.prefixWidth)) + ' '
  }
  if (style.timestamps) {
    const ts = formatTimestamp(item.entry.ts)
    head += style.paint.dim(ts) + ' '
  }
  const marker = markerText(item.entry.line)
  if (marker !== undefined) {
    const mark = style.folds?.startingAt(item)
    const plainBody = mark ? sectionHeader(mark) : marker
    return {head, body: style.ui.bold(plainBody), plainBody, header: true}
  }
  const colored = style.paint.level > 0
  const safe = expandTabs(terminalSafe(item.entry.line, colored))
  const plainBody = withoutColor(safe)
  const body = colored && safe === plainBody ? levelColor(style.paint, item.entry.level)(safe) : safe
  return {head, body, plainBody}
}

/** `▸ Build  12s · 40 lines · 2 errors`: the fold mark as shown, the duration so far ("running") while it is open. */
export function sectionHeader({section, folded}: SectionMark): string {
  return `${folded ? '▸' : '▾'} ${section.title || section.name}  ${sectionFacts(section)}`
}

export function lineRows(parts: LineParts, style: LineStyle): number {
  return rowsFor(withoutColor(parts.head) + parts.plainBody, style.columns, style.wrap)
}

/**
 * The text to draw, cut to the width with "…" unless lines wrap; with a search, the line
 * loses its own colours so matches can be marked exactly. A section header at the cursor
 * (`]`, `[`, `z`) is shown in reverse video.
 */
export function lineText(parts: LineParts, style: LineStyle, pattern: RegExp | undefined, current: boolean): string {
  const text = markedText(parts, style, pattern, current)
  return style.wrap ? text : cutToWidth(text, style.columns)
}

function markedText(parts: LineParts, style: LineStyle, pattern: RegExp | undefined, current: boolean): string {
  if (!pattern || !lineMatches(parts.plainBody, pattern)) return parts.head + (current && parts.header ? style.ui.inverse(parts.plainBody) : parts.body)
  const mark = current ? style.ui.black.bgYellow : style.ui.inverse
  let text = parts.head
  for (const segment of matchSegments(parts.plainBody, pattern)) text += segment.match ? mark(segment.text) : segment.text
  return text
}
