/**
 * Multi-line records at capture: a stack trace is one record of many lines, and its
 * continuation lines take the level of the line that started it — so `--level error`
 * returns the `at …` frames and the `Caused by:` with the exception, not its first line alone.
 *
 *   Java/JVM   `\tat …`, `Caused by: …`, `Suppressed: …`, `... N more` / `common frames omitted`
 *   Node.js    `    at …`
 *   Python     `Traceback (most recent call last):` … indented frames … the exception line
 *   Go         `panic: …`, `goroutine N [running]:`, function lines and tab-indented frames
 *   Rust       `thread 'main' panicked at src/main.rs:5:21:`, the message's first line, then
 *              indented lines (`  left: 4`, numbered frames and their `at …`) and `stack backtrace:`
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
import {ReadLine, type NewEntry} from '../entry.js'
import {levelCode, levelOfCode, stripAnsi, type Level} from '../level.js'
import {LineBatch} from '../line-batch.js'
import {StreamLinePrefixes} from '../line-prefix.js'

type Kind = 'plain' | 'frames' | 'python' | 'python-end' | 'go' | 'rust-message' | 'rust'

const HEAD_BYTES = 200
const FRAME = /^\s+at \S|^\s*(?:Caused by|Suppressed): |^\s*\.\.\. \d+ (?:more|common frames omitted)/
// Node.js names an error's code: `TypeError [ERR_INVALID_ARG_TYPE]: …`
const EXCEPTION = /^(?:Exception in thread "|[\w$.]*(?:Exception|Error)(?: \[[A-Z0-9_]+\])?(?::\s|$))/
const DATABASE = /(?:^|\s)(?:DETAIL|HINT|CONTEXT|STATEMENT|QUERY): {2}/
const GO_LINE = /^(?:goroutine \d+ \[|created by |\t|[\w./*()[\]-]+\(.*\)$|\[signal |$)/
const PYTHON_LINK = /^(?:During handling of the above exception|The above exception was the direct cause|$)/
const RUST_PANIC = /^thread '[^']*' (?:\(\d+\) )?panicked at /

/** First bytes of a line that may continue a record or start one: whitespace, '.', and the letters of the markers. */
const MAY_MATTER = new Uint8Array(256)
for (const char of ' \t.CSEDHQTpgj') MAY_MATTER[char.charCodeAt(0)] = 1

/** The line being looked at: bytes start..end of memory, and its level, which the tracker may set. */
interface Line {
  memory: Buffer
  start: number
  end: number
  level: Level | undefined
}

export class RecordTracker {
  private kind: Kind = 'plain'
  private level: Level | undefined
  /** The current record's first line, while it is in the batch being observed: its index there. */
  private first = -1
  private readonly line: Line = {memory: EMPTY, start: 0, end: 0, level: undefined}
  private readonly prefixes = new StreamLinePrefixes()

  /**
   * Sets each entry's level as its record's, in order, and marks the record's lines
   * (`record`: continuation, and start on its first line when that line is in the same
   * batch, so not stored yet).
   */
  observe(entries: NewEntry[]): void {
    this.observeBatch(LineBatch.of(entries))
  }

  /** observe() on the columns of a batch: the levels and marks are set in them. */
  observeBatch(batch: LineBatch): void {
    const line = this.line
    const {starts, ends, levels} = batch
    const memory = batch.read.memory
    for (let i = 0; i < batch.length; i++) {
      const entry = batch.entry(i)
      if (!entry && levels[i] !== 0 && !this.expecting()) {
        // continues()'s first test, on the columns: a line with a level of its own, not looking like a frame, starts a record.
        this.prefixes.see(memory, starts[i], ends[i]) // as look() does: the stream's first line tells its prefixes
        const first = this.firstByte(memory, starts[i], ends[i])
        if (first !== 0x70 /* p */ && first !== 0x54 /* T */ && first !== 0x09 && first !== 0x20) {
          this.kind = 'plain'
          this.level = levelOfCode(levels[i])
          this.first = i
          continue
        }
      }
      if (entry instanceof ReadLine) this.look(entry.memory, entry.start, entry.end, entry.level)
      else if (entry) this.look(entry.bytes, 0, entry.bytes.length, entry.level)
      else this.look(memory, starts[i], ends[i], levelOfCode(levels[i]))
      const before = line.level
      if (this.continues(line)) {
        batch.setLevel(i, levelCode(this.level))
        batch.setRecord(i, 'continuation')
        if (this.first !== -1 && !batch.hasRecord(this.first)) batch.setRecord(this.first, 'start')
      } else {
        if (line.level !== before) batch.setLevel(i, levelCode(line.level))
        this.first = i
      }
    }
    this.first = -1 // stored once this batch is: readers mark it (record-starts.ts)
    line.memory = EMPTY
  }

  private look(memory: Buffer, start: number, end: number, level: Level | undefined): void {
    this.prefixes.see(memory, start, end)
    this.line.memory = memory
    this.line.start = start
    this.line.end = end
    this.line.level = level
  }

  /** The first byte of bytes start..end, behind a line prefix when it has one (0 for none). */
  private firstByte(memory: Buffer, start: number, end: number): number {
    return end > start ? memory[start + this.prefixes.lengthOf(memory, start, end)] : 0
  }

  private continues(line: Line): boolean {
    // Past a line prefix (kubectl --timestamps, a CI system's download, gh's columns): its record reads as without it.
    line.start += this.prefixes.lengthOf(line.memory, line.start, line.end)
    const length = line.end - line.start
    const first = length > 0 ? line.memory[line.start] : 0
    const expecting = this.expecting()
    if (!expecting && line.level !== undefined && first !== 0x70 /* p */ && first !== 0x54 /* T */ && first !== 0x09 && first !== 0x20) {
      // A line with a level word of its own starts a record (frames and database continuations have none).
      this.start(line, undefined)
      return false
    }
    if (!expecting && length > 0 && !MAY_MATTER[first] && !isLetter(first) && !this.mayBeDatabase(line)) {
      this.start(line, undefined)
      return false
    }
    const {memory, start, end} = line
    const headEnd = Math.min(end, start + HEAD_BYTES)
    const head = stripAnsi(memory.toString(isUtf8(memory.subarray(start, end)) ? 'utf8' : 'latin1', start, headEnd).replace(/\r$/, ''))
    if (this.kind === 'python') {
      if (/^\s/.test(head) || PYTHON_LINK.test(head) || head.startsWith('Traceback (most recent call last):')) return true
      this.kind = 'python-end' // the exception line closes the traceback
      return true
    }
    if (this.kind === 'go' && GO_LINE.test(head)) return true
    if (this.kind === 'rust-message') {
      this.kind = 'rust' // the panic's message, whatever it says
      return true
    }
    if (this.kind === 'rust' && (/^\s/.test(head) || head === 'stack backtrace:')) return true
    if (FRAME.test(head)) {
      this.kind = 'frames'
      this.level ??= 'error'
      return true
    }
    if (head.length > 0 && DATABASE.test(head)) return true
    this.start(line, head)
    return false
  }

  /** A line that starts a record: its own level, or error for a traceback, panic or exception line without one. */
  private start(line: Line, head: string | undefined): void {
    this.kind = 'plain'
    if (head !== undefined && line.level === undefined) {
      if (head.startsWith('Traceback (most recent call last):')) {
        this.kind = 'python'
        line.level = 'error'
      } else if (head.startsWith('panic: ')) {
        this.kind = 'go'
        line.level = 'error'
      } else if (RUST_PANIC.test(head)) {
        this.kind = 'rust-message'
        line.level = 'error'
      } else if (EXCEPTION.test(head)) {
        line.level = 'error'
      }
    } else if (head !== undefined) {
      if (head.startsWith('Traceback (most recent call last):')) this.kind = 'python'
      else if (head.startsWith('panic: ')) this.kind = 'go'
      else if (RUST_PANIC.test(head)) this.kind = 'rust-message'
    }
    this.level = line.level
  }

  /** In a record whose next lines continue it whatever their level or first byte. */
  private expecting(): boolean {
    return this.kind === 'python' || this.kind === 'go' || this.kind === 'rust-message' || this.kind === 'rust'
  }

  private mayBeDatabase(line: Line): boolean {
    const at = line.memory.subarray(line.start, Math.min(line.end, line.start + HEAD_BYTES + TWO_SPACES.length)).indexOf(TWO_SPACES)
    return at !== -1 && at < HEAD_BYTES
  }
}

const EMPTY = Buffer.alloc(0)
const TWO_SPACES = Buffer.from(':  ')

function isLetter(byte: number): boolean {
  return (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
}
