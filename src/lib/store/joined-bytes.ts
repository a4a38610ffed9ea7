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
  const parts: Buffer[] = []
  let total = 0
  // The run: bytes [runStart, runEnd) of `memory`'s ArrayBuffer.
  let run: ArrayBufferLike | undefined
  let runStart = 0
  let runEnd = 0
  let memory: Uint8Array = new Uint8Array(0)
  const closeRun = (withNewline: boolean) => {
    const part = Buffer.from(run!, runStart, runEnd - runStart)
    parts.push(part)
    total += part.length
    if (withNewline) {
      parts.push(NEWLINE)
      total++
    }
    run = undefined
  }
  // The read the last ReadLine pointed into, and where that read lies in its ArrayBuffer.
  let read: Buffer | undefined
  let readBuffer: ArrayBufferLike | undefined
  let readOffset = 0
  for (let i = start; i < end; i++) {
    const entry = entries[i]
    // A ReadLine is its offsets in the read: no Buffer is made for it.
    let buffer: ArrayBufferLike
    let from: number
    let length: number
    if (entry instanceof ReadLine) {
      if (entry.memory !== read) {
        read = entry.memory
        readBuffer = read.buffer
        readOffset = read.byteOffset
      }
      buffer = readBuffer!
      from = readOffset + entry.start
      length = entry.end - entry.start
    } else {
      const bytes = entry.bytes
      buffer = bytes.buffer
      from = bytes.byteOffset
      length = bytes.length
    }
    if (run && buffer === run && from === runEnd) {
      runEnd += length
    } else {
      if (run) closeRun(false)
      run = buffer
      if (memory.buffer !== buffer) memory = new Uint8Array(buffer)
      runStart = from
      runEnd = from + length
    }
    if (!newlineAfter(i)) continue
    // The byte after the line in its memory is a newline: the run goes on over it.
    if (runEnd < memory.length && memory[runEnd] === 10) runEnd++
    else closeRun(true)
  }
  if (run) closeRun(false)
  return {parts, total}
}
