/**
 * Splits a byte stream into entries on `\n`, keeping the exact bytes (CRLF, invalid
 * UTF-8, NUL, ANSI codes). A line longer than `maxLineBytes` becomes several entries
 * marked `eol: false` but the last, so nothing is dropped and raw output joins them back.
 */
import {newEntry, type NewEntry, type Stream} from '../entry.js'

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024

export class LineSplitter {
  private carry: Buffer[] = []
  private carryBytes = 0

  constructor(
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
    private readonly stream?: Stream,
  ) {}

  push(chunk: Buffer, ts: number): NewEntry[] {
    const out: NewEntry[] = []
    let at = 0
    while (at < chunk.length) {
      const newline = chunk.indexOf(10, at)
      if (newline === -1) {
        this.keep(chunk.subarray(at), ts, out)
        break
      }
      let bytes = chunk.subarray(at, newline)
      if (this.carryBytes > 0) {
        this.carry.push(bytes)
        bytes = Buffer.concat(this.carry, this.carryBytes + bytes.length)
        this.carry = []
        this.carryBytes = 0
      }
      this.emitLine(bytes, ts, out)
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
    return [newEntry(bytes, false, ts, this.stream)]
  }

  /** A complete line: pieces of maxLineBytes with eol false, the rest with eol true. */
  private emitLine(bytes: Buffer, ts: number, out: NewEntry[]): void {
    let start = 0
    while (bytes.length - start > this.maxLineBytes) {
      out.push(newEntry(bytes.subarray(start, start + this.maxLineBytes), false, ts, this.stream))
      start += this.maxLineBytes
    }
    out.push(newEntry(start === 0 ? bytes : bytes.subarray(start), true, ts, this.stream))
  }

  /** Bytes without a newline yet: kept (copied, the chunk is reused) until the line is complete or too long. */
  private keep(bytes: Buffer, ts: number, out: NewEntry[]): void {
    this.carry.push(Buffer.from(bytes))
    this.carryBytes += bytes.length
    while (this.carryBytes > this.maxLineBytes) {
      const whole = Buffer.concat(this.carry, this.carryBytes)
      out.push(newEntry(whole.subarray(0, this.maxLineBytes), false, ts, this.stream))
      const rest = whole.subarray(this.maxLineBytes)
      this.carry = [rest]
      this.carryBytes = rest.length
    }
  }
}
