/**
 * The section markers of CI systems, read at the start of a line (ANSI codes aside):
 *
 *   GitHub Actions   `::group::TITLE` … `::endgroup::` (not nested)
 *   Azure Pipelines  `##[group]TITLE` … `##[endgroup]` (not nested)
 *   GitLab           `\e[0Ksection_start:TS:NAME[collapsed=true]\r\e[0KTITLE` …
 *                    `\e[0Ksection_end:TS:NAME\r\e[0K` (nested; times from the markers)
 *   TeamCity         `##teamcity[blockOpened name='NAME' description='…']` …
 *                    `##teamcity[blockClosed name='NAME']` (nested)
 *   Buildkite        `--- T` and `~~~ T` (folded), `+++ T` (unfolded); `^^^ +++` unfolds the previous
 *   Jenkins          `[Pipeline] { (STAGE)` … `[Pipeline] }` in a Pipeline's console output (nested);
 *                    the steps' own blocks open with a bare `[Pipeline] {` and close the same way
 *   gh run view --log  no marker: each line names its job and step before its timestamp
 *                    (`JOB\tSTEP\t2026-…Z …`), and a new job or step is a new section (nested)
 *
 * Behind a line prefix (line-prefix.ts), the markers a log downloaded from a CI system
 * holds there: `##[group]` … `##[endgroup]` (GitHub Actions and Azure Pipelines write a
 * workflow's groups so, and `gh run view --log` prints them behind its job and step),
 * GitLab's `section_start` … `section_end`, and Jenkins' `[Pipeline] …` (Timestamper's
 * global option writes its time before each).
 *
 * One reading for the tracker that records a job's sections (sections.ts) and for the
 * outputs that show a marker as a header (marker-text.ts), so both agree on what a marker is.
 */
import type {SectionFamily} from '../job.js'
import {stripAnsi} from '../level.js'
import {linePrefixLength, linePrefixTime} from '../line-prefix.js'

export type Marker =
  /**
   * `name` for the families whose markers name their sections; `at` (ms) when the marker gives its time (GitLab's
   * own, else that of the line prefix it stands behind: a log downloaded from CI, kubectl's, Timestamper's, gh's);
   * `untitled`: a GitLab start with no title of its own, whose title a log with timestamps holds in the next line (`00O+TITLE`).
   */
  | {kind: 'start'; family: SectionFamily; title: string; name?: string; folded: boolean; at?: number; untitled?: true}
  /** `name`: the named section it ends, with the ones inside it; without, the family's open section. */
  | {kind: 'end'; family: SectionFamily; name?: string; at?: number}
  | {kind: 'unfold-previous'; family: 'buildkite'}
  /** A Jenkins step's block (`[Pipeline] {`), which opens no section but is closed by the next `[Pipeline] }`. */
  | {kind: 'block'; family: 'jenkins'}

const GITLAB = /^section_(start|end):(\d{1,12}):([A-Za-z0-9_.-]{1,100})(?:\[([^\]]*)\])?\r?(.*)$/
const BUILDKITE = /^(---|\+\+\+|~~~) (.*)$/
const TEAMCITY = /^##teamcity\[block(Opened|Closed)\s/
const TEAMCITY_NAME = /\sname='((?:[^'|]|\|.)*)'/
const MAX_NAME = 100
// eslint-disable-next-line no-control-regex -- control characters are what it removes
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g

/** The text without control characters (C0, DEL, C1): for a title, a name, or a search typed or pasted in. */
export function dropControls(text: string): string {
  return text.replace(CONTROL, '')
}

/** A title as people read it: without ANSI codes and control characters, trimmed. */
export function plainText(text: string): string {
  return dropControls(stripAnsi(text)).trim()
}

/** The marker a line is, or undefined. `line` may end with a carriage return. Without `withColumns`, none behind gh's columns. */
export function readMarker(line: string, withColumns = true): Marker | undefined {
  const prefix = linePrefixLength(line, withColumns)
  if (prefix > 0) return timed(afterPrefix(line.slice(prefix)), line.slice(0, prefix))
  const first = line.charCodeAt(0)
  const text = line.endsWith('\r') ? line.slice(0, -1) : line
  switch (first) {
    case 27 /* ESC */:
      // Only GitLab's markers start with an escape; a coloured line is let go without stripping it.
      return text.includes('section_') ? gitlab(stripAnsi(text)) : undefined
    case 58 /* : */:
      if (text.startsWith('::group::')) return start('github', text.slice('::group::'.length))
      return text.startsWith('::endgroup::') ? {kind: 'end', family: 'github'} : undefined
    case 35 /* # */:
      if (text.startsWith('##[group]')) return start('azure', text.slice('##[group]'.length))
      if (text.startsWith('##[endgroup]')) return {kind: 'end', family: 'azure'}
      return teamcity(text)
    case 115 /* s */:
      return gitlab(text)
    case 91 /* [ */:
      return text.startsWith('[Pipeline] ') ? jenkins(text) : undefined
    case 94 /* ^ */:
      return text.startsWith('^^^ +++') ? {kind: 'unfold-previous', family: 'buildkite'} : undefined
    case 45 /* - */:
    case 43 /* + */:
    case 126 /* ~ */: {
      const match = BUILDKITE.exec(text)
      return match ? start('buildkite', match[2], match[1] !== '+++') : undefined // Buildkite folds --- and ~~~ groups
    }
    default:
      return undefined
  }
}

/** How the markers read behind a line prefix start: a downloaded log's `##[group]` and `##[endgroup]`, GitLab's `section_start` and `section_end`, Jenkins' `[Pipeline] …`. */
export const MARKERS_AFTER_PREFIX = ['##[', 'section_', '[Pipeline] '] as const

/** A start or end behind a prefix, at the prefix's time where it has none of its own. */
function timed(marker: Marker | undefined, prefix: string): Marker | undefined {
  if ((marker?.kind !== 'start' && marker?.kind !== 'end') || marker.at !== undefined) return marker
  const at = linePrefixTime(prefix)
  return Number.isNaN(at) ? marker : {...marker, at}
}

function afterPrefix(text: string): Marker | undefined {
  return MARKERS_AFTER_PREFIX.some((start) => text.startsWith(start)) ? readMarker(text.includes('\u001B') ? stripAnsi(text) : text) : undefined
}

/** The title a GitLab log with timestamps gives an untitled section start in its next line, `TIMESTAMP 00O+TITLE`; undefined for any other line. */
export function continuedTitle(line: string): string | undefined {
  const prefix = linePrefixLength(line)
  return prefix > 0 && line.charCodeAt(prefix - 1) === 43 /* + */ ? plainText(line.slice(prefix)) || undefined : undefined
}

function start(family: SectionFamily, title: string, folded = false): Marker {
  return {kind: 'start', family, title, folded}
}

function gitlab(text: string): Marker | undefined {
  const match = GITLAB.exec(text)
  if (!match) return undefined
  const [, kind, stamp, name, options, title] = match
  const at = Number(stamp) * 1000
  if (kind === 'end') return {kind: 'end', family: 'gitlab', name, at}
  const marker: Marker = {kind: 'start', family: 'gitlab', title: title.trim() || name, name, folded: /collapsed=true/.test(options ?? ''), at}
  if (!plainText(title)) marker.untitled = true
  return marker
}

const JENKINS = /^\[Pipeline\] (?:\{ \((.+)\)|(\{|\}))\s*$/

function jenkins(text: string): Marker | undefined {
  const match = JENKINS.exec(text)
  if (!match) return undefined
  if (match[1] !== undefined) {
    const name = plainText(match[1]).slice(0, MAX_NAME)
    return name ? {kind: 'start', family: 'jenkins', title: name, name, folded: false} : undefined
  }
  return match[2] === '{' ? {kind: 'block', family: 'jenkins'} : {kind: 'end', family: 'jenkins'}
}

/** The job and the step `gh run view --log` names in a line's columns (`JOB\tSTEP\t`), as sections' names and titles. */
export function ghColumns(columns: string): {job: {name: string; title: string}; step: {name: string; title: string}} {
  const [job, step] = columns.split('\t')
  const named = (text: string, otherwise: string) => {
    const title = plainText(text)
    return {name: title.slice(0, MAX_NAME) || otherwise, title: title || otherwise}
  }
  return {job: named(job, 'job'), step: named(step, 'step')}
}

/** A block's name, unescaped (TeamCity escapes `'`, `|`, `[`, `]` and newlines with `|`); one with no name is no marker. */
function teamcity(text: string): Marker | undefined {
  const match = TEAMCITY.exec(text)
  if (!match) return undefined
  const name = teamcityName(text)
  if (!name) return undefined
  return match[1] === 'Opened' ? {kind: 'start', family: 'teamcity', title: name, name, folded: false} : {kind: 'end', family: 'teamcity', name}
}

/** TeamCity's escapes of line breaks (`|n`, `|r`, NEL, LS, PS): a blank in a name. */
const TEAMCITY_BREAKS = new Set(['n', 'r', 'x', 'l', 'p'])

function teamcityName(text: string): string | undefined {
  const match = TEAMCITY_NAME.exec(text)
  if (!match) return undefined
  const value = match[1].replace(/\|(0x[0-9a-fA-F]{4}|.)/g, (_, escaped: string) =>
    escaped.length > 1 ? String.fromCharCode(parseInt(escaped.slice(2), 16)) : TEAMCITY_BREAKS.has(escaped) ? ' ' : escaped,
  )
  const clean = dropControls(value).trim()
  return clean.length > MAX_NAME ? clean.slice(0, MAX_NAME) : clean
}
