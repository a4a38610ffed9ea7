// @oclif/plugin-autocomplete's `autocomplete create` command, bundled as one of ours (see ../help.ts); the
// package exports no path to its commands, tsconfig.json's `paths` names it for tsc, tsx and esbuild.
// After the plugin's bash, zsh and powershell files it writes ours for fish beside them.
import {mkdir, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'
import Create from '@oclif/plugin-autocomplete/lib/commands/autocomplete/create.js'
import {fishCompletion, fishCompletionPath} from '../../lib/cli/fish-completion.js'

export default class extends Create {
  override async run(): Promise<void> {
    await super.run()
    const path = fishCompletionPath(this.config.cacheDir, this.cliBin)
    await mkdir(dirname(path), {recursive: true})
    await writeFile(path, fishCompletion(this.cliBin, this.config.commands))
  }
}
