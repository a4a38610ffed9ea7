import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {resolveSettings} from '../../src/lib/config.js'
import {parseStoreUrl, redactUrl} from '../../src/lib/store/url.js'

describe('settings precedence: flag > environment > config file > default', () => {
  const configDir = mkdtempSync(join(tmpdir(), 'logs-config-'))
  writeFileSync(join(configDir, 'config.json'), JSON.stringify({store: 'redis://from-file:6379', archive: 's3://file-bucket'}))

  it('takes the flag first, then the variable, then the file, then the default', () => {
    const env = {LOGS_STORE: 'redis://from-env:6379', XDG_STATE_HOME: '/state', XDG_DATA_HOME: '/data'}
    expect(resolveSettings({flags: {store: 'file:///flag'}, env, configDir}).store).toEqual({value: 'file:///flag', from: '--store'})
    expect(resolveSettings({flags: {}, env, configDir}).store).toEqual({value: 'redis://from-env:6379', from: 'LOGS_STORE'})
    expect(resolveSettings({flags: {}, env: {}, configDir}).store.from).toMatch(/^config file .*config\.json \(store\)$/)
    const defaults = resolveSettings({flags: {}, env: {XDG_STATE_HOME: '/state', XDG_DATA_HOME: '/data'}, configDir: '/nonexistent'})
    expect(defaults.store).toEqual({value: 'file:///state/logs', from: 'default'})
    expect(defaults.archive).toEqual({value: 'file:///data/logs/archive', from: 'default'})
  })

  it('rejects unknown settings and non-string values in the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logs-config-'))
    writeFileSync(join(dir, 'config.json'), JSON.stringify({stor: 'x'}))
    expect(() => resolveSettings({flags: {}, env: {}, configDir: dir})).toThrow(/unknown setting "stor"/)
    writeFileSync(join(dir, 'config.json'), JSON.stringify({store: 5}))
    expect(() => resolveSettings({flags: {}, env: {}, configDir: dir})).toThrow(/setting store must be a string/)
  })

  it('an explicit config file that is missing is an error, the default one is optional', () => {
    expect(() => resolveSettings({flags: {config: '/no/such.json'}, env: {}, configDir})).toThrow(/cannot read config file \/no\/such\.json \(from --config\)/)
    expect(() => resolveSettings({flags: {}, env: {LOGS_CONFIG: '/no/such.json'}, configDir})).toThrow(/from LOGS_CONFIG/)
  })
})

describe('store URLs', () => {
  it('makes relative file: URLs absolute', () => {
    expect(parseStoreUrl({value: 'file:rel/dir', from: '--store'}, 'live store').pathname).toBe(join(process.cwd(), 'rel/dir'))
    expect(parseStoreUrl({value: 'file:///abs/dir', from: '--store'}, 'live store').pathname).toBe('/abs/dir')
  })
  it('redacts passwords and secret-looking parameters', () => {
    expect(redactUrl('redis://user:s3cret@host:6379/0')).toBe('redis://user:***@host:6379/0')
    expect(redactUrl('s3://bucket/p?secret-key=abc&region=x')).toBe('s3://bucket/p?secret-key=***&region=x')
  })
})
