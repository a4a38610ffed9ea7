/**
 * Multi-line records at capture: a stack trace is one record of many lines, and its
 * continuation lines take the level of the line that started it — so `--level error`
 * returns the `at …` frames and the `Caused by:` with the exception, not its first line alone.
 *
 *   Java/JVM   `\tat …`, `Caused by: …`, `Suppressed: …`, `... N more` / `common frames omitted`
 *   Node.js    `    at …`
 *   Python     `Traceback (most recent call last):` … indented frames … the exception line
 *   Go         `panic: …`, `goroutine N [running]:`, function lines and tab-indented frames
 *   databases  `DETAIL:`, `HINT:`, `CONTEXT:`, `STATEMENT:`, `QUERY:` (PostgreSQL's two spaces)
 *
 * Lines arrive one by one (a record's first line is stored before its continuation is
 * read), so the start line keeps the level it had: a traceback or panic start, or an
 * `…Exception:`/`…Error:` line, with no level word of its own is an error. One tracker per
 * stream. Only a line's head is looked at, and most lines are let go on their first byte.
 * The lines of a record are marked (`record`: start, continuation) for `--output json`;
 * a first line already stored when its continuation arrives is marked start by readers
 * (record-starts.ts), as a stored entry is not rewritten.
 */
import {isUtf8} from 'node:buffer'
import {byteLength, firstByte, type NewEntry} from '../entry.js'
import {stripAnsi, type Level} from '../level.js'

type Kind = 'plain' | 'frames' | 'python' | 'python-end' | 'go'

const HEAD_BYTES = 200
const FRAME = /^\s+at \S|^\s*(?:Caused by|Suppressed): |^\s*\.\.\. \d+ (?:more|common frames omitted)/
const EXCEPTION = /^(?:Exception in thread "|[\w$.]*(?:Exception|Error)(?::\s|$))/
const DATABASE = /(?:^|\s)(?:DETAIL|HINT|CONTEXT|STATEMENT|QUERY): {2}/
const GO_LINE = /^(?:goroutine \d+ \[|created by |\t|[\w./*()[\]-]+\(.*\)$|\[signal |$)/
const PYTHON_LINK = /^(?:During handling of the above exception|The above exception was the direct cause|$)/

/** First bytes of a line that may continue a record or start one: whitespace, '.', and the letters of the markers. */
const MAY_MATTER = new Uint8Array(256)
for (const char of ' \t.CSEDHQTpgj') MAY_MATTER[char.charCodeAt(0)] = 1

export class RecordTracker {
  private kind: Kind = 'plain'
  private level: Level | undefined
  /** The current record's first line, while it is in the batch being observed. */
  private first: NewEntry | undefined

  /**
   * Sets each entry's level as its record's, in order, and marks the record's lines
   * (`record`: continuation, and start on its first line when that line is in the same
   * batch, so not stored yet). Returns the entries that continue a record.
   */
  observe(entries: NewEntry[]): Set<NewEntry> | undefined {
    let continued: Set<NewEntry> | undefined
    for (const entry of entries) {
      if (this.continues(entry)) {
        entry.level = this.level
        entry.record = 'continuation'
        if (this.first && !this.first.record) this.first.record = 'start'
        ;(continued ??= new Set()).add(entry)
      } else this.first = entry
    }
    this.first = undefined // stored once this batch is: readers mark it (record-starts.ts)
    return continued
  }

  private continues(entry: NewEntry): boolean {
    const first = firstByte(entry)
    const expecting = this.kind === 'python' || this.kind === 'go'
    if (!expecting && entry.level !== undefined && first !== 0x70 /* p */ && first !== 0x54 /* T */ && first !== 0x09 && first !== 0x20) {
      // A line with a level word of its own starts a record (frames and database continuations have none).
      this.start(entry, undefined)
      return false
    }
    if (!expecting && byteLength(entry) > 0 && !MAY_MATTER[first] && !isLetter(first) && !this.mayBeDatabase(entry.bytes)) {
      this.start(entry, undefined)
      return false
    }
    const bytes = entry.bytes
    const head = stripAnsi(bytes.toString(isUtf8(bytes) ? 'utf8' : 'latin1', 0, Math.min(bytes.length, HEAD_BYTES)).replace(/\r$/, ''))
    if (this.kind === 'python') {
      if (/^\s/.test(head) || PYTHON_LINK.test(head) || head.startsWith('Traceback (most recent call last):')) return true
      this.kind = 'python-end' // the exception line closes the traceback
      return true
    }
    if (this.kind === 'go' && GO_LINE.test(head)) return true
    if (FRAME.test(head)) {
      this.kind = 'frames'
      this.level ??= 'error'
      return true
    }
    if (head.length > 0 && DATABASE.test(head)) return true
    this.start(entry, head)
    return false
  }

  /** A line that starts a record: its own level, or error for a traceback, panic or exception line without one. */
  private start(entry: NewEntry, head: string | undefined): void {
    this.kind = 'plain'
    if (head !== undefined && entry.level === undefined) {
      if (head.startsWith('Traceback (most recent call last):')) {
        this.kind = 'python'
        entry.level = 'error'
      } else if (head.startsWith('panic: ')) {
        this.kind = 'go'
        entry.level = 'error'
      } else if (EXCEPTION.test(head)) {
        entry.level = 'error'
      }
    } else if (head !== undefined) {
      if (head.startsWith('Traceback (most recent call last):')) this.kind = 'python'
      else if (head.startsWith('panic: ')) this.kind = 'go'
    }
    this.level = entry.level
  }

  private mayBeDatabase(bytes: Buffer): boolean {
    const at = bytes.indexOf(TWO_SPACES)
    return at !== -1 && at < HEAD_BYTES
  }
}

const TWO_SPACES = Buffer.from(':  ')

function isLetter(byte: number): boolean {
  return (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
}
