// @oclif/plugin-autocomplete's `autocomplete` command, bundled as one of ours (see ../help.ts); the
// package exports no path to its commands, tsconfig.json's `paths` names it for tsc, tsx and esbuild.
import Autocomplete from '@oclif/plugin-autocomplete/lib/commands/autocomplete/index.js'
import {withLogsErrors} from '../../lib/cli/base-command.js'

export default class extends withLogsErrors(Autocomplete) {
  static override description = 'Print how to set up completion of commands and flags in bash, zsh or powershell'
}
