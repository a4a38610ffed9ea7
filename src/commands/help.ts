/**
 * `logs help [COMMAND]`: @oclif/plugin-help's command, bundled as one of ours. oclif reads the
 * package.json and manifest of every plugin package.json lists on every run, whichever
 * command it runs; the commands of a plugin bundled here cost nothing until they run.
 * Only its description is ours, worded as every other command's.
 */
import {commands} from '@oclif/plugin-help'
import {withLogsErrors} from '../lib/cli/base-command.js'

export default class Help extends withLogsErrors(commands.help) {
  static override description = 'Show help for logs or one of its commands, with examples'
}
