/**
 * The labelled level corpus: real logs of many formats (test/fixtures/loghub and
 * test/fixtures/levels, sources and licences in their README.md), each line with the
 * level its layout gives it. Used by test/unit/level-corpus.test.ts and bench/level-detect.ts.
 */
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import type {Level} from '../../src/lib/level.js'
import {ROOT} from './cli.js'

export interface LabelledSet {
  name: string
  lines: string[]
  /** One per line; null where the line has no level. */
  levels: (Level | null)[]
}

// Labels as the sources write them → our levels, as a user would expect.
const LABELS: Record<string, Level | null> = {
  V: 'trace',
  trace: 'trace',
  D: 'debug',
  debug: 'debug',
  I: 'info',
  INFO: 'info',
  Info: 'info',
  info: 'info',
  notice: 'info',
  W: 'warn',
  WARN: 'warn',
  WARNING: 'warn',
  warn: 'warn',
  E: 'error',
  ERROR: 'error',
  error: 'error',
  SEVERE: 'error',
  F: 'fatal',
  FATAL: 'fatal',
  fatal: 'fatal',
  '-': null,
}

export function labelledCorpus(): LabelledSet[] {
  const sets: LabelledSet[] = []
  for (const dir of ['loghub', 'levels']) {
    const folder = join(ROOT, 'test', 'fixtures', dir)
    for (const file of readdirSync(folder)
      .filter((name) => name.endsWith('.log'))
      .sort()) {
      const lines = readFileSync(join(folder, file), 'utf8').replace(/\n$/, '').split('\n')
      const labels = readFileSync(join(folder, file.replace(/\.log$/, '.levels')), 'utf8')
        .trim()
        .split('\n')
      if (labels.length !== lines.length) throw new Error(`${file}: ${lines.length} lines but ${labels.length} labels`)
      const levels = labels.map((label) => {
        const level = LABELS[label.trim()]
        if (level === undefined) throw new Error(`${file}: unknown label ${JSON.stringify(label)}`)
        return level
      })
      sets.push({name: `${dir}/${file}`, lines, levels})
    }
  }
  return sets
}
