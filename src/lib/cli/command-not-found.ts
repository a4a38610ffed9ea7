/**
 * oclif's `command_not_found` hook (package.json `oclif.hooks`); oclif imports it only when no
 * command matches. With topics separated by spaces oclif reads a word after a command that
 * takes no arguments as part of the command's name (`logs ls extra` → `ls:extra`): that
 * command runs with those words as its arguments, so its parser refuses them as it refuses
 * any unexpected argument (exit 2, --json included). Anything else is a mistyped command: on a
 * terminal @oclif/plugin-not-found asks "Did you mean …?" and runs the answer; in a pipe or a
 * script it is an error in the tool's own words with the likeliest command as a hint, exit 127
 * as a shell gives for a command it cannot find.
 */
import type {Hook} from '@oclif/core/hooks'
import didYouMean from '@oclif/plugin-not-found'
import type {JsonError} from './base-command.js'
import {errorText} from './error-text.js'
import {unknownCommand, visibleCommands} from './unknown-command.js'

const hook: Hook.CommandNotFound = async function (options) {
  const words = options.id.split(':')
  for (let length = words.length - 1; length > 0; length--) {
    const command = words.slice(0, length).join(':')
    if (options.config.findCommand(command)) return this.config.runCommand(command, [...words.slice(length), ...(options.argv ?? [])])
  }
  if (process.stdin.isTTY && process.stderr.isTTY) return didYouMean.call(this, options)
  const visible = visibleCommands(options.config)
  // The words after the mistyped one are its arguments (`logs tial build-1`): the name is up to the first word that is no topic.
  let end = 1
  while (end < words.length && visible.some((id) => id.startsWith(`${words.slice(0, end).join(':')}:`))) end++
  const report: JsonError['error'] = {code: 'command-not-found', exitCode: 127, ...unknownCommand(words.slice(0, end).join(':'), visible)}
  process.stderr.write(errorText(report))
  if (options.argv?.includes('--json')) process.stdout.write(`${JSON.stringify({error: report} satisfies JsonError)}\n`)
  this.exit(127)
}

export default hook
