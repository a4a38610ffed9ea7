/**
 * Section markers as text output shows them: a readable header instead of `::group::` or
 * GitLab's escape sequences (`--output raw` keeps the markers byte for byte).
 */
import {linePrefixLength} from '../line-prefix.js'
import {MARKERS_AFTER_PREFIX, plainText, readMarker} from './markers.js'

/**
 * How a line that markerText shows as a header starts, once ANSI codes are stripped (and it
 * does not start with one) — or, behind a line prefix, with one of MARKERS_AFTER_PREFIX.
 */
export const MARKER_STARTS: readonly string[] = ['::', 'section_', '--- ', '+++ ', '~~~ ', '##[', '##teamcity[', '[Pipeline] { (']

/** Whether markerText may show a line that starts with `head` (ANSI codes stripped) as a header. */
export function startsAsMarker(head: string): boolean {
  if (MARKER_STARTS.some((start) => head.startsWith(start))) return true
  const prefix = linePrefixLength(head)
  return prefix > 0 && MARKERS_AFTER_PREFIX.some((start) => head.startsWith(start, prefix))
}

export function markerText(line: string): string | undefined {
  const marker = readMarker(line)
  switch (marker?.kind) {
    case 'start':
      return `${marker.folded ? '▸' : '▾'} ${plainText(marker.title) || (marker.name ?? '')}`
    case 'end':
      // Jenkins' `[Pipeline] }` ends a step's block as often as a stage: it stays as it is.
      if (marker.family === 'jenkins') return undefined
      return marker.name === undefined ? '▴' : `▴ ${marker.name}`
    default:
      return undefined // not a marker, Buildkite's `^^^ +++` (which changes a header printed before it), or a Jenkins step's block
  }
}
