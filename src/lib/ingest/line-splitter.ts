/**
 * Splits a byte stream into entries on `\n`, keeping the exact bytes (CRLF, invalid
 * UTF-8, NUL, ANSI codes). A line longer than `maxLineBytes` becomes several entries
 * marked `eol: false` but the last, so nothing is dropped and raw output joins them back.
 *
 * With a LineMasker, each whole line is masked before it becomes an entry (so a secret
 * split across two reads is still found); the chunk is scanned once for the masker's
 * triggers and only lines holding one are looked at. A line longer than maxLineBytes
 * that has no newline yet is masked piece by piece as its pieces are emitted.
 */
import {newEntry, type NewEntry, type Stream} from '../entry.js'
import {EVERY_LINE, type LineMasker} from '../mask/masker.js'

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024

export class LineSplitter {
  private carry: Buffer[] = []
  private carryBytes = 0

  constructor(
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
    private readonly stream?: Stream,
    private readonly masker?: LineMasker,
  ) {}

  push(chunk: Buffer, ts: number): NewEntry[] {
    const out: NewEntry[] = []
    let triggers = this.masker?.scan(chunk)
    const generation = this.masker?.generation
    let next = 0
    let at = 0
    while (at < chunk.length) {
      const newline = chunk.indexOf(10, at)
      if (newline === -1) {
        this.keep(chunk.subarray(at), ts, out)
        break
      }
      let bytes = chunk.subarray(at, newline)
      let hint: boolean | undefined
      if (this.carryBytes > 0) {
        this.carry.push(bytes)
        bytes = Buffer.concat(this.carry, this.carryBytes + bytes.length)
        this.carry = []
        this.carryBytes = 0
      } else if (triggers === EVERY_LINE) {
        hint = true
      } else if (triggers) {
        while (next < triggers.length && triggers[next] < at) next++
        hint = next < triggers.length && triggers[next] < newline
      }
      this.emitLine(bytes, ts, out, hint)
      // A value registered by this line (::add-mask::) is not in the offsets scanned before it.
      if (this.masker && this.masker.generation !== generation) triggers = undefined
      at = newline + 1
    }
    return out
  }

  /** At EOF: the last bytes without a newline, if any. */
  end(ts: number): NewEntry[] {
    if (this.carryBytes === 0) return []
    const bytes = Buffer.concat(this.carry, this.carryBytes)
    this.carry = []
    this.carryBytes = 0
    return [this.entry(bytes, false, ts)]
  }

  /** A complete line: pieces of maxLineBytes with eol false, the rest with eol true. */
  private emitLine(bytes: Buffer, ts: number, out: NewEntry[], hint: boolean | undefined): void {
    const masked = this.masker?.mask(bytes, hint)
    if (masked) bytes = masked.bytes
    const first = out.length
    let start = 0
    while (bytes.length - start > this.maxLineBytes) {
      out.push(newEntry(bytes.subarray(start, start + this.maxLineBytes), false, ts, this.stream))
      start += this.maxLineBytes
    }
    out.push(newEntry(start === 0 ? bytes : bytes.subarray(start), true, ts, this.stream))
    if (masked) out[first].masked = masked.masked
  }

  /** A piece of a line emitted on its own (no newline yet, or at EOF): masked by itself. */
  private entry(bytes: Buffer, eol: boolean, ts: number): NewEntry {
    const masked = this.masker?.mask(bytes)
    const entry = newEntry(masked?.bytes ?? bytes, eol, ts, this.stream)
    if (masked) entry.masked = masked.masked
    return entry
  }

  /** Bytes without a newline yet: kept (copied, the chunk is reused) until the line is complete or too long. */
  private keep(bytes: Buffer, ts: number, out: NewEntry[]): void {
    this.carry.push(Buffer.from(bytes))
    this.carryBytes += bytes.length
    while (this.carryBytes > this.maxLineBytes) {
      const whole = Buffer.concat(this.carry, this.carryBytes)
      out.push(this.entry(whole.subarray(0, this.maxLineBytes), false, ts))
      const rest = whole.subarray(this.maxLineBytes)
      this.carry = [rest]
      this.carryBytes = rest.length
    }
  }
}
