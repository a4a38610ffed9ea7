/**
 * Label selectors, kubectl's syntax (`-l`, repeatable; requirements within one value are
 * comma-separated, and all of them must hold):
 *   key=value, key==value   the label is set to value
 *   key!=value              the label is not set to value (a job without it matches)
 *   key                     the label is set
 *   !key                    the label is not set
 *   key in (a,b)            set to one of the values
 *   key notin (a,b)         not set to any of them (a job without it matches)
 */
import {UsageError} from './errors/index.js'
import {LABEL_KEY} from './labels.js'

export type LabelRequirement = {key: string; op: 'in' | 'notin'; values: string[]} | {key: string; op: 'exists' | 'absent'}

export type LabelSelector = LabelRequirement[]

const FORMS = 'key=value, key!=value, key, !key, key in (a,b), key notin (a,b)'
const SET = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/
const VALUE = /^[^\s,()=!]*$/

/** Every `-l` value → one selector; undefined when none was given. `where` names their source in messages (a flag, a relay's `l=`). */
export function parseSelector(texts: string[] | undefined, where = '-l'): LabelSelector | undefined {
  if (!texts || texts.length === 0) return undefined
  const selector: LabelSelector = []
  for (const text of texts) {
    for (const part of splitTopLevel(text, where)) selector.push(parseRequirement(part.trim(), text, where))
  }
  return selector
}

export function matchesSelector(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true
  return selector.every((requirement) => {
    const value = labels && Object.hasOwn(labels, requirement.key) ? labels[requirement.key] : undefined
    switch (requirement.op) {
      case 'exists':
        return value !== undefined
      case 'absent':
        return value === undefined
      case 'in':
        return value !== undefined && requirement.values.includes(value)
      case 'notin':
        return value === undefined || !requirement.values.includes(value)
    }
  })
}

/** The selector as one `-l` value (for the relay's `labelSelector` parameter). */
export function formatSelector(selector: LabelSelector): string {
  return selector
    .map((r) => {
      if (!('values' in r)) return r.op === 'exists' ? r.key : `!${r.key}`
      if (r.values.length === 1) return `${r.key}${r.op === 'in' ? '=' : '!='}${r.values[0]}`
      return `${r.key} ${r.op} (${r.values.join(',')})`
    })
    .join(',')
}

function splitTopLevel(text: string, where: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++
    else if (text[i] === ')') depth--
    if (depth < 0 || depth > 1) throw invalid(text, where, 'unbalanced parentheses')
    if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  if (depth !== 0) throw invalid(text, where, 'unbalanced parentheses')
  parts.push(text.slice(start))
  return parts
}

function parseRequirement(part: string, text: string, where: string): LabelRequirement {
  const set = SET.exec(part)
  if (set) {
    const values = set[3].split(',').map((v) => v.trim())
    if (values.some((v) => !VALUE.test(v))) throw invalid(text, where, `bad value in ${JSON.stringify(part)}`)
    return {key: checkKey(set[1], text, where), op: set[2] as 'in' | 'notin', values}
  }
  const compare = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part)
  if (compare) {
    const value = compare[3].trim()
    if (!VALUE.test(value)) throw invalid(text, where, `bad value in ${JSON.stringify(part)}`)
    return {key: checkKey(compare[1], text, where), op: compare[2] === '!=' ? 'notin' : 'in', values: [value]}
  }
  if (part.startsWith('!')) return {key: checkKey(part.slice(1).trim(), text, where), op: 'absent'}
  return {key: checkKey(part, text, where), op: 'exists'}
}

function checkKey(key: string, text: string, where: string): string {
  if (!LABEL_KEY.test(key)) throw invalid(text, where, key === '' ? 'an empty requirement' : `bad key ${JSON.stringify(key)}`)
  return key
}

function invalid(text: string, where: string, why: string): UsageError {
  return new UsageError(`invalid label selector ${JSON.stringify(text)} for ${where}: ${why}`, [
    `use ${FORMS}; several comma-separated or ${where} repeated; keys are letters, digits, '.', '_', '/', '-'`,
  ])
}
