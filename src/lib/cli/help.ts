/**
 * `logs --help` (and `logs help`): oclif's root help, then a few examples of the commands
 * a newcomer needs first. Loaded by oclif through package.json's `oclif.helpClass`.
 */
import {Help} from '@oclif/core/help'
import {UsageError} from '../errors/index.js'
import {unknownCommand, visibleCommands} from './unknown-command.js'

/** Shown under EXAMPLES at the top level; run by test/integration/cli/examples.test.ts like every other example. */
export const ROOT_EXAMPLES: [description: string, command: string][] = [
  ["capture a job's output (stdin → store)", 'printf "building\\nERROR: disk full\\n" | logs push --job build-42 --exit-code 1'],
  ['or run a command and capture both streams', 'logs run --job build-43 -- make test'],
  ['follow jobs live (a viewer on a terminal, plain lines in a pipe)', 'logs tail build-42'],
  ['query a job, wherever it lives', 'logs get build-42 --level error --since 10m'],
  ['list jobs', 'logs ls --status failed'],
  ['help and examples of one command', 'logs help get'],
]

const HELP_FLAGS = new Set(['--help', '-h'])

export default class LogsHelp extends Help {
  /** `logs help tial`, `logs tial --help`: a usage error in the tool's words, not oclif's "Command tial not found." */
  override async showHelp(argv: string[]): Promise<void> {
    // oclif takes the word `help` for a request of help, so `logs help --help` showed the root help, not help's own.
    const help = argv.includes('help') && argv.every((arg) => arg === 'help' || HELP_FLAGS.has(arg)) ? this.config.findCommand('help') : undefined
    if (help) return this.showCommandHelp(help)
    try {
      await super.showHelp(argv)
    } catch (error) {
      const name = error instanceof Error ? /^Command (.+) not found\.$/.exec(error.message)?.[1] : undefined
      if (name === undefined) throw error
      const {message, suggestions} = unknownCommand(name, visibleCommands(this.config))
      throw new UsageError(message, suggestions)
    }
  }

  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp()
    const body = ROOT_EXAMPLES.map(
      ([description, command]) => `${description}\n  $ ${command.replace(/^logs /, `${this.config.bin} `).replace(/\| logs /, `| ${this.config.bin} `)}`,
    ).join('\n\n')
    this.log(this.section('EXAMPLES', body))
    this.log('')
  }
}
