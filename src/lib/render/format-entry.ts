/**
 * How an entry looks in each `--output` mode:
 *   text — for people: optional timestamp and job prefix, level colour on a TTY;
 *   json — one EntryRecord per line (stable schema: seq, ts, level, stream, line, fields);
 *   raw  — the original bytes, newline only where the input had one.
 */
import type {ChalkInstance} from 'chalk'
import {isUtf8} from 'node:buffer'
import {MARKER_STARTS, markerText, startsAsMarker} from '../structure/marker-text.js'
import {MARKERS_AFTER_PREFIX} from '../structure/markers.js'
import {MAX_LINE_PREFIX} from '../line-prefix.js'
import {rawBytes, recordJson, type LogEntry} from '../entry.js'
import {stripAnsi, type Level} from '../level.js'
import {terminalSafe} from './terminal-safe.js'

export type OutputMode = 'text' | 'json' | 'raw'
export const OUTPUT_MODES: readonly OutputMode[] = ['text', 'json', 'raw']

export interface TextStyle {
  chalk: ChalkInstance
  timestamps: boolean
  /** Job id shown before each line when following several jobs. */
  prefix?: string
  prefixColor?: (text: string) => string
  /** Printed on a terminal: lines keep no control codes but colours (terminal-safe.ts), also with colour off. */
  terminal?: boolean
}

export function levelColor(chalk: ChalkInstance, level: Level | undefined): (text: string) => string {
  switch (level) {
    case 'fatal':
      return chalk.bgRed.white
    case 'error':
      return chalk.red
    case 'warn':
      return chalk.yellow
    case 'debug':
      return chalk.gray
    case 'trace':
      return chalk.dim
    default:
      return (text) => text
  }
}

export function formatTimestamp(ts: number): string {
  return new Date(ts).toISOString()
}

/**
 * One line of text output, with its newline. Continuation pieces of a split line are joined
 * without one — but for a job's line among others' (a prefix), whose next line may be another job's.
 * `continued`: the entry goes on a line printed before it (a piece after a piece): not a line
 * start, so not a section marker.
 */
export function formatText(entry: LogEntry, style: TextStyle, continued = false): string {
  const colored = style.chalk.level > 0
  let line = entry.line.endsWith('\r') ? entry.line.slice(0, -1) : entry.line
  const header = continued ? undefined : markerText(line)
  if (header !== undefined) line = style.chalk.bold(header)
  else if (colored || style.terminal) {
    line = terminalSafe(line, colored)
    if (colored && !line.includes('\u001B')) line = levelColor(style.chalk, entry.level)(line)
  } else line = stripAnsi(line)
  let head = ''
  if (style.prefix) head += (style.prefixColor ?? ((t: string) => t))(`${style.prefix} `)
  if (style.timestamps) head += style.chalk.dim(`${formatTimestamp(entry.ts)} `)
  return `${head}${line}${entry.eol || style.prefix ? '\n' : ''}`
}

/**
 * Text lines of one job's entries as they are printed: the pieces of a line over
 * --max-line-bytes, printed one after another, are joined as one line with its time once;
 * a piece whose next piece is not printed next (a filter left it out) ends its line there.
 * `before` (a context separator) comes at the start of the entry's line.
 */
export class TextLineJoiner {
  private openSeq: number | undefined

  format(entry: LogEntry, style: TextStyle, before = ''): string {
    const joins = this.openSeq !== undefined && entry.seq === this.openSeq + 1
    const ended = this.openSeq !== undefined && !joins ? '\n' : ''
    this.openSeq = entry.eol || style.prefix ? undefined : entry.seq
    return ended + before + formatText(entry, joins ? {...style, timestamps: false} : style, joins)
  }

  /**
   * Entries first..last (or those of them a filter took) are printed another way (stored
   * bytes copied, see readsAsText); `open`: the last of them without its newline. Returns
   * what goes before them: the end of an open line whose next piece they do not start with.
   */
  copied(first: number, last: number, open: boolean): string {
    const ended = this.openSeq !== undefined && first !== this.openSeq + 1 ? '\n' : ''
    this.openSeq = open ? last : undefined
    return ended
  }
}

const ESC = 0x1b
const CR = 0x0d
/** A marker start after a newline, searched by its first bytes: Buffer.indexOf takes a slower path for a needle of 7 bytes or more. */
const MARKER_LINES = MARKER_STARTS.map((start) => ({needle: Buffer.from(`\n${start.slice(0, 4)}`), start: Buffer.from(start)}))

function hasLineStarting(bytes: Buffer, {needle, start}: (typeof MARKER_LINES)[number]): boolean {
  for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) {
    if (bytes.compare(start, 0, start.length, at + 1, Math.min(at + 1 + start.length, bytes.length)) === 0) return true
  }
  return false
}

/** A marker behind a line prefix, searched by the marker's first bytes and told by the line it is in. */
const MARKERS_BEHIND = MARKERS_AFTER_PREFIX.map((start) => Buffer.from(start.slice(0, 4)))

function hasMarkerBehindPrefix(bytes: Buffer, needle: Buffer): boolean {
  for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) {
    const from = Math.max(0, at - MAX_LINE_PREFIX)
    const newline = bytes.subarray(from, at).lastIndexOf(10)
    if (newline === -1 && from > 0) continue // no line starts near enough before it
    const lineStart = newline === -1 ? 0 : from + newline + 1
    if (startsAsMarker(bytes.toString('latin1', lineStart, at + 16))) return true
  }
  return false
}

/**
 * True when text output without colour, timestamps or prefix prints these stored bytes of
 * whole entries as they are: valid UTF-8, no ANSI sequence or carriage return (formatText
 * drops them), no line that starts as a section marker does (written as a header). A piece
 * of a split line never starts a line in text output (formatText's `continued`), so only
 * starts of lines count, and the first bytes, which may start one.
 */
export function readsAsText(bytes: Buffer): boolean {
  if (bytes.includes(ESC) || bytes.includes(CR) || !isUtf8(bytes)) return false
  return (
    !startsAsMarker(bytes.toString('latin1', 0, 64)) &&
    !MARKER_LINES.some((line) => hasLineStarting(bytes, line)) &&
    !MARKERS_BEHIND.some((needle) => hasMarkerBehindPrefix(bytes, needle))
  )
}

export function formatJson(entry: LogEntry, job?: string): string {
  return `${recordJson(entry, {fields: true, job: job || undefined})}\n`
}

export function formatEntry(entry: LogEntry, mode: OutputMode, style: TextStyle): string | Buffer {
  if (mode === 'raw') return rawBytes(entry)
  if (mode === 'json') return formatJson(entry, style.prefix)
  return formatText(entry, style)
}
