import {UsageError} from './errors/index.js'

export const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/

/** `--label k=v` (repeatable) → a record; keys like Kubernetes label keys, values any text. */
export function parseLabels(pairs: string[] = [], where = '--label'): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined
  const labels: Record<string, string> = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    const key = at === -1 ? pair : pair.slice(0, at)
    if (at === -1 || !LABEL_KEY.test(key)) throw new UsageError(`invalid ${where} ${JSON.stringify(pair)}: use key=value, the key of letters, digits, '.', '_', '/', '-'`)
    labels[key] = pair.slice(at + 1)
  }
  return labels
}
