// @oclif/plugin-autocomplete's `autocomplete script` command, bundled as one of ours (see ../help.ts); the
// package exports no path to its commands, tsconfig.json's `paths` names it for tsc, tsx and esbuild.
// For fish it prints the line to keep in ~/.config/fish/completions (see ./index.ts).
import * as Args from '@oclif/core/args'
import Script from '@oclif/plugin-autocomplete/lib/commands/autocomplete/script.js'
import {fishSetup} from '../../lib/cli/fish-completion.js'
import {shells} from './index.js'

export default class ScriptCommand extends Script {
  static override args = {shell: Args.string({description: 'Shell type', options: shells, required: false})}

  override async run(): Promise<void> {
    const {args} = await this.parse(ScriptCommand)
    if ((args.shell ?? this.config.shell) === 'fish') this.log(fishSetup(this.config.cacheDir, this.cliBin))
    else await super.run()
  }
}
