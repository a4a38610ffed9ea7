/**
 * A byte stream → entries: lines cut by the one LineCutter (./line-cutter.ts, where the
 * edge cases are written down), each a NewEntry with its exact bytes, level and stream.
 * A line longer than `maxLineBytes` becomes several entries marked `eol: false` but the
 * last, so nothing is dropped and raw output joins them back.
 *
 * With a LineMasker, each whole line is masked before it becomes an entry (so a secret
 * split across two reads is still found); the chunk is scanned once for the masker's
 * triggers and only lines holding one are looked at. A line longer than maxLineBytes
 * that has no newline yet is masked piece by piece as its pieces are emitted.
 */
import {isAscii} from 'node:buffer'
import {newEntry, readLine, type NewEntry, type Stream} from '../entry.js'
import {EVERY_LINE, type LineMasker} from '../mask/masker.js'
import {LineCutter, cutPieces} from './line-cutter.js'

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024

export class LineSplitter {
  private readonly cutter: LineCutter

  constructor(
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
    private readonly stream?: Stream,
    private readonly masker?: LineMasker,
  ) {
    this.cutter = new LineCutter(maxLineBytes)
  }

  /** The chunk's lines as entries that point into it (ReadLine): no Buffer per line. */
  push(chunk: Buffer, ts: number): NewEntry[] {
    const out: NewEntry[] = []
    // The chunk's lines decoded in one go: '\n' never falls inside a UTF-8 sequence, so each
    // line's text is what decoding the line alone gives (invalid bytes included).
    const text = new LineTexts(chunk)
    let triggers = this.masker?.scan(chunk, text.ascii)
    const generation = this.masker?.generation
    let next = 0
    this.cutter.cut(chunk, (memory, start, end, eol) => {
      if (!eol) {
        out.push(this.entry(memory.subarray(start, end), false, ts))
        return
      }
      const inChunk = memory === chunk
      const lineText = text.next(inChunk, start, end)
      let hint: boolean | undefined
      if (inChunk && triggers !== undefined) {
        if (triggers === EVERY_LINE) {
          hint = true
        } else {
          while (next < triggers.length && triggers[next] < start) next++
          hint = next < triggers.length && triggers[next] < end
        }
      }
      this.emitLine(memory, start, end, ts, out, hint, lineText)
      // A value registered by this line (::add-mask::) is not in the offsets scanned before it.
      if (this.masker && this.masker.generation !== generation) triggers = undefined
    })
    return out
  }

  /** At EOF: the last bytes without a newline, if any. */
  end(ts: number): NewEntry[] {
    const rest = this.cutter.end()
    return rest ? [this.entry(rest, false, ts)] : []
  }

  /** A complete line, masked whole: pieces of maxLineBytes with eol false, the rest with eol true. */
  private emitLine(memory: Buffer, start: number, end: number, ts: number, out: NewEntry[], hint: boolean | undefined, text: string | undefined): void {
    const masked = this.masker?.mayMask(hint) ? this.masker.mask(memory.subarray(start, end), hint) : undefined
    if (!masked && end - start <= this.maxLineBytes) {
      out.push(readLine(memory, start, end, true, ts, this.stream, text))
      return
    }
    const first = out.length
    cutPieces(masked?.bytes ?? memory.subarray(start, end), this.maxLineBytes, (piece, eol) => out.push(newEntry(piece, eol, ts, this.stream)))
    if (masked) out[first].masked = masked.masked
  }

  /** A piece of a line emitted on its own (no newline yet, or at EOF): masked by itself. */
  private entry(bytes: Buffer, eol: boolean, ts: number): NewEntry {
    const masked = this.masker?.mask(bytes)
    const entry = newEntry(masked?.bytes ?? bytes, eol, ts, this.stream)
    if (masked) entry.masked = masked.masked
    return entry
  }
}

/**
 * The texts of a chunk's lines, in order, cut from one decoding of the chunk. An ASCII
 * chunk (the common case) is decoded once as latin1, which is also its UTF-8 decoding,
 * and shared with the mask scan; its lines' offsets are their bytes' offsets.
 */
class LineTexts {
  /** The whole chunk as latin1 when it is ASCII. */
  readonly ascii: string | undefined
  private readonly text: string
  private at = 0

  constructor(chunk: Buffer) {
    if (isAscii(chunk)) {
      this.ascii = this.text = chunk.toString('latin1')
      return
    }
    const last = chunk.lastIndexOf(10)
    this.text = last > 0 ? chunk.toString('utf8', 0, last) : ''
  }

  /** The text of the next line, bytes [start, end) of the chunk; undefined for a line that began in an earlier chunk (its text is not here). */
  next(inChunk: boolean, start: number, end: number): string | undefined {
    if (this.ascii !== undefined) return inChunk ? this.ascii.slice(start, end) : undefined
    const newline = this.text.indexOf('\n', this.at)
    const stop = newline === -1 ? this.text.length : newline
    const line = inChunk ? this.text.slice(this.at, stop) : undefined
    this.at = stop + 1
    return line
  }
}
