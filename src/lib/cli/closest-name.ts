/**
 * The name (a command, a flag) a mistyped one most likely meant, or undefined when none is
 * close. Distance counts an insertion, deletion, substitution or swap of two neighbouring
 * letters as one edit (`gte` is one edit from `get`, two from `gc`), and a suggestion needs
 * at most one edit per three letters of the typed word, at least one.
 */
export function closestName(typed: string, names: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(typed.length / 3))
  let best: {name: string; distance: number} | undefined
  for (const name of names) {
    const distance = editDistance(typed, name)
    if (distance <= limit && (!best || distance < best.distance)) best = {name, distance}
  }
  return best?.name
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1)
    }
  }
  return rows[a.length][b.length]
}
