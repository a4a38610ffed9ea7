/**
 * Whether a JSON line holds one of the keys phase and progress come from (`"phase"`,
 * `"progress"`, `"total"`).
 *
 * For the lines of a read (PhaseKeySearch): one search of the read's text (decoded once
 * per read, entry.ts ReadChunk; else a latin1 view, as the keys are ASCII), remembering
 * where the next key is, so each JSON line costs a comparison. The search runs on from a
 * line only once the key found before lies behind it, so the read is gone through once
 * in all: a regular expression per JSON line cost the push of a log of JSON lines more
 * than this (bench/push-stages.ts).
 */
import type {ReadChunk} from '../entry.js'

const KEYS = /"(?:phase|progress|total)"/
const KEYS_FROM = /"(?:phase|progress|total)"/g

/** Whether bytes start..end of `memory` hold a key. */
export function phaseKeysInBytes(memory: Buffer, start: number, end: number): boolean {
  return KEYS.test(memory.toString('latin1', start, end))
}

/** Keys in the lines of one read at a time, asked line by line. */
export class PhaseKeySearch {
  private read: ReadChunk | undefined = undefined
  private text = ''
  /** Where the last search began; the first key at or after it and its length (-1: none to the end of the text). */
  private searchedFrom = 0
  private found = -1
  private foundLength = 0

  /** Whether bytes start..end of the read hold a key. */
  inRead(read: ReadChunk, start: number, end: number): boolean {
    if (read !== this.read) {
      this.read = read
      this.text = read.asciiText() ?? read.memory.toString('latin1')
      this.search(start)
    } else if (start < this.searchedFrom || (this.found !== -1 && this.found < start)) {
      this.search(start)
    }
    if (this.found === -1 || this.found >= end) return false
    // A key that runs past the line's end (a span not ended by a newline) does not count; another may follow in it.
    return this.found + this.foundLength <= end || KEYS.test(this.text.slice(start, end))
  }

  private search(from: number): void {
    KEYS_FROM.lastIndex = from
    const match = KEYS_FROM.exec(this.text)
    this.searchedFrom = from
    this.found = match ? match.index : -1
    this.foundLength = match ? match[0].length : 0
  }
}
