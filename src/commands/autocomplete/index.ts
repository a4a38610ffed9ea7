// @oclif/plugin-autocomplete's `autocomplete` command, bundled as one of ours (see ../help.ts); the
// package exports no path to its commands, tsconfig.json's `paths` names it for tsc, tsx and esbuild.
// The plugin has no fish: this adds it, building the cache with ./create.ts, which writes fish's script too.
import * as Args from '@oclif/core/args'
import {ux} from '@oclif/core/ux'
import chalk from 'chalk'
import Autocomplete from '@oclif/plugin-autocomplete/lib/commands/autocomplete/index.js'
import {withLogsErrors} from '../../lib/cli/base-command.js'
import {fishCompletionPath} from '../../lib/cli/fish-completion.js'
import Create from './create.js'

export const shells = ['zsh', 'bash', 'fish', 'powershell']

export default class AutocompleteCommand extends withLogsErrors(Autocomplete) {
  static override description = 'Print how to set up completion of commands and flags in bash, zsh, fish or powershell'
  static override args = {shell: Args.string({description: 'Shell type', options: shells, required: false})}
  static override examples = [
    ...Autocomplete.examples.filter((example) => !example.includes('--refresh-cache')),
    '$ <%= config.bin %> autocomplete fish',
    '$ <%= config.bin %> autocomplete --refresh-cache',
  ]

  override async run(): Promise<void> {
    const {args, flags} = await this.parse(AutocompleteCommand)
    const shell = args.shell ?? this.determineShell(this.config.shell)
    ux.action.start(chalk.bold('Building the autocomplete cache'))
    await Create.run([], this.config)
    ux.action.stop()
    if (flags['refresh-cache']) return
    if (shell === 'fish') this.printFishInstructions()
    // private in the plugin's types only: its instructions for the shells it knows
    else (this as unknown as {printShellInstructions(shell: string): void}).printShellInstructions(shell)
  }

  /** In the words and layout the plugin prints for the other shells. */
  private printFishInstructions(): void {
    const {bin} = this.config
    const file = `~/.config/fish/completions/${bin}.fish`
    this.log(`
Setup Instructions for ${bin.toUpperCase()} CLI Autocomplete ---
==============================================

1) Run this command in your terminal window:

  ${chalk.cyan(`mkdir -p ~/.config/fish/completions; and ${bin} autocomplete script fish > ${file}`)}

  The previous command writes ${chalk.cyan(file)}, which fish loads the first time you complete a ${bin} command. It sources the completion script kept in ${chalk.cyan(fishCompletionPath(this.config.cacheDir, bin))}, which ${chalk.cyan(`${bin} autocomplete --refresh-cache`)} writes again.

2) Start using autocomplete:

  ${chalk.cyan(`${bin} <TAB>`)}                  # Command completion
  ${chalk.cyan(`${bin} command --<TAB>`)}        # Flag completion

  Every time you enter <TAB>, the autocomplete feature displays a list of commands (or flags if you type --), along with their summaries. Enter a letter and then <TAB> again to narrow down the list until you end up with the complete command that you want to execute.

  Enjoy!
`)
  }
}
