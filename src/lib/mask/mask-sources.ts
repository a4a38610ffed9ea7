/**
 * Where the secrets to mask come from, gathered into one MaskSpec: `--mask-env`,
 * LOGS_MASK_ENV and the config file's maskEnv (variables' values), `--mask-file` and
 * maskFile (one value per line), `--mask` and mask, `--mask-regex` and maskRegex, and
 * `--[no-]mask-defaults` over maskDefaults. The lists add up; values are never printed.
 */
import {readFileSync} from 'node:fs'
import type {MaskConfig} from '../config.js'
import {UsageError} from '../errors/index.js'
import {MIN_VALUE_CHARS, type MaskSpec} from './masker.js'

export interface MaskFlagValues {
  'mask-env'?: string[]
  'mask-file'?: string[]
  mask?: string[]
  'mask-regex'?: string[]
  'mask-defaults'?: boolean
}

export function maskSpec(flags: MaskFlagValues, config: MaskConfig, env: NodeJS.ProcessEnv, warn: (message: string) => void): MaskSpec {
  const values = new Set<string>()
  const add = (value: string, from: string) => {
    // A multi-line value (a PEM key, a JSON key file) is masked line by line.
    const lines = value.split(/\r?\n/).map((line) => line.trim())
    const kept = lines.filter((line) => line.length >= MIN_VALUE_CHARS)
    if (kept.length === 0) warn(`the value from ${from} is shorter than ${MIN_VALUE_CHARS} characters and is not masked (it would mask half the log)`)
    for (const line of kept) values.add(line)
  }
  const fromConfig = (key: string) => `${config.from} (${key})`

  const variables = [
    ...(flags['mask-env'] ?? []).map((name) => ({name, from: `--mask-env ${name}`})),
    ...(env.LOGS_MASK_ENV ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
      .map((name) => ({name, from: `LOGS_MASK_ENV (${name})`})),
    ...config.maskEnv.map((name) => ({name, from: `${fromConfig('maskEnv')}: ${name}`})),
  ]
  for (const {name, from} of variables) {
    const value = env[name]
    if (value) add(value, from)
    else warn(`${from}: the variable is not set or empty; nothing to mask`)
  }

  const files = [...(flags['mask-file'] ?? []).map((path) => ({path, from: '--mask-file'})), ...config.maskFile.map((path) => ({path, from: fromConfig('maskFile')}))]
  for (const {path, from} of files) {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      throw new UsageError(`cannot read ${from} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, [
        'give a readable file holding one secret per line',
      ])
    }
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() !== '') add(line, `${from} ${path} line ${i + 1}`)
    })
  }

  for (const value of flags.mask ?? []) add(value, '--mask')
  config.mask.forEach((value, i) => add(value, `${fromConfig('mask')} item ${i + 1}`))

  const regexes = [
    ...(flags['mask-regex'] ?? []).map((source) => compileMaskRegex(source, '--mask-regex')),
    ...config.maskRegex.map((source) => compileMaskRegex(source, fromConfig('maskRegex'))),
  ]
  return {values: [...values], regexes, defaults: flags['mask-defaults'] ?? config.maskDefaults ?? true, onWarning: warn}
}

/**
 * A mask is the job owner's own pattern, applied at capture with replacement: JavaScript
 * RegExp, which the masker needs for match indices. Patterns that come from readers or
 * the network are RE2 (../pattern.ts).
 */
function compileMaskRegex(source: string, where: string): RegExp {
  try {
    return new RegExp(source)
  } catch (error) {
    throw new UsageError(`invalid regular expression ${JSON.stringify(source)} for ${where}: ${(error as Error).message}`)
  }
}
