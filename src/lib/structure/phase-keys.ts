/**
 * Whether a JSON line holds one of the keys phase and progress come from (`"phase"`,
 * `"progress"`, `"total"`). The lines of one read are searched in the read's text (decoded
 * once, entry.ts ReadChunk), from line to line with one regular expression, rather than
 * each JSON line on its own: a read holding no key (nearly every read) costs one search,
 * which irregexp makes a skip-ahead scan. Other lines are looked at in a latin1 view of
 * their bytes (the keys are ASCII, so either view finds them).
 */
import type {ReadChunk} from '../entry.js'

const KEYS = /"(?:phase|progress|total)"/
const KEYS_FROM = new RegExp(KEYS.source, 'g')

export class PhaseKeys {
  private read: ReadChunk | undefined
  private text: string | undefined
  private lastStart = 0
  /** Where the next key at or after lastStart starts and ends in the read (Infinity: nowhere); -1: not searched yet. */
  private next = -1
  private nextEnd = -1

  /** Whether bytes start..end of the read hold a key. A read's lines are asked in the order of their starts. */
  inReadLine(read: ReadChunk, start: number, end: number): boolean {
    if (read !== this.read || start < this.lastStart) {
      this.read = read
      this.text = read.asciiText()
      this.next = -1
    }
    if (this.text === undefined) return inBytes(read.memory, start, end)
    this.lastStart = start
    if (this.next < start) {
      KEYS_FROM.lastIndex = start
      const match = KEYS_FROM.exec(this.text)
      this.next = match ? match.index : Number.POSITIVE_INFINITY
      this.nextEnd = match ? match.index + match[0].length : Number.POSITIVE_INFINITY
    }
    return this.nextEnd <= end
  }
}

/** Whether bytes start..end of `memory` hold a key. */
export function inBytes(memory: Buffer, start: number, end: number): boolean {
  return KEYS.test(memory.toString('latin1', start, end))
}
