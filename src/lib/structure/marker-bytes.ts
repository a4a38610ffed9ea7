/**
 * Telling, by a line's bytes, that it may be a section marker (markers.ts) or a JSON line,
 * so that the section tracker lets most lines go without making a string of them.
 */
import {MARKERS_AFTER_PREFIX} from './markers.js'

/** The first bytes of a marker or of a JSON line. */
const MAY_BE_MARKER = new Uint8Array(256)
for (const char of ':#\u001bs-+~^{') MAY_BE_MARKER[char.charCodeAt(0)] = 1
const PIPELINE = Buffer.from('[Pipeline] ')
/** What markers.ts reads behind a line prefix, as bytes. */
const AFTER_PREFIX = MARKERS_AFTER_PREFIX.map((start) => Buffer.from(start))

/**
 * Whether bytes start..end may be a marker: by their first byte (by `[Pipeline] ` for a `[`,
 * which many lines start with), or behind the line's prefix of `prefix` bytes (as the stream's
 * StreamLinePrefixes reads it) by what markers.ts reads there.
 */
export function mayBeMarker(memory: Uint8Array, start: number, end: number, prefix: number): boolean {
  const first = end > start ? memory[start] : 0
  if (MAY_BE_MARKER[first] || (first === 91 /* [ */ && isPipeline(memory, start, end))) return true
  if (prefix === 0) return false
  for (const marker of AFTER_PREFIX) if (startsWith(memory, start + prefix, end, marker)) return true
  return false
}

function isPipeline(memory: Uint8Array, start: number, end: number): boolean {
  return end - start > PIPELINE.length && memory[start + 1] === 80 /* P */ && PIPELINE.compare(memory, start, start + PIPELINE.length) === 0
}

function startsWith(memory: Uint8Array, start: number, end: number, marker: Buffer): boolean {
  return memory[start] === marker[0] && end - start >= marker.length && marker.compare(memory, start, start + marker.length) === 0
}
