/**
 * Section markers as text output shows them: a readable header instead of `::group::` or
 * GitLab's escape sequences (`--output raw` keeps the markers byte for byte).
 */
import {plainText, readMarker} from './markers.js'

/** How a line that markerText shows as a header starts, once ANSI codes are stripped (and it does not start with one). */
export const MARKER_STARTS: readonly string[] = ['::', 'section_', '--- ', '+++ ', '~~~ ', '##[', '##teamcity[']

export function markerText(line: string): string | undefined {
  const marker = readMarker(line)
  switch (marker?.kind) {
    case 'start':
      return `${marker.folded ? '▸' : '▾'} ${plainText(marker.title) || (marker.name ?? '')}`
    case 'end':
      return marker.name === undefined ? '▴' : `▴ ${marker.name}`
    default:
      return undefined // not a marker, or Buildkite's `^^^ +++`, which changes a header printed before it
  }
}
