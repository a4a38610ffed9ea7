/**
 * Section markers as text output shows them: a readable header instead of `::group::` or
 * GitLab's escape sequences (`--output raw` keeps the markers byte for byte).
 */
import {stripAnsi} from '../level.js'

const GITLAB = /^section_(start|end):\d{1,12}:([A-Za-z0-9_.-]{1,100})(?:\[([^\]]*)\])?\r?(.*)$/
const BUILDKITE = /^(---|\+\+\+|~~~) (.*)$/

/** How a line that markerText reads as a marker starts, once ANSI codes are stripped (and it does not start with one). */
export const MARKER_STARTS: readonly string[] = ['::', 'section_', '--- ', '+++ ', '~~~ ']

export function markerText(line: string): string | undefined {
  const first = line.charCodeAt(0)
  if (first !== 58 /* : */ && first !== 27 /* ESC */ && first !== 115 /* s */ && first !== 45 && first !== 43 && first !== 126) return undefined
  if (line.startsWith('::group::')) return `▾ ${clean(line.slice('::group::'.length))}`
  if (line.startsWith('::endgroup::')) return '▴'
  const gitlab = GITLAB.exec(stripAnsi(line))
  if (gitlab) {
    const [, kind, name, options, title] = gitlab
    if (kind === 'end') return `▴ ${name}`
    return `${/collapsed=true/.test(options ?? '') ? '▸' : '▾'} ${clean(title) || name}`
  }
  const buildkite = BUILDKITE.exec(line)
  if (buildkite) return `${buildkite[1] === '+++' ? '▾' : '▸'} ${clean(buildkite[2])}`
  return undefined
}

// eslint-disable-next-line no-control-regex -- control characters are what it removes
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g

/** The text without control characters (C0, DEL, C1): for a title or a search typed or pasted in. */
export function dropControls(text: string): string {
  return text.replace(CONTROL, '')
}

function clean(text: string): string {
  return dropControls(stripAnsi(text)).trim()
}
