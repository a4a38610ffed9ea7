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
import {newEntry, ReadChunk, readLine, type NewEntry, type Stream} from '../entry.js'
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
    const read = new ReadChunk(chunk, ts, this.stream)
    let triggers = this.masker?.scan(chunk)
    const generation = this.masker?.generation
    let next = 0
    this.cutter.cut(chunk, (memory, start, end, eol) => {
      if (!eol) {
        out.push(this.entry(memory.subarray(start, end), false, ts))
        return
      }
      const inChunk = memory === chunk
      let hint: boolean | undefined
      if (inChunk && triggers !== undefined) {
        if (triggers === EVERY_LINE) {
          hint = true
        } else {
          while (next < triggers.length && triggers[next] < start) next++
          hint = next < triggers.length && triggers[next] < end
        }
      }
      this.emitLine(inChunk ? read : new ReadChunk(memory, ts, this.stream), start, end, out, hint)
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
  private emitLine(read: ReadChunk, start: number, end: number, out: NewEntry[], hint: boolean | undefined): void {
    const masked = this.masker?.mayMask(hint) ? this.masker.mask(read.memory.subarray(start, end), hint) : undefined
    if (!masked && end - start <= this.maxLineBytes) {
      out.push(readLine(read, start, end, true))
      return
    }
    const first = out.length
    cutPieces(masked?.bytes ?? read.memory.subarray(start, end), this.maxLineBytes, (piece, eol) => out.push(newEntry(piece, eol, read.ts, this.stream)))
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
