import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/lib/errors/index.js'
import {formatSelector, matchesSelector, parseSelector} from '../../src/lib/label-selector.js'

const prodWeb = {env: 'prod', team: 'web', tier: 'frontend'}
const devInfra = {env: 'dev', team: 'infra'}
const bare = {}

function selects(texts: string[], labels: Record<string, string> | undefined): boolean {
  return matchesSelector(parseSelector(texts), labels)
}

describe('label selectors (kubectl syntax)', () => {
  it('equality, inequality, existence and absence', () => {
    expect(selects(['env=prod'], prodWeb)).toBe(true)
    expect(selects(['env==prod'], devInfra)).toBe(false)
    expect(selects(['team!=infra'], prodWeb)).toBe(true)
    expect(selects(['team!=infra'], devInfra)).toBe(false)
    // != holds for a job without the label, as in kubectl
    expect(selects(['team!=infra'], bare)).toBe(true)
    expect(selects(['tier'], prodWeb)).toBe(true)
    expect(selects(['tier'], devInfra)).toBe(false)
    expect(selects(['!tier'], devInfra)).toBe(true)
    expect(selects(['!tier'], undefined)).toBe(true)
    expect(selects(['!tier'], prodWeb)).toBe(false)
  })

  it('set-based: in and notin', () => {
    expect(selects(['env in (dev, test)'], devInfra)).toBe(true)
    expect(selects(['env in (dev,test)'], prodWeb)).toBe(false)
    expect(selects(['env notin (dev,test)'], prodWeb)).toBe(true)
    expect(selects(['env notin (dev,test)'], bare)).toBe(true)
    expect(selects(['env in (dev,test)'], bare)).toBe(false)
  })

  it('comma-separated and repeated requirements must all hold', () => {
    expect(selects(['env=prod,team=web'], prodWeb)).toBe(true)
    expect(selects(['env=prod', 'team=infra'], prodWeb)).toBe(false)
    expect(selects(['env in (prod,dev),!canary', 'tier'], prodWeb)).toBe(true)
    expect(selects(['env=prod,tier'], devInfra)).toBe(false)
  })

  it('an empty value matches an empty label only', () => {
    expect(selects(['note='], {note: ''})).toBe(true)
    expect(selects(['note='], {note: 'x'})).toBe(false)
  })

  it('a label named like an Object property is not found on a plain record', () => {
    expect(selects(['constructor'], bare)).toBe(false)
    expect(selects(['!toString'], bare)).toBe(true)
  })

  it('round-trips through formatSelector', () => {
    for (const text of ['env=prod', 'team!=infra', 'tier', '!tier', 'env in (a,b)', 'env notin (a,b)', 'a=1,b!=2,c,!d']) {
      expect(parseSelector([formatSelector(parseSelector([text])!)])).toEqual(parseSelector([text]))
    }
  })

  it('rejects bad selectors with a usage error naming the flag and the forms', () => {
    for (const bad of ['', ',', 'env=prod,', '=prod', 'env in (a,b', 'env in a,b)', 'env=(x)', 'bad key=1', 'env=a b', '!', 'env in ((a))']) {
      let error: unknown
      try {
        parseSelector([bad], '-l')
      } catch (caught) {
        error = caught
      }
      expect(error, bad).toBeInstanceOf(UsageError)
      expect((error as UsageError).message, bad).toMatch(/invalid label selector .* for -l/)
      expect((error as UsageError).suggestions.join(' ')).toMatch(/key=value, key!=value, key, !key/)
    }
    expect(parseSelector([])).toBeUndefined()
    expect(parseSelector(undefined)).toBeUndefined()
  })
})
