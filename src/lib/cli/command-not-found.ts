/**
 * oclif's `command_not_found` hook (package.json `oclif.hooks`); oclif imports it only when no
 * command matches. With topics separated by spaces oclif reads a word after a command that
 * takes no arguments as part of the command's name (`logs ls extra` → `ls:extra`): that
 * command runs with those words as its arguments, so its parser refuses them as it refuses
 * any unexpected argument (exit 2, --json included). Anything else gets
 * @oclif/plugin-not-found's did-you-mean, bundled as ours (see ../../commands/help.ts).
 */
import type {Hook} from '@oclif/core/hooks'
import didYouMean from '@oclif/plugin-not-found'

const hook: Hook.CommandNotFound = async function (options) {
  const words = options.id.split(':')
  for (let length = words.length - 1; length > 0; length--) {
    const command = words.slice(0, length).join(':')
    if (options.config.findCommand(command)) return this.config.runCommand(command, [...words.slice(length), ...(options.argv ?? [])])
  }
  return didYouMean.call(this, options)
}

export default hook
