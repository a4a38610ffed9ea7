/**
 * The one place where library errors become messages and exit codes (STYLE.md #3):
 * LogsError → its exit code and suggestions; anything else → exit 1 with its message.
 */
import {Command, Errors} from '@oclif/core'
import {LogsError} from '../errors/index.js'
import {resolveSettings, type SettingName, type Settings} from '../config.js'

export abstract class BaseCommand extends Command {
  protected settings(flags: Partial<Record<SettingName | 'config', string | undefined>>): Settings {
    return resolveSettings({flags, configDir: this.config.configDir})
  }

  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (error instanceof LogsError) {
      this.logToStderr(`logs: ${error.message}`)
      for (const suggestion of error.suggestions) this.logToStderr(`  hint: ${suggestion}`)
      return this.exit(error.exitCode)
    }
    if (error instanceof Errors.ExitError || error.oclif) return super.catch(error)
    this.logToStderr(`logs: ${error.message}`)
    if (process.env.DEBUG) this.logToStderr(error.stack ?? '')
    return this.exit(1)
  }
}
