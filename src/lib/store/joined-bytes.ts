/**
 * Entries' bytes back to back, with a `\n` after those that have one: the layout of the
 * file store's `log` (a newline after each line that had one) and of a Redis chunk's `d`
 * (lines joined by newlines). Lines cut from one read already lie so in its memory, so a
 * run of them is written as the read's own bytes, not copied line by line; only where
 * the memory differs (a masked line, a line joined across reads) are the parts copied.
 */
const NEWLINE = Buffer.from('\n')

export function joinedBytes(entries: ReadonlyArray<{bytes: Buffer}>, start: number, end: number, newlineAfter: (i: number) => boolean): Buffer {
  const parts: Buffer[] = []
  let total = 0
  let run: Buffer | undefined
  let memory: Uint8Array = new Uint8Array(0)
  let runEnd = 0
  const closeRun = (withNewline: boolean) => {
    const part = Buffer.from(run!.buffer, run!.byteOffset, runEnd - run!.byteOffset)
    parts.push(part)
    total += part.length
    if (withNewline) {
      parts.push(NEWLINE)
      total++
    }
    run = undefined
  }
  for (let i = start; i < end; i++) {
    const bytes = entries[i].bytes
    if (run && bytes.buffer === run.buffer && bytes.byteOffset === runEnd) {
      runEnd += bytes.length
    } else {
      if (run) closeRun(false)
      run = bytes
      if (memory.buffer !== bytes.buffer) memory = new Uint8Array(bytes.buffer)
      runEnd = bytes.byteOffset + bytes.length
    }
    if (!newlineAfter(i)) continue
    // The byte after the line in its memory is a newline: the run goes on over it.
    if (runEnd < memory.length && memory[runEnd] === 10) runEnd++
    else closeRun(true)
  }
  if (run) closeRun(false)
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, total)
}
