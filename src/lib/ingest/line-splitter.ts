/**
 * A byte stream → entries: lines cut by the one LineCutter (./line-cutter.ts, where the
 * edge cases are written down), each a NewEntry with its exact bytes, level and stream.
 * A line longer than `maxLineBytes` becomes several entries marked `eol: false` but the
 * last, so nothing is dropped and raw output joins them back.
 *
 * With a LineMasker, each whole line is masked before it becomes an entry (so a secret
 * split across two reads is still found); the chunk is scanned once for the masker's
 * triggers and only lines holding one are looked at. A line longer than maxLineBytes
 * that has no newline yet is masked piece by piece as its pieces are emitted; the masker
 * decides where each piece ends (LineMasker.pieceEnd), so that a secret shorter than a
 * few KiB is whole in one piece even when its bytes arrive in two writes.
 */
import {newEntry, ReadChunk, readLine, readLineLevelCode, type NewEntry, type Stream} from '../entry.js'
import {LineBatch} from '../line-batch.js'
import {EVERY_LINE, type LineMasker} from '../mask/masker.js'
import {LineCutter, cutPieces} from './line-cutter.js'

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024
/** The most --max-line-bytes may be: an entry, JSON-escaped, stays well inside an archive block's bound (archive/block-codec.ts MAX_BLOCK_BYTES). */
export const MAX_LINE_BYTES_LIMIT = 8 * 1024 * 1024

export class LineSplitter {
  private readonly cutter: LineCutter
  /** The batch of the last cut, whose columns the next one takes over. */
  private last: LineBatch | undefined
  /** The last piece emitted of a line still without its newline ended in a mask (LineMasker.mask's afterSecret). */
  private afterSecret = false

  constructor(
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
    private readonly stream?: Stream,
    private readonly masker?: LineMasker,
  ) {
    this.cutter = new LineCutter(maxLineBytes, masker && ((window) => masker.pieceEnd(window)))
  }

  /** The chunk's lines as entries that point into it (ReadLine): no Buffer per line. */
  push(chunk: Buffer, ts: number): NewEntry[] {
    return this.cut(chunk, ts).toEntries()
  }

  /**
   * The chunk's lines as columns (line-batch.ts): no object per line but for those masked,
   * begun in an earlier chunk or over-long. Valid until the next cut, which reuses its columns.
   */
  cut(chunk: Buffer, ts: number): LineBatch {
    const read = new ReadChunk(chunk, ts, this.stream)
    const batch = new LineBatch(read, this.last ?? 1024)
    this.last = batch
    let triggers = this.masker?.scan(chunk)
    const generation = this.masker?.generation
    let next = 0
    this.cutter.cut(chunk, (memory, start, end, eol) => {
      if (!eol) {
        batch.addEntry(this.entry(memory.subarray(start, end), false, ts))
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
      this.emitLine(inChunk ? read : new ReadChunk(memory, ts, this.stream), inChunk, start, end, batch, hint)
      // A value registered by this line (::add-mask::) is not in the offsets scanned before it.
      if (this.masker && this.masker.generation !== generation) triggers = undefined
    })
    return batch
  }

  /** At EOF: the last bytes without a newline, if any. */
  end(ts: number): NewEntry[] {
    const rest = this.cutter.end()
    return rest ? [this.entry(rest, false, ts)] : []
  }

  /** A complete line, masked whole: pieces of maxLineBytes with eol false, the rest with eol true. */
  private emitLine(read: ReadChunk, inChunk: boolean, start: number, end: number, batch: LineBatch, hint: boolean | undefined): void {
    const afterSecret = this.afterSecret
    this.afterSecret = false
    const masked = this.masker && (afterSecret || this.masker.mayMask(hint)) ? this.masker.mask(read.memory.subarray(start, end), hint, afterSecret) : undefined
    if (!masked && end - start <= this.maxLineBytes) {
      if (inChunk) batch.addLine(start, end, readLineLevelCode(read, start, end))
      else batch.addEntry(readLine(read, start, end, true))
      return
    }
    this.emitPieces(read, masked?.bytes ?? read.memory.subarray(start, end), masked?.masked, batch)
  }

  /**
   * A line masked or longer than maxLineBytes, as entries. Apart from emitLine: variables a
   * closure captures are allocated on every call of the function that holds it, taken or not.
   */
  private emitPieces(read: ReadChunk, bytes: Buffer, masked: number | undefined, batch: LineBatch): void {
    let first = true
    cutPieces(bytes, this.maxLineBytes, (piece, eol) => {
      const entry = newEntry(piece, eol, read.ts, this.stream)
      if (first && masked) entry.masked = masked
      first = false
      batch.addEntry(entry)
    })
  }

  /** A piece of a line emitted on its own (no newline yet, or at EOF): masked by itself, and the rest of a secret the last piece was cut inside. */
  private entry(bytes: Buffer, eol: boolean, ts: number): NewEntry {
    const masked = this.masker?.mask(bytes, undefined, this.afterSecret)
    this.afterSecret = masked?.openEnd === true
    const entry = newEntry(masked?.bytes ?? bytes, eol, ts, this.stream)
    if (masked) entry.masked = masked.masked
    return entry
  }
}
