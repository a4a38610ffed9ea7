/**
 * The lines of one read as columns, not an object per line: where each starts and ends in
 * the read's memory, its level code (level.ts levelCode) and its flags (the index
 * record's: newline, record start, record continuation). Push cuts 10 000 lines a second
 * and more; an object for each was most of what its garbage collector had to do.
 *
 * A line that is not bytes of the read as they are — masked, begun in an earlier read,
 * a piece of an over-long line — is kept as the NewEntry it was (`entry(i)`); its
 * columns are unused. What needs objects (a remote store's spool, tests) asks for
 * `toEntries()`, made from the columns at that moment.
 *
 * Ownership is the read's (input-chunks.ts): a batch is valid until the next read,
 * unless detached onto a copy (`detach()`). Its columns too: the splitter hands them to
 * the batch of its next read (a typed array is memory outside the heap, whose making
 * and freeing per read showed in push's profile).
 */
import {byteLength, detachEntries, ReadChunk, ReadLine, type NewEntry} from './entry.js'
import {levelOfCode} from './level.js'

/** Flags of a line, as index records keep them (store/file/index-record.ts). */
export const EOL_FLAG = 1
export const RECORD_START_FLAG = 2
export const RECORD_CONTINUATION_FLAG = 4
const RECORD_FLAGS = RECORD_START_FLAG | RECORD_CONTINUATION_FLAG

const NO_MEMORY = new ReadChunk(Buffer.alloc(0), 0, undefined)

export class LineBatch {
  length = 0
  starts: Int32Array
  ends: Int32Array
  levels: Uint8Array
  flags: Uint8Array
  /** The lines kept as entries, by index; undefined where none is. */
  private others: (NewEntry | undefined)[] | undefined

  /** `columns`: their capacity, or a batch done with, whose columns this one takes over. */
  constructor(
    readonly read: ReadChunk,
    columns: number | LineBatch = 64,
  ) {
    if (typeof columns === 'number') {
      this.starts = new Int32Array(columns)
      this.ends = new Int32Array(columns)
      this.levels = new Uint8Array(columns)
      this.flags = new Uint8Array(columns)
    } else {
      ;({starts: this.starts, ends: this.ends, levels: this.levels, flags: this.flags} = columns)
    }
  }

  /** Entries as a batch, each kept as it is. */
  static of(entries: readonly NewEntry[]): LineBatch {
    const batch = new LineBatch(NO_MEMORY, Math.max(1, entries.length))
    for (const entry of entries) batch.addEntry(entry)
    return batch
  }

  /** A whole line (with its newline) of the read: bytes start..end of its memory. */
  addLine(start: number, end: number, level: number): void {
    if (this.length === this.starts.length) this.grow()
    const i = this.length++
    this.starts[i] = start
    this.ends[i] = end
    this.levels[i] = level
    this.flags[i] = EOL_FLAG
  }

  addEntry(entry: NewEntry): void {
    if (this.length === this.starts.length) this.grow()
    const i = this.length++
    this.flags[i] = 0
    ;(this.others ??= [])[i] = entry
  }

  /** The entry line i is kept as; undefined for a line of the read (read the columns). */
  entry(i: number): NewEntry | undefined {
    return this.others?.[i]
  }

  setLevel(i: number, level: number): void {
    const entry = this.others?.[i]
    if (entry) entry.level = levelOfCode(level)
    else this.levels[i] = level
  }

  /** Marks line i as the start or a continuation of a multi-line record. */
  setRecord(i: number, record: 'start' | 'continuation'): void {
    const entry = this.others?.[i]
    if (entry) entry.record = record
    else this.flags[i] = (this.flags[i] & ~RECORD_FLAGS) | (record === 'start' ? RECORD_START_FLAG : RECORD_CONTINUATION_FLAG)
  }

  hasRecord(i: number): boolean {
    const entry = this.others?.[i]
    return entry ? entry.record !== undefined : (this.flags[i] & RECORD_FLAGS) !== 0
  }

  /** Line i's bytes, without its newline. */
  byteLength(i: number): number {
    const entry = this.others?.[i]
    return entry ? byteLength(entry) : this.ends[i] - this.starts[i]
  }

  /** Line i as an entry: the one it is kept as, or a ReadLine made from the columns now. */
  private entryAt(i: number): NewEntry {
    const entry = this.others?.[i]
    if (entry) return entry
    const level = this.levels[i]
    const line = new ReadLine(this.read, this.starts[i], this.ends[i], (this.flags[i] & EOL_FLAG) !== 0, levelOfCode(level))
    const flags = this.flags[i]
    if (flags & RECORD_START_FLAG) line.record = 'start'
    else if (flags & RECORD_CONTINUATION_FLAG) line.record = 'continuation'
    return line
  }

  toEntries(): NewEntry[] {
    const entries = new Array<NewEntry>(this.length)
    for (let i = 0; i < this.length; i++) entries[i] = this.entryAt(i)
    return entries
  }

  /** The batch on a copy of the read's memory, and entries of their own: for lines kept past the read. */
  detach(): LineBatch {
    const copy = new LineBatch(this.read === NO_MEMORY ? NO_MEMORY : new ReadChunk(Buffer.from(this.read.memory), this.read.ts, this.read.stream), this.length)
    copy.length = this.length
    copy.starts.set(this.starts.subarray(0, this.length))
    copy.ends.set(this.ends.subarray(0, this.length))
    copy.levels.set(this.levels.subarray(0, this.length))
    copy.flags.set(this.flags.subarray(0, this.length))
    if (this.others) {
      const indexes = Object.keys(this.others).map(Number)
      const detached = detachEntries(indexes.map((i) => this.others![i]!))
      copy.others = []
      indexes.forEach((i, k) => (copy.others![i] = detached[k]))
    }
    return copy
  }

  private grow(): void {
    const capacity = this.starts.length * 2
    const grown = (from: Int32Array) => {
      const to = new Int32Array(capacity)
      to.set(from)
      return to
    }
    this.starts = grown(this.starts)
    this.ends = grown(this.ends)
    const levels = new Uint8Array(capacity)
    levels.set(this.levels)
    this.levels = levels
    const flags = new Uint8Array(capacity)
    flags.set(this.flags)
    this.flags = flags
  }
}
