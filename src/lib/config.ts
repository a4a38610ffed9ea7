/**
 * Settings with one precedence for every command: flag > environment > config file > default.
 * Each resolved value remembers where it came from, so errors can name the flag,
 * variable or file to fix.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {UsageError} from './errors/index.js'
import {dataDir, stateDir} from './paths.js'

export type SettingName = 'store' | 'archive' | 'url' | 'token' | 'readToken'

export interface Setting {
  value: string
  /** `--store`, `LOGS_STORE`, `config file /path (store)` or `default`. */
  from: string
}

export type Settings = {[K in SettingName]?: Setting} & {
  store: Setting
  archive: Setting
  mask: MaskConfig
  /** The Vercel Blob token from the config file; BLOB_READ_WRITE_TOKEN wins over it. */
  blobToken?: Setting
}

/** Masking sources a CI template sets once in the config file (they add to the flags'). */
export interface MaskConfig {
  /** For messages: `config file /path`. */
  from: string
  maskEnv: string[]
  maskFile: string[]
  mask: string[]
  maskRegex: string[]
  maskDefaults?: boolean
}

const MASK_LISTS = ['maskEnv', 'maskFile', 'mask', 'maskRegex'] as const

const SPEC: Record<SettingName, {flag: string; env: string}> = {
  store: {flag: '--store', env: 'LOGS_STORE'},
  archive: {flag: '--archive', env: 'LOGS_ARCHIVE'},
  url: {flag: '--url', env: 'LOGS_URL'},
  token: {flag: '--token', env: 'LOGS_TOKEN'},
  readToken: {flag: '--read-token', env: 'LOGS_READ_TOKEN'},
}

export interface ConfigInput {
  flags: Partial<Record<SettingName, string | undefined>> & {config?: string}
  env?: NodeJS.ProcessEnv
  /** The oclif config dir (`this.config.configDir`). */
  configDir: string
}

export function defaultStoreUrl(env: NodeJS.ProcessEnv): string {
  return `file://${stateDir(env)}`
}

export function defaultArchiveUrl(env: NodeJS.ProcessEnv): string {
  return `file://${join(dataDir(env), 'archive')}`
}

export function resolveSettings({flags, env = process.env, configDir}: ConfigInput): Settings {
  const file = readConfigFile(flags.config ?? env.LOGS_CONFIG, join(configDir, 'config.json'), flags.config ? '--config' : 'LOGS_CONFIG')
  const pick = (name: SettingName): Setting | undefined => {
    const {flag, env: variable} = SPEC[name]
    const flagValue = flags[name]
    if (flagValue) return {value: flagValue, from: flag}
    if (env[variable]) return {value: env[variable], from: variable}
    const fileValue = file.values[name]
    if (fileValue) return {value: fileValue, from: `config file ${file.path} (${name})`}
    return undefined
  }
  return {
    store: pick('store') ?? {value: defaultStoreUrl(env), from: 'default'},
    archive: pick('archive') ?? {value: defaultArchiveUrl(env), from: 'default'},
    url: pick('url'),
    token: pick('token'),
    readToken: pick('readToken'),
    mask: file.mask,
    blobToken: file.blobToken === undefined ? undefined : {value: file.blobToken, from: `config file ${file.path} (blobToken)`},
  }
}

interface ConfigFile {
  path: string
  values: Partial<Record<SettingName, string>>
  mask: MaskConfig
  blobToken?: string
}

function readConfigFile(explicit: string | undefined, fallback: string, where: string): ConfigFile {
  const path = explicit ?? fallback
  const mask: MaskConfig = {from: `config file ${path}`, maskEnv: [], maskFile: [], mask: [], maskRegex: []}
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if (!explicit && (error as NodeJS.ErrnoException).code === 'ENOENT') return {path, values: {}, mask}
    throw new UsageError(`cannot read config file ${path} (from ${explicit ? where : 'the default location'}): ${(error as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    // V8 quotes the text around the error, which may be a token's value: the quote is left out.
    const reason = (error as Error).message.replace(/,? ?(?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/, '')
    throw new UsageError(`config file ${path} is not valid JSON: ${reason || 'unexpected text'}`)
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`config file ${path} must hold a JSON object`)
  const values: Partial<Record<SettingName, string>> = {}
  let blobToken: string | undefined
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if ((MASK_LISTS as readonly string[]).includes(key)) {
      const list = typeof value === 'string' ? [value] : value
      if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) throw new UsageError(`config file ${path}: setting ${key} must be a string or a list of strings`)
      mask[key as (typeof MASK_LISTS)[number]] = list as string[]
      continue
    }
    if (key === 'maskDefaults') {
      if (typeof value !== 'boolean') throw new UsageError(`config file ${path}: setting maskDefaults must be true or false`)
      mask.maskDefaults = value
      continue
    }
    if (key === 'blobToken') {
      if (typeof value !== 'string' || value === '') throw new UsageError(`config file ${path}: setting blobToken must be a non-empty string`)
      blobToken = value
      continue
    }
    if (!(key in SPEC))
      throw new UsageError(`config file ${path}: unknown setting ${JSON.stringify(key)}`, [
        `known settings: ${[...Object.keys(SPEC), ...MASK_LISTS, 'maskDefaults', 'blobToken'].join(', ')}`,
      ])
    if (typeof value !== 'string') throw new UsageError(`config file ${path}: setting ${key} must be a string`)
    values[key as SettingName] = value
  }
  return {path, values, mask, blobToken}
}
