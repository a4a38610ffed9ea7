/**
 * A POST body → entries (text, NDJSON) or packed frames (chunk), chunk by chunk, never
 * holding more than one line (one frame) and one batch.
 *
 *   text:   every `\n`-terminated line is an entry with its exact bytes; a line longer
 *           than maxLineBytes is stored as pieces (eol=false), and the last bytes without
 *           a newline are an entry with eol=false — as `push` does with stdin (pieces of
 *           a line still without newline end where the masker says, LineMasker.pieceEnd).
 *   NDJSON: every line is an entry record (`line` or base64 `bytes`, optional `ts`,
 *           `level`, `stream`, `partial`: the shape of `--output json`; a level or stream
 *           that is none of ours is a 400, as `?stream=foo` is); a JSON object
 *           without `line`/`bytes` is itself the log line (an application's JSON log).
 *   chunk:  frames of lines' bytes with a binary index (../store/chunk-frames.ts), what
 *           `push --url` sends: times, levels and streams as the client read them. They
 *           stay packed (pushFrames): the store appends their bytes as they came.
 */
import {isRecordMark, newEntry, type NewEntry, type Stream} from '../entry.js'
import {LEVELS, normalizeLevel, type Level} from '../level.js'
import {LineCutter, cutPieces} from '../ingest/line-cutter.js'
import {FrameReader} from '../store/chunk-frames.js'
import type {PackedEntries} from '../store/packed-entries.js'
import type {LineMasker} from '../mask/masker.js'
import {HttpError, badRequest} from './http-error.js'

export type BodyFormat = 'text' | 'ndjson' | 'chunk'

/** The largest frame of a chunk body: a client's batch (push sends about 1 MiB). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024

export interface ParserOptions {
  format: BodyFormat
  maxLineBytes: number
  /** Stream of text lines (`?stream=stderr`); NDJSON records carry their own. */
  stream?: Stream
  now?: () => number
  /** Masks the lines of text and NDJSON bodies (ingest-masking.ts); chunk bodies come masked. */
  masker?: LineMasker
}

export class IngestParser {
  private readonly cutter: LineCutter
  private readonly frames: FrameReader | undefined
  private lineNumber = 0
  /** The last piece of a text line still without its newline ended in a mask (LineMasker.mask's afterSecret). */
  private afterSecret = false

  constructor(private readonly options: ParserOptions) {
    // NDJSON lines are records, parsed whole: a record may be base64 (4/3 larger) plus its
    // fields; a line past that is refused (413), not cut.
    const masker = options.masker
    this.cutter =
      options.format === 'ndjson' ? new LineCutter(options.maxLineBytes * 2 + 64 * 1024) : new LineCutter(options.maxLineBytes, masker && ((window) => masker.pieceEnd(window)))
    if (options.format === 'chunk') this.frames = new FrameReader(MAX_FRAME_BYTES, options.maxLineBytes)
  }

  /** Entries completed by this chunk (text and NDJSON bodies). */
  push(chunk: Buffer): NewEntry[] {
    if (this.frames) throw new Error('a chunk body is read with pushFrames()')
    const out: NewEntry[] = []
    const ts = this.now()
    this.cutter.push(chunk, (bytes, eol) => {
      if (eol) this.line(bytes, true, ts, out)
      else if (this.options.format === 'ndjson') throw new HttpError(413, `NDJSON line ${this.lineNumber + 1} is too large (limit ${this.options.maxLineBytes} bytes per line)`)
      else out.push(this.entry(bytes, false, ts))
    })
    return out
  }

  /** Frames completed by this chunk (chunk bodies), each a checked packed batch. */
  pushFrames(chunk: Buffer): PackedEntries[] {
    return this.framed(() => this.frames!.push(chunk))
  }

  /** The entry left at the end of the body (no final newline), if any; for a chunk body, none (a frame cut short is an error). */
  end(): NewEntry[] {
    if (this.frames) return this.framed(() => (this.frames!.end(), []))
    const rest = this.cutter.end()
    const out: NewEntry[] = []
    if (rest) this.line(rest, false, this.now(), out)
    return out
  }

  private line(bytes: Buffer, eol: boolean, ts: number, out: NewEntry[]): void {
    this.lineNumber++
    if (this.options.format === 'text') {
      // Masked whole, then cut: a piece masked alone could hold half a secret.
      const secrets = this.options.masker?.mask(bytes, undefined, this.afterSecret)
      this.afterSecret = false
      let masked = secrets?.masked
      cutPieces(secrets?.bytes ?? bytes, this.options.maxLineBytes, (piece, pieceEol) => {
        const entry = newEntry(piece, pieceEol && eol, ts, this.options.stream)
        if (masked) entry.masked = masked
        masked = undefined
        out.push(entry)
      })
      return
    }
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length
    if (end === 0) return
    const text = bytes.toString('utf8', 0, end)
    if (text.trim() === '') return
    out.push(this.record(text))
  }

  private record(text: string): NewEntry {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw badRequest(`NDJSON line ${this.lineNumber} is not JSON`)
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest(`NDJSON line ${this.lineNumber} is not a JSON object`)
    const record = value as Record<string, unknown>
    if (typeof record.line !== 'string' && typeof record.bytes !== 'string') return this.entry(Buffer.from(text, 'utf8'), true, this.now())
    const given = typeof record.bytes === 'string' ? Buffer.from(record.bytes, 'base64') : Buffer.from(record.line as string, 'utf8')
    const secrets = this.options.masker?.mask(given)
    const bytes = secrets?.bytes ?? given
    if (bytes.length > this.options.maxLineBytes)
      throw new HttpError(413, `NDJSON line ${this.lineNumber} holds a line of ${bytes.length} bytes (limit ${this.options.maxLineBytes})`)
    const ts = typeof record.ts === 'number' && Number.isFinite(record.ts) ? record.ts : this.now()
    const stream = this.recordStream(record.stream)
    const eol = record.partial !== true
    // A record that states its level (even null: "none") was classified by its writer already.
    const entry = 'level' in record ? {ts, bytes, eol, level: this.recordLevel(record.level), stream} : newEntry(bytes, eol, ts, stream)
    // How many secrets `push --url` masked in the line before sending it (a count, for the job's metadata), and the relay after.
    const masked = (Number.isSafeInteger(record.masked) && (record.masked as number) > 0 ? (record.masked as number) : 0) + (secrets?.masked ?? 0)
    if (masked > 0) entry.masked = masked
    if (isRecordMark(record.record)) entry.record = record.record
    return entry
  }

  /** A record's `stream`: stdout, stderr, or null/absent (then `?stream=`'s); anything else is refused, as `?stream=` is. */
  private recordStream(value: unknown): Stream | undefined {
    if (value === undefined || value === null) return this.options.stream
    if (value === 'stdout' || value === 'stderr') return value
    throw badRequest(`NDJSON line ${this.lineNumber}: invalid stream ${JSON.stringify(value)}: expected "stdout", "stderr" or null`)
  }

  /** A record's stated `level`: null is none; a name, an alias (WARNING, err) or a pino number is ours; anything else is refused rather than dropped. */
  private recordLevel(value: unknown): Level | undefined {
    if (value === null) return undefined
    const level = normalizeLevel(value)
    if (level === undefined)
      throw badRequest(
        `NDJSON line ${this.lineNumber}: invalid level ${JSON.stringify(value)}: expected one of ${LEVELS.join(', ')} (or an alias such as WARNING, or a pino number 10-60), or null`,
      )
    return level
  }

  /** A text line (or a piece of one) as an entry, its secrets masked, and the rest of a secret the last piece was cut inside. */
  private entry(bytes: Buffer, eol: boolean, ts: number): NewEntry {
    const secrets = this.options.masker?.mask(bytes, undefined, this.afterSecret)
    this.afterSecret = !eol && secrets?.openEnd === true
    const entry = newEntry(secrets?.bytes ?? bytes, eol, ts, this.options.stream)
    if (secrets) entry.masked = secrets.masked
    return entry
  }

  /** A frame too large is a 413, a malformed one a 400. */
  private framed<T>(read: () => T): T {
    try {
      return read()
    } catch (error) {
      if (error instanceof RangeError) throw new HttpError(413, `chunk body: ${error.message}`)
      throw badRequest(`chunk body: ${(error as Error).message}`)
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)()
  }
}
