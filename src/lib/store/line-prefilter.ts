/**
 * Finds which lines of a block of text may match a regular expression with one search
 * over the whole block instead of one per line — how `get --grep` keeps up with big
 * logs. It is a prefilter: callers still test each candidate line exactly.
 *
 * The search runs with the `m` flag (so ^ and $ mean line start and end, as they do per
 * line) and restarts at the next line after each hit, so a match running across a
 * newline can only add a candidate, never hide one. Patterns whose meaning at a line's
 * edge differs in a block (lookarounds) get no prefilter.
 */
export function blockPrefilter(pattern: RegExp): RegExp | undefined {
  if (/\(\?<?[!=]/.test(pattern.source) || pattern.flags.includes('s')) return undefined
  return new RegExp(pattern.source, `${pattern.flags.replaceAll(/[gmy]/g, '')}gm`)
}

/** Indexes (0-based) of the lines of `text` (separated by `\n`) that may match. */
export function candidateLines(text: string, search: RegExp): number[] {
  const lines: number[] = []
  search.lastIndex = 0
  let line = 0
  let lineStart = 0
  for (let match = search.exec(text); match; match = search.exec(text)) {
    // Count the newlines between the previous line start and the match.
    for (let at = text.indexOf('\n', lineStart); at !== -1 && at < match.index; at = text.indexOf('\n', at + 1)) {
      line++
      lineStart = at + 1
    }
    lines.push(line)
    const next = text.indexOf('\n', match.index)
    if (next === -1) break
    line++
    lineStart = next + 1
    search.lastIndex = lineStart
  }
  return lines
}
