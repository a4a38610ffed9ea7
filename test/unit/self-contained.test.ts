/**
 * A fresh clone with nothing beside it runs `npm test` and the benchmarks: no test, bench or
 * script reads files outside the repository (fixtures are copied into test/fixtures/ with
 * their source and licence note).
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/cli.js'

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (name === 'fixtures' || name === 'node_modules') return []
    if (statSync(path).isDirectory()) return sources(path)
    return /\.(ts|tsx|mjs|js)$/.test(name) ? [path] : []
  })
}

/** Code only: a comment may cite a document beside the repository, code may not read it. */
function code(text: string): string {
  return text.replaceAll(/\/\*[\s\S]*?\*\//g, '').replaceAll(/(^|\s)\/\/.*$/gm, '$1')
}

// `join(ROOT, '..', …)`, `'../shared/…'` in a path built from ROOT or a file URL, or an absolute machine path.
const OUTSIDE = [/ROOT,\s*['"]\.\.['"]/, /['"`](\.\.\/)+shared\b/, /['"`]\.\.['"`],\s*['"`]shared['"`]/, /['"`]\/work\//]

describe('the repository is self-contained', () => {
  it('no test, bench or script reads a path outside the repository', () => {
    const offenders = ['test', 'bench', 'scripts']
      .flatMap((dir) => sources(join(ROOT, dir)))
      .flatMap((file) => {
        const text = code(readFileSync(file, 'utf8'))
        return OUTSIDE.filter((re) => re.test(text)).map((re) => `${relative(ROOT, file)} matches ${re}`)
      })
    expect(offenders).toEqual([])
  })

  it('the Loghub corpus the level tests read is in test/fixtures with its licence note', () => {
    const readme = readFileSync(join(ROOT, 'test', 'fixtures', 'loghub', 'README.md'), 'utf8')
    expect(readme).toContain('https://github.com/logpai/loghub')
    expect(readme).toContain('ISSRE')
    for (const name of ['Android', 'Apache', 'HDFS', 'Spark', 'Zookeeper']) {
      expect(
        readFileSync(join(ROOT, 'test', 'fixtures', 'loghub', `${name}_2k.levels`), 'utf8')
          .trim()
          .split('\n'),
      ).toHaveLength(2000)
    }
  })
})
