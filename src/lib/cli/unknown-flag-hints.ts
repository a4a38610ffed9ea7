/**
 * Hints for flags a command does not have, as oclif's parser reported them (`--colour`,
 * `--colour=always`, `-o`): the flag most likely meant (`--colour` → `--color`, `--follw` →
 * `--follow`, `--no-colr` → `--no-color`), and the output flag of this command where another
 * command's was typed — the listing commands take `--json` (oclif's), `logs get` takes
 * `--output json`. And the flag an argument was meant for, where a command takes job ids
 * with `--job`.
 */
import {isJobId} from '../job-id.js'
import {closestName} from './closest-name.js'

export interface FlagShape {
  aliases?: string[]
  options?: readonly string[]
  hidden?: boolean
  allowNo?: boolean
  multiple?: boolean
}

/** Job ids typed as arguments to a command that takes them with --job (archive, push): `logs archive build-42` → `did you mean --job build-42?` */
export function unexpectedArgumentHints(args: readonly string[], flags: Readonly<Record<string, FlagShape>>): string[] {
  const job = flags.job
  if (!job || args.length === 0 || (args.length > 1 && !job.multiple) || !args.every(isJobId)) return []
  return [`did you mean ${args.map((id) => `--job ${id}`).join(' ')}?`]
}

export function unknownFlagHints(typed: readonly string[], flags: Readonly<Record<string, FlagShape>>): string[] {
  const names = Object.entries(flags).flatMap(([name, flag]) => (flag.hidden ? [] : [name, ...(flag.aliases ?? []), ...(flag.allowNo ? [`no-${name}`] : [])]))
  const hints = typed.map((text) => {
    const flag = text.replace(/=.*$/s, '')
    if (flag === '--json' && flags.output?.options?.includes('json')) return 'did you mean --output json?'
    if ((flag === '--output' || flag === '-o') && flags.json) return 'did you mean --json?'
    const meant = flag.startsWith('--') ? closestName(flag.slice(2), names) : undefined
    return meant ? `did you mean --${meant}?` : undefined
  })
  return [...new Set(hints.filter((hint) => hint !== undefined))]
}
