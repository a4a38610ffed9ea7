/**
 * Entries' bytes back to back, with a `\n` after those that have one: the layout of the
 * file store's `log` (a newline after each line that had one) and of a Redis chunk's `d`
 * (lines joined by newlines). Lines cut from one read already lie so in its memory, so a
 * run of them is written as the read's own bytes, not copied line by line; only where
 * the memory differs (a masked line, a line joined across reads) are the parts copied.
 */
import {ReadLine, type NewEntry} from '../entry.js'

const NEWLINE = Buffer.from('\n')

export function joinedBytes(entries: ReadonlyArray<NewEntry>, start: number, end: number, newlineAfter: (i: number) => boolean): Buffer {
  const {parts, total} = joinedParts(entries, start, end, newlineAfter)
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, total)
}

/** joinedBytes as the parts it joins (for a vectored write): runs of the reads' memory, copied parts, newlines. */
export function joinedParts(entries: ReadonlyArray<NewEntry>, start: number, end: number, newlineAfter: (i: number) => boolean): {parts: Buffer[]; total: number} {
  const runs = new JoinedRuns()
  for (let i = start; i < end; i++) {
    runs.addEntry(entries[i])
    if (newlineAfter(i)) runs.newline()
  }
  return runs.finish()
}

/**
 * The parts being joined, and the run being extended: bytes [runStart, runEnd) of the
 * ArrayBuffer `run`. A class, not closures in joinedParts: it is called per append and
 * per chunk, and a closure made per call costs more than the call's own work for one line.
 * The file store's append feeds it in the loop that writes the index records (job-log-writer.ts).
 */
export class JoinedRuns {
  parts: Buffer[] = []
  total = 0
  private run: ArrayBufferLike | undefined = undefined
  private runStart = 0
  private runEnd = 0
  private memory: Uint8Array = new Uint8Array(0)
  /** The read the last ReadLine pointed into, and where that read lies in its ArrayBuffer. */
  private read: Buffer | undefined = undefined
  private readBuffer: ArrayBufferLike | undefined = undefined
  private readOffset = 0

  /** The entry's bytes, next; returns their length. A ReadLine is its offsets in the read: no Buffer is made for it. */
  addEntry(entry: NewEntry): number {
    if (entry instanceof ReadLine) return this.addSpan(entry.memory, entry.start, entry.end)
    const bytes = entry.bytes
    this.add(bytes.buffer, bytes.byteOffset, bytes.length)
    return bytes.length
  }

  /** Bytes start..end of a read's memory, next; returns their length. */
  addSpan(memory: Buffer, start: number, end: number): number {
    if (memory !== this.read) {
      this.read = memory
      this.readBuffer = memory.buffer
      this.readOffset = memory.byteOffset
    }
    this.add(this.readBuffer!, this.readOffset + start, end - start)
    return end - start
  }

  /** The parts joined so far; nothing may be added after. */
  finish(): {parts: Buffer[]; total: number} {
    this.close(false)
    return {parts: this.parts, total: this.total}
  }

  private add(buffer: ArrayBufferLike, from: number, length: number): void {
    if (this.run && buffer === this.run && from === this.runEnd) {
      this.runEnd += length
      return
    }
    this.close(false)
    this.run = buffer
    if (this.memory.buffer !== buffer) this.memory = new Uint8Array(buffer)
    this.runStart = from
    this.runEnd = from + length
  }

  /** A newline after the line just added: the byte after it in its memory when it is one (the run goes on over it), else a part of its own. */
  newline(): void {
    if (this.runEnd < this.memory.length && this.memory[this.runEnd] === 10) this.runEnd++
    else this.close(true)
  }

  private close(withNewline: boolean): void {
    if (this.run) {
      const part = Buffer.from(this.run, this.runStart, this.runEnd - this.runStart)
      this.parts.push(part)
      this.total += part.length
      this.run = undefined
    }
    if (withNewline) {
      this.parts.push(NEWLINE)
      this.total++
    }
  }
}
