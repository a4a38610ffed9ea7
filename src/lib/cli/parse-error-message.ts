/**
 * oclif's own parse errors (an unknown flag, a bad value, a missing flag or argument) in the
 * words of every other usage error of this tool: lower case, naming the flag as it is typed,
 * with no "See more help with --help" tail and no colour (the hint says where help is).
 * Text that matches none of the known shapes is kept as oclif wrote it, in lower case.
 */
import {stripVTControlCharacters} from 'node:util'

const REWRITES: [RegExp, (...groups: string[]) => string][] = [
  [/^Parsing (--\S+) \n\t([\s\S]*)$/, (flag, reason) => `invalid value for ${flag}: ${lowerFirst(reason)}`],
  [/^Flag (--\S+) expects a value$/, (flag) => `${flag} needs a value`],
  [/^Nonexistent flags?: (.*)$/, (flags) => `unknown flag${flags.includes(',') ? 's' : ''} ${flags}`],
  [/^Expected --([\w-]+)=([\s\S]*) to be one of: ([\s\S]*)$/, (flag, value, options) => `invalid value "${value}" for --${flag}: expected one of ${options}`],
  [/^Expected ([\s\S]*) to be one of: ([\s\S]*)$/, (value, options) => `invalid argument "${value}": expected one of ${options}`],
  [/^Unexpected arguments?: (.*)$/, (args) => `unexpected argument${args.includes(',') ? 's' : ''}: ${args}`],
  [/^Missing \d+ required args?:\n([\s\S]*)$/, (list) => `missing ${argumentNames(list)}`],
  [/^The following errors? occurred:\n\s*([\s\S]*)$/, (reasons) => reasons.split(/\n\s*/).map(reason).join('; ')],
]

/** oclif's list of missing arguments, one `name  description` per line, as USAGE spells them: `argument ID`. */
function argumentNames(list: string): string {
  const names = list
    .split('\n')
    .map((line) =>
      line
        .trim()
        .split(/\s{2,}/)[0]
        .toUpperCase(),
    )
    .filter(Boolean)
  return `argument${names.length === 1 ? '' : 's'} ${names.join(', ')}`
}

/** One validation reason, as oclif words it: `Missing required flag job` names the flag as typed. */
function reason(text: string): string {
  return lowerFirst(text.replace(/^Missing required flag ([\w-]+)$/, 'Missing required flag --$1'))
}

/**
 * The message of an error a flag's own parse threw (exitCodeFlag's UsageError), which oclif
 * rewrites as `Parsing --flag \n\t<message>\nSee more help with --help`: the message as
 * thrown, or undefined when oclif did not touch it.
 */
export function flagParseMessage(message: string): string | undefined {
  return /^Parsing --\S+ \n\t([\s\S]*?)(?:\nSee more help with --help)?$/.exec(stripVTControlCharacters(message))?.[1]
}

export function parseErrorMessage(message: string): string {
  const text = stripVTControlCharacters(message)
    .replace(/\nSee more help with --help$/, '')
    .trim()
  for (const [pattern, rewrite] of REWRITES) {
    const match = pattern.exec(text)
    if (match) return rewrite(...match.slice(1))
  }
  return lowerFirst(text)
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1)
}
