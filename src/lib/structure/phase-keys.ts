/**
 * Whether a JSON line holds one of the keys phase and progress come from (`"phase"`,
 * `"progress"`, `"total"`): looked for in the line's slice of its read's text (decoded
 * once per read, entry.ts ReadChunk), else in a latin1 view of its bytes (the keys are
 * ASCII, so either view finds them). Searching the read's whole text from line to line
 * instead cost more than this: the lines between JSON lines are searched too.
 */
import type {ReadChunk} from '../entry.js'

const KEYS = /"(?:phase|progress|total)"/

/** Whether bytes start..end of the read hold a key. */
export function phaseKeysInRead(read: ReadChunk, start: number, end: number): boolean {
  const text = read.asciiText()
  return text === undefined ? phaseKeysInBytes(read.memory, start, end) : KEYS.test(text.slice(start, end))
}

/** Whether bytes start..end of `memory` hold a key. */
export function phaseKeysInBytes(memory: Buffer, start: number, end: number): boolean {
  return KEYS.test(memory.toString('latin1', start, end))
}
