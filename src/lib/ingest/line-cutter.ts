/**
 * The one place a byte stream is cut into lines: `push` (stdin, `run`'s two streams) and
 * the relay's ingest (text and NDJSON bodies) both cut through it. The edge cases, tested
 * once in test/unit/line-cutter.test.ts, whatever the chunking:
 * - `\n` ends a line; every other byte is the line's, a `\r` before the `\n` included
 *   (CRLF, NUL, invalid UTF-8 and ANSI codes are kept byte for byte).
 * - Bytes after the last `\n` are held (copied: a reader may reuse its chunk) until the
 *   line completes; at the end of the input they are a last line without end of line.
 * - A complete line longer than `maxLineBytes` is cut (by `cutPieces`, after it was
 *   masked whole) into pieces of exactly `maxLineBytes` (not at the end of line) and the
 *   rest (at the end of line); a line of exactly `maxLineBytes` is one line.
 * - A line still without its `\n` is cut as it grows past `maxLineBytes`, so the bytes
 *   held stay within `maxLineBytes` (plus the chunk being cut). Each such piece is masked
 *   alone, so with a `pieceEnd` (LineMasker.pieceEnd) a piece ends where no secret runs
 *   across it, a few KiB before `maxLineBytes` at most, and the bytes after go into the
 *   next piece; without one, at exactly `maxLineBytes`. Either way the pieces' bytes
 *   joined are the line's.
 */
export type LineSink = (bytes: Buffer, eol: boolean, at: number) => void
/** A line as its offsets in `memory`: the chunk itself, or a Buffer made for a line that began in an earlier chunk. */
export type SpanSink = (memory: Buffer, start: number, end: number, eol: boolean) => void
/** Where a piece of a line without `\n` ends, given its first `maxLineBytes` bytes: from 1 to their length. */
export type PieceEnd = (window: Buffer) => number

export class LineCutter {
  private carry: Buffer[] = []
  private carryBytes = 0

  constructor(
    readonly maxLineBytes: number,
    private readonly pieceEnd?: PieceEnd,
  ) {}

  /**
   * Calls `line(bytes, eol, at)` for each line the chunk completes — whole, of any length
   * (cut it with `cutPieces`) — and for each piece of a line without `\n` that grew past
   * maxLineBytes (eol false; where it ends decided by `pieceEnd`). `at` is the line's
   * offset in this chunk, or -1 when it began in an earlier one.
   */
  push(chunk: Buffer, line: LineSink): void {
    this.cut(chunk, (memory, start, end, eol) => line(memory.subarray(start, end), eol, memory === chunk ? start : -1))
  }

  /** push() without a Buffer per line: each line as offsets into the chunk (or into the joined bytes of a line that began earlier). */
  cut(chunk: Buffer, line: SpanSink): void {
    let at = 0
    while (at < chunk.length) {
      const newline = chunk.indexOf(10, at)
      if (newline === -1) {
        this.hold(chunk.subarray(at), line)
        return
      }
      if (this.carryBytes > 0) {
        this.carry.push(chunk.subarray(at, newline))
        const whole = Buffer.concat(this.carry, this.carryBytes + newline - at)
        this.carry = []
        this.carryBytes = 0
        line(whole, 0, whole.length, true)
      } else {
        line(chunk, at, newline, true)
      }
      at = newline + 1
    }
  }

  /** At the end of the input: the bytes of a last line without `\n`, if any. */
  end(): Buffer | undefined {
    if (this.carryBytes === 0) return undefined
    const rest = Buffer.concat(this.carry, this.carryBytes)
    this.carry = []
    this.carryBytes = 0
    return rest
  }

  private hold(bytes: Buffer, line: SpanSink): void {
    this.carry.push(Buffer.from(bytes))
    this.carryBytes += bytes.length
    while (this.carryBytes > this.maxLineBytes) {
      const whole = Buffer.concat(this.carry, this.carryBytes)
      const end = this.pieceEnd?.(whole.subarray(0, this.maxLineBytes)) ?? this.maxLineBytes
      line(whole, 0, end, false)
      const rest = whole.subarray(end)
      this.carry = [rest]
      this.carryBytes = rest.length
    }
  }
}

/** A complete line as entries' bytes: pieces of `max` (eol false), then the rest (eol true). */
export function cutPieces(bytes: Buffer, max: number, piece: (bytes: Buffer, eol: boolean) => void): void {
  let start = 0
  for (; bytes.length - start > max; start += max) piece(bytes.subarray(start, start + max), false)
  piece(start === 0 ? bytes : bytes.subarray(start), true)
}
