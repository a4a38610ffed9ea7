/**
 * Moving through the entries the filter lets through, by ring position. The view is
 * anchored at its bottom entry (following = the newest), and only the entries that fit
 * on screen are ever looked at, whatever the size of the buffer.
 */
import type {LogBuffer, ViewEntry} from './log-buffer.js'

/** The newest visible position at or before `from` (default: the newest), or undefined. */
export function visibleAtOrBefore(buffer: LogBuffer, from = buffer.ring.end - 1): number | undefined {
  for (let p = Math.min(from, buffer.ring.end - 1); p >= buffer.ring.start; p--) if (buffer.matches(buffer.ring.get(p)!)) return p
  return undefined
}

/**
 * The bottom entry of the view: the newest when following (anchor undefined), else the
 * anchor — or, when the ring has dropped the anchored entry (a paused view of jobs that
 * cannot be paged), the oldest entry still held.
 */
export function viewBottom(buffer: LogBuffer, anchor: number | undefined): number | undefined {
  if (anchor === undefined) return visibleAtOrBefore(buffer)
  if (anchor < buffer.ring.start) return visibleAtOrAfter(buffer, buffer.ring.start)
  return visibleAtOrBefore(buffer, anchor) ?? visibleAtOrAfter(buffer, anchor)
}

export function visibleAtOrAfter(buffer: LogBuffer, from: number): number | undefined {
  for (let p = Math.max(from, buffer.ring.start); p < buffer.ring.end; p++) if (buffer.matches(buffer.ring.get(p)!)) return p
  return undefined
}

export interface Step {
  position: number
  /** The step ran into the oldest (back) or newest (forward) entry held. */
  atEdge: boolean
}

/** Moves `count` visible entries back (older) from a visible position. */
export function stepBack(buffer: LogBuffer, from: number, count: number): Step {
  let position = from
  for (let p = from - 1; p >= buffer.ring.start && count > 0; p--) {
    if (buffer.matches(buffer.ring.get(p)!)) {
      position = p
      count--
    }
  }
  return {position, atEdge: count > 0}
}

export function stepForward(buffer: LogBuffer, from: number, count: number): Step {
  let position = from
  for (let p = from + 1; p < buffer.ring.end && count > 0; p++) {
    if (buffer.matches(buffer.ring.get(p)!)) {
      position = p
      count--
    }
  }
  return {position, atEdge: count > 0}
}

export interface WindowLine {
  position: number
  item: ViewEntry
}

/**
 * The entries to draw, oldest first, ending at `bottom`: enough to fill `rows` screen
 * rows given each entry's height (`rowsOf`). Also says whether older entries exist above.
 */
export function visibleWindow(buffer: LogBuffer, bottom: number | undefined, rows: number, rowsOf: (item: ViewEntry) => number): {lines: WindowLine[]; moreAbove: boolean} {
  const lines: WindowLine[] = []
  if (bottom === undefined) return {lines, moreAbove: false}
  let used = 0
  let p = bottom
  for (; p >= buffer.ring.start && used < rows; p--) {
    const item = buffer.ring.get(p)!
    if (!buffer.matches(item)) continue
    lines.push({position: p, item})
    used += rowsOf(item)
  }
  lines.reverse()
  return {lines, moreAbove: visibleAtOrBefore(buffer, p) !== undefined}
}

/** The next (or previous) visible entry after `from` that satisfies `test`, wrapping around the buffer unless `wrap` is false. */
export function findVisible(buffer: LogBuffer, from: number | undefined, direction: 1 | -1, test: (item: ViewEntry) => boolean, wrap = true): number | undefined {
  const {start, end} = buffer.ring
  const size = end - start
  if (size === 0) return undefined
  const origin = from ?? (direction === 1 ? start - 1 : end)
  for (let i = 1; i <= size; i++) {
    const unwrapped = origin + direction * i
    if (!wrap && (unwrapped < start || unwrapped >= end)) return undefined
    const p = start + ((((origin - start + direction * i) % size) + size) % size)
    const item = buffer.ring.get(p)!
    if (buffer.matches(item) && test(item)) return p
  }
  return undefined
}
