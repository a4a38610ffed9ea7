/**
 * LogEntry: one line of a job, and how lines become entries and entries become
 * records (the NDJSON shape every store, the relay and `--output json` share).
 */
import {isAscii, isUtf8} from 'node:buffer'
import {detectTextLevel, levelCode, levelOfCode, normalizeLevel, SCAN_LIMIT, syslogLevel, type Level} from './level.js'
import {CODE_NOT_READ, levelCodeFromHead, levelFromHead, NOT_READ} from './level-head.js'
import {TextBytes} from './text-bytes.js'
import {linePrefixLength} from './line-prefix.js'

export type Stream = 'stdout' | 'stderr'

/**
 * Where a line stands in a multi-line record (a stack trace, a traceback, a database
 * message with its DETAIL/HINT lines): the record's first line, or a line continuing it.
 * Capture marks them (structure/records.ts); a first line stored before its continuation
 * arrived is marked `start` where it is read (record-starts.ts). Unset for a line on its own.
 */
export type RecordMark = 'start' | 'continuation'

export function isRecordMark(value: unknown): value is RecordMark {
  return value === 'start' || value === 'continuation'
}

/** A line as `push` read it, before a store gives it a sequence number. */
export interface NewEntry {
  ts: number
  /** The exact bytes, without the terminating `\n`. */
  bytes: Buffer
  /** False when the input had no `\n` here: a piece of an over-long line, or the last bytes at EOF. */
  eol: boolean
  level?: Level
  stream?: Stream
  /** Secrets masked in this line at capture (counted into the job's `masked`). */
  masked?: number
  record?: RecordMark
}

export interface LogEntry {
  seq: number
  ts: number
  /** The text as written, without `\n` (a trailing `\r` is kept). Lossy only when `bytes` is set. */
  line: string
  /** The exact bytes, set only when they are not valid UTF-8 (so `line` cannot carry them). */
  bytes?: Buffer
  eol: boolean
  level?: Level
  stream?: Stream
  /** Secrets masked in this line at capture, where the store keeps it per entry (the file store, so a spool). */
  masked?: number
  record?: RecordMark
}

/** The JSON shape of an entry: `--output json`, archive objects, the relay. */
export interface EntryRecord {
  seq: number
  ts: number
  level: Level | null
  stream: Stream | null
  line: string
  fields?: Record<string, unknown>
  /** base64 of the exact bytes when `line` is not valid UTF-8. */
  bytes?: string
  /** Present (true) when the input had no newline after this entry. */
  partial?: true
  /** Present when the entry starts or continues a multi-line record. */
  record?: RecordMark
}

/** Parses a JSON-object line; undefined for anything else. */
export function parseJsonFields(line: string): Record<string, unknown> | undefined {
  const start = line.trimStart()
  if (!start.startsWith('{') || !line.trimEnd().endsWith('}')) return undefined
  try {
    const value: unknown = JSON.parse(line)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined // not JSON after all: a plain line that happens to start with '{'
  }
}

/**
 * The level field of a JSON line, found without parsing it (push runs this on every line;
 * JSON.parse would be most of its CPU). Nested keys count too, as ECS's `log.level` needs;
 * journald's export (`journalctl -o json`) carries the level as PRIORITY.
 */
const JSON_LEVEL = /"(?:level|severity|lvl|loglevel|log_level|levelname|log\.level|@level)"\s*:\s*(?:"([^"\\]{1,24})"|(\d{1,3})\b)|"PRIORITY"\s*:\s*"?([0-7])\b/

export function detectLevel(line: string): Level | undefined {
  if (looksLikeJsonObject(line)) return jsonLevel(line)
  // A JSON logger's line behind a line prefix (`kubectl logs --timestamps`): its object's level.
  const prefix = linePrefixLength(line)
  if (prefix > 0 && line.charCodeAt(prefix) === 123 /* { */ && looksLikeJsonObject(line.slice(prefix))) return jsonLevel(line.slice(prefix))
  return detectTextLevel(line)
}

function jsonLevel(line: string): Level | undefined {
  const leading = leadingLevelField(line)
  if (leading !== NO_LEADING_LEVEL) return leading
  const match = JSON_LEVEL.exec(line)
  if (!match) return undefined
  // journald's PRIORITY is a syslog severity (0 emerg … 7 debug), not a pino number.
  return match[3] === undefined ? normalizeLevel(match[1] ?? Number(match[2])) : syslogLevel(Number(match[3]))
}

const NO_LEADING_LEVEL = null

/**
 * JSON_LEVEL's answer for a line that opens with its level key, as pino and bunyan write
 * every line (`{"level":30,` / `{"level":"info",`), read without the regular expression:
 * a match at the line's second character is the leftmost one, so it is the answer.
 * NO_LEADING_LEVEL when the line does not open so (JSON_LEVEL then searches the line).
 */
function leadingLevelField(line: string): Level | undefined | typeof NO_LEADING_LEVEL {
  if (!line.startsWith('"level":', 1)) return NO_LEADING_LEVEL
  const at = 9
  if (line.charCodeAt(at) === 34 /* " */) {
    // "([^"\\]{1,24})"
    const close = line.indexOf('"', at + 1)
    if (close === -1 || close === at + 1 || close - at - 1 > 24) return NO_LEADING_LEVEL
    const value = line.slice(at + 1, close)
    return value.includes('\\') ? NO_LEADING_LEVEL : normalizeLevel(value)
  }
  // (\d{1,3})\b, its value read as it is matched
  let end = at
  let value = 0
  for (let code = line.charCodeAt(end); end - at <= 3 && isDigitCode(code); code = line.charCodeAt(++end)) value = value * 10 + code - 48
  if (end === at || end - at > 3 || isWordCode(line.charCodeAt(end))) return NO_LEADING_LEVEL
  return normalizeLevel(value)
}

const isDigitCode = (code: number) => code >= 48 && code <= 57
/** \w: NaN (past the end) is not a word character. */
const isWordCode = (code: number) => isDigitCode(code) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95

function looksLikeJsonObject(line: string): boolean {
  const code = line.charCodeAt(0)
  // Printable ASCII other than `{` is not \s: most lines end here without searching.
  if (code !== 123 && code > 32 && code < 127) return false
  const first = code === 123 /* { */ ? 0 : line.search(/\S/)
  if (line.charCodeAt(first) !== 123) return false
  let last = line.length - 1
  while (last > first && (line.charCodeAt(last) === 32 || line.charCodeAt(last) === 13 || line.charCodeAt(last) === 9)) last--
  return line.charCodeAt(last) === 125 /* } */
}

/**
 * What the lines cut from one read share: the memory they point into, when it was read,
 * its stream, and its text, decoded once when first asked (the level of a line not read
 * from its first bytes, the JSON keys sections look for). One object per read rather than
 * these fields on every line: push makes a ReadLine per line, and a time is a boxed number.
 */
export class ReadChunk {
  private ascii: string | undefined | null = null

  constructor(
    readonly memory: Buffer,
    readonly ts: number,
    readonly stream: Stream | undefined,
  ) {}

  /**
   * The memory decoded as latin1 when it is all ASCII (then also its UTF-8 text, offsets in
   * characters those in bytes), made on the first ask; undefined for memory that is not ASCII.
   * Asked while the memory still holds this read, as every line is: capture stores and
   * observes a read's lines before the next read refills it, and lines kept longer are
   * detached (detachEntries) onto a copy first.
   */
  asciiText(): string | undefined {
    if (this.ascii === null) this.ascii = isAscii(this.memory) ? this.memory.toString('latin1') : undefined
    return this.ascii
  }
}

/**
 * A NewEntry kept as its offsets in the memory it was read into (a read of stdin): its
 * Buffer is made only when something asks for `bytes`. Push keeps a read's lines as
 * columns (line-batch.ts) and makes these only where entries are asked for (a remote
 * store's spool); the relay's chunk decoding makes one per line. The hot consumers
 * (joinedBytes, sections) read `memory`, `start` and `end` instead of `bytes`.
 */
export class ReadLine implements NewEntry {
  masked?: number = undefined
  record?: RecordMark = undefined

  constructor(
    public read: ReadChunk,
    readonly start: number,
    readonly end: number,
    public eol: boolean,
    public level: Level | undefined,
  ) {}

  get memory(): Buffer {
    return this.read.memory
  }

  get ts(): number {
    return this.read.ts
  }

  /** A time of its own (rare: a test's): the line gets a ReadChunk of its own, over the same memory. */
  set ts(ts: number) {
    this.read = new ReadChunk(this.read.memory, ts, this.read.stream)
  }

  get stream(): Stream | undefined {
    return this.read.stream
  }

  set stream(stream: Stream | undefined) {
    this.read = new ReadChunk(this.read.memory, this.read.ts, stream)
  }

  get bytes(): Buffer {
    return this.read.memory.subarray(this.start, this.end)
  }
}

/**
 * The entries with bytes of their own: for lines kept past the read they point into, whose
 * memory the next read reuses (input-chunks.ts). The lines of one read share one copy of it.
 */
export function detachEntries(entries: NewEntry[]): NewEntry[] {
  const copies = new Map<ReadChunk, ReadChunk>()
  return entries.map((entry) => {
    if (!(entry instanceof ReadLine)) return {...entry, bytes: Buffer.from(entry.bytes)}
    let read = copies.get(entry.read)
    if (!read) copies.set(entry.read, (read = new ReadChunk(Buffer.from(entry.memory), entry.ts, entry.stream)))
    const copy = new ReadLine(read, entry.start, entry.end, entry.eol, entry.level)
    copy.masked = entry.masked
    copy.record = entry.record
    return copy
  })
}

/** A line of a read, its level read from its first bytes, else detected in its text (the read's, when ASCII) or its bytes. */
export function readLine(read: ReadChunk, start: number, end: number, eol: boolean): ReadLine {
  return new ReadLine(read, start, end, eol, readLineLevel(read, start, end))
}

/** readLine's level of bytes start..end of a read. */
export function readLineLevel(read: ReadChunk, start: number, end: number): Level | undefined {
  return levelOfCode(readLineLevelCode(read, start, end))
}

/** readLineLevel as a level code (level.ts levelCode): push's columns keep codes (line-batch.ts). */
export function readLineLevelCode(read: ReadChunk, start: number, end: number): number {
  const code = levelCodeFromHead(read.memory, start, end)
  if (code !== CODE_NOT_READ) return code
  const text = end - start <= TEXT_HEAD_BYTES ? read.asciiText()?.slice(start, end) : undefined
  return levelCode(text !== undefined ? detectLevel(text) : detectLevelInBytes(read.memory.subarray(start, end)))
}

export function byteLength(entry: NewEntry): number {
  return entry instanceof ReadLine ? entry.end - entry.start : entry.bytes.length
}

/**
 * Builds a NewEntry from bytes read. `text`, when the caller has it, is the bytes decoded
 * as UTF-8 (cut from a chunk decoded once): the level is then detected without decoding
 * the line again.
 */
export function newEntry(bytes: Buffer, eol: boolean, ts: number, stream?: Stream, text?: string): NewEntry {
  return {ts, bytes, eol, level: text !== undefined && bytes.length <= TEXT_HEAD_BYTES ? detectLevel(text) : detectLevelInBytes(bytes), stream}
}

/** A UTF-8 character is at most 4 bytes: this many bytes hold the SCAN_LIMIT characters text detection looks at. */
const TEXT_HEAD_BYTES = 4 * SCAN_LIMIT

/** detectLevel on bytes, decoding only what it will look at: all of a JSON line (its level key may come last), the head of any other. */
export function detectLevelInBytes(bytes: Buffer): Level | undefined {
  const level = levelFromHead(bytes, 0, bytes.length)
  if (level !== NOT_READ) return level
  if (bytes.length <= TEXT_HEAD_BYTES || bytesLookLikeJsonObject(bytes)) return detectLevel(bytes.toString('utf8'))
  return detectTextLevel(bytes.toString('utf8', 0, TEXT_HEAD_BYTES))
}

function bytesLookLikeJsonObject(bytes: Buffer): boolean {
  const isSpace = (byte: number) => byte === 32 || byte === 9 || byte === 13 || byte === 10
  let first = 0
  while (first < bytes.length && isSpace(bytes[first])) first++
  let last = bytes.length - 1
  while (last > first && isSpace(bytes[last])) last--
  return bytes[first] === 123 /* { */ && bytes[last] === 125 /* } */
}

export function entryFromBytes(seq: number, ts: number, bytes: Buffer, eol: boolean, level?: Level, stream?: Stream, masked?: number, record?: RecordMark): LogEntry {
  const entry = entryFromText(seq, ts, bytes.toString('utf8'), eol, level, stream, masked, record)
  if (!isUtf8(bytes)) entry.bytes = bytes
  return entry
}

/** An entry whose text is exactly its bytes (read from bytes known to be ASCII, say): no `bytes` to keep. */
export function entryFromText(seq: number, ts: number, line: string, eol: boolean, level?: Level, stream?: Stream, masked?: number, record?: RecordMark): LogEntry {
  const entry: LogEntry = {seq, ts, line, eol, level, stream}
  if (masked) entry.masked = masked
  if (record) entry.record = record
  return entry
}

/** The exact bytes of an entry, with its `\n` when it had one: what `--output raw` writes. */
export function rawBytes(entry: LogEntry): Buffer {
  const bytes = entry.bytes ?? Buffer.from(entry.line, 'utf8')
  return entry.eol ? Buffer.concat([bytes, NEWLINE]) : bytes
}

const NEWLINE = Buffer.from('\n')

/**
 * A batch's original bytes: runs of UTF-8 lines are joined as text and encoded once;
 * lines that are not UTF-8 go in as their exact bytes.
 */
export function rawChunk(batch: LogEntry[]): Buffer {
  const out = new TextBytes()
  for (const entry of batch) {
    if (entry.bytes) {
      out.addBytes(entry.bytes)
      if (entry.eol) out.add('\n')
    } else {
      out.add(entry.eol ? `${entry.line}\n` : entry.line)
    }
  }
  return out.takeBytes()
}

/**
 * An entry as an EntryRecord object, for JSON documents that embed entries (the relay's
 * history page). Same keys and values as recordJson, which tests hold it to.
 */
export function toRecord(entry: LogEntry, withFields = true): EntryRecord {
  const record: EntryRecord = {seq: entry.seq, ts: entry.ts, level: entry.level ?? null, stream: entry.stream ?? null, line: entry.line}
  if (entry.bytes) record.bytes = entry.bytes.toString('base64')
  if (!entry.eol) record.partial = true
  if (entry.record) record.record = entry.record
  if (withFields) {
    const fields = parseJsonFields(entry.line)
    if (fields) record.fields = fields
  }
  return record
}

/**
 * The one NDJSON encoder of an EntryRecord (without its newline): `get --output json`,
 * the relay's events and the archive objects. Written by hand because it is the
 * archive's hot loop (1.3–1.5× faster than JSON.stringify(toRecord(…))). Keys in a fixed
 * order with `line` last but for `fields`, so that readers can take the text out of an
 * archive record (which has no `fields`: jq `.line | fromjson` gives them) without
 * parsing it (archive/format.ts lineTextOf). `job` first when given.
 */
export function recordJson(entry: LogEntry, options: {fields?: boolean; job?: string} = {}): string {
  const job = options.job === undefined ? '' : `"job":${JSON.stringify(options.job)},`
  const level = entry.level ? `"${entry.level}"` : 'null'
  const stream = entry.stream ? `"${entry.stream}"` : 'null'
  const partial = entry.eol ? '' : ',"partial":true'
  const bytes = entry.bytes ? `,"bytes":"${entry.bytes.toString('base64')}"` : ''
  const record = entry.record ? `,"record":"${entry.record}"` : ''
  const json = `{${job}"seq":${entry.seq},"ts":${entry.ts},"level":${level},"stream":${stream}${partial}${record}${bytes},"line":${JSON.stringify(entry.line)}`
  const fields = options.fields ? jsonFieldsText(entry.line) : undefined
  return fields ? `${json},"fields":${fields}}` : `${json}}`
}

/**
 * A line that is a JSON object (as parsing it tells), as the text of `fields`: its own text,
 * not the parse written out again, so that integers past 2^53 stay exact and nothing is
 * stringified a second time (`get -o json` of JSON lines spent more on that than on parsing).
 * Parsed, the line has only JSON's whitespace around it, which trim() takes off.
 */
function jsonFieldsText(line: string): string | undefined {
  return parseJsonFields(line) ? line.trim() : undefined
}

export function fromRecord(record: EntryRecord): LogEntry {
  const entry: LogEntry = {
    seq: record.seq,
    ts: record.ts,
    line: record.line,
    eol: record.partial !== true,
    level: record.level ?? undefined,
    stream: record.stream ?? undefined,
  }
  if (record.bytes !== undefined) entry.bytes = Buffer.from(record.bytes, 'base64')
  if (isRecordMark(record.record)) entry.record = record.record
  return entry
}
