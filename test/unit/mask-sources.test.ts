import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {resolveSettings, type MaskConfig} from '../../src/lib/config.js'
import {maskSpec} from '../../src/lib/mask/mask-sources.js'

const noConfig: MaskConfig = {from: 'config file /x.json', maskEnv: [], maskFile: [], mask: [], maskRegex: []}

describe('mask sources', () => {
  it('gathers values from --mask-env, LOGS_MASK_ENV, the config file, --mask-file and --mask; values are never in warnings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logs-mask-'))
    const file = join(dir, 'secrets.txt')
    writeFileSync(file, 'file-secret-1\r\n\nab\nfile-secret-2\n')
    const warnings: string[] = []
    const env = {A: 'from-env-a', B: 'from-env-b', C: 'from-config-c', SHORT: 'xy', LOGS_MASK_ENV: 'B, MISSING'}
    const spec = maskSpec({'mask-env': ['A', 'SHORT'], 'mask-file': [file], mask: ['flag-value']}, {...noConfig, maskEnv: ['C'], mask: ['config-value']}, env, (m) =>
      warnings.push(m),
    )
    expect(spec.values.sort()).toEqual(['config-value', 'file-secret-1', 'file-secret-2', 'flag-value', 'from-config-c', 'from-env-a', 'from-env-b'])
    expect(spec.defaults).toBe(true)
    expect(warnings.join('\n')).toMatch(/--mask-env SHORT.*shorter than 4/)
    expect(warnings.join('\n')).toMatch(/LOGS_MASK_ENV \(MISSING\).*not set/)
    expect(warnings.join('\n')).toMatch(/secrets\.txt line 3 is shorter/)
    for (const value of ['xy', 'ab']) expect(warnings.join('\n')).not.toContain(` ${value} `)
  })

  it('masks a multi-line value line by line', () => {
    const spec = maskSpec({}, noConfig, {KEY: '{\n  "private_key_id": "0123456789abcdef",\n  "x": 1\n}'}, () => {})
    expect(maskSpec({'mask-env': ['KEY']}, noConfig, {KEY: '{\n  "private_key_id": "0123456789abcdef",\n  "x": 1\n}'}, () => {}).values).toEqual([
      '"private_key_id": "0123456789abcdef",',
      '"x": 1',
    ])
    expect(spec.values).toEqual([])
  })

  it('--no-mask-defaults wins over the config file, which wins over the default', () => {
    expect(maskSpec({'mask-defaults': false}, {...noConfig, maskDefaults: true}, {}, () => {}).defaults).toBe(false)
    expect(maskSpec({}, {...noConfig, maskDefaults: false}, {}, () => {}).defaults).toBe(false)
  })

  it('an unreadable --mask-file or a bad --mask-regex is a usage error naming the flag', () => {
    expect(() => maskSpec({'mask-file': ['/no/such/file']}, noConfig, {}, () => {})).toThrow(/cannot read --mask-file \/no\/such\/file: ENOENT/)
    expect(() => maskSpec({'mask-regex': ['(']}, noConfig, {}, () => {})).toThrow(/invalid regular expression "\(" for --mask-regex/)
    try {
      maskSpec({'mask-regex': ['(']}, noConfig, {}, () => {})
    } catch (error) {
      expect((error as {exitCode: number}).exitCode).toBe(2)
    }
  })

  it('reads the mask lists from the config file and rejects bad ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logs-config-'))
    writeFileSync(join(dir, 'config.json'), JSON.stringify({maskEnv: ['A', 'B'], mask: 'one-value', maskRegex: ['k=(\\w+)'], maskDefaults: false}))
    const {mask} = resolveSettings({flags: {}, env: {}, configDir: dir})
    expect(mask).toMatchObject({maskEnv: ['A', 'B'], mask: ['one-value'], maskRegex: ['k=(\\w+)'], maskDefaults: false, maskFile: []})
    writeFileSync(join(dir, 'config.json'), JSON.stringify({maskEnv: [1]}))
    expect(() => resolveSettings({flags: {}, env: {}, configDir: dir})).toThrow(/setting maskEnv must be a string or a list of strings/)
    writeFileSync(join(dir, 'config.json'), JSON.stringify({maskDefaults: 'no'}))
    expect(() => resolveSettings({flags: {}, env: {}, configDir: dir})).toThrow(/maskDefaults must be true or false/)
  })
})
