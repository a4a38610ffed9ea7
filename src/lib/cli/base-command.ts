/**
 * The one place where library errors become messages and exit codes (STYLE.md #3):
 * LogsError → its exit code and suggestions; anything else → exit 1 with its message.
 * The message always goes to stderr; with --json, stdout also carries
 * `{"error": {"code", "message", "exitCode", "suggestions"}}` as oclif's own --json does,
 * so a script reading stdout sees why there is no result.
 */
import {Command} from '@oclif/core/command'
import * as Errors from '@oclif/core/errors'
import {LogsError} from '../errors/index.js'
import {errorText} from './error-text.js'
import type {DamagedJob} from '../archive/damaged-jobs.js'
import {flagParseMessage, parseErrorMessage} from './parse-error-message.js'
import {unexpectedArgumentHints, unknownFlagHints, type FlagShape} from './unknown-flag-hints.js'
import {resolveSettings, type SettingName, type Settings} from '../config.js'

/** `flags`: the flags oclif's parser did not know (its NonExistentFlagsError); `args`: the arguments it did not take (UnexpectedArgsError). */
type CaughtError = Error & {exitCode?: number; code?: unknown; oclif?: {exit?: number}; flags?: unknown; args?: unknown}

export interface JsonError {
  error: {code: string; message: string; exitCode: number; suggestions: string[]}
}

/**
 * Command (ours, or one of oclif's plugin commands bundled as ours: help, autocomplete) with
 * its failures reported in this tool's words and exit codes.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- TypeScript's rule for a mixin's base: a constructor of `...args: any[]`
export function withLogsErrors<T extends abstract new (...args: any[]) => Command>(Base: T) {
  abstract class LogsErrors extends Base {
    protected override async catch(error: CaughtError): Promise<unknown> {
      if (error instanceof Errors.ExitError) {
        // this.exit(n) after the command wrote its own output: nothing to add, in JSON or not.
        if (this.jsonEnabled()) return this.exit(error.oclif.exit ?? 1)
        return super.catch(error)
      }
      const report = errorReport(error, this.id, this.flagShapes())
      // Straight to stderr: oclif's logToStderr is muted under --json.
      process.stderr.write(errorText(report))
      if (process.env.DEBUG && !(error instanceof LogsError)) process.stderr.write(`${error.stack ?? ''}\n`)
      if (this.jsonEnabled()) this.logJson({error: report} satisfies JsonError)
      return this.exit(report.exitCode)
    }

    /** The flags this command takes, oclif's --json among them where it has it. */
    private flagShapes(): Record<string, FlagShape> {
      return {...this.ctor.baseFlags, ...this.ctor.flags, ...(this.ctor.enableJsonFlag ? {json: {}} : {})}
    }
  }
  return LogsErrors
}

export abstract class BaseCommand extends withLogsErrors(Command) {
  protected settings(flags: Partial<Record<SettingName | 'config', string | undefined>>): Settings {
    return resolveSettings({flags, configDir: this.config.configDir})
  }

  /**
   * The end of a command that listed archived jobs and met some whose manifest is damaged
   * (ls, gc, archive --reindex): its output as usual, --json too, then each such job named
   * on stderr and exit 1, so a script or cron sees the failure and not only a shorter list.
   */
  protected failOnDamaged<T>(result: T, damaged: DamagedJob[]): T {
    if (damaged.length === 0) return result
    if (this.jsonEnabled()) this.logJson(result)
    for (const job of damaged) process.stderr.write(errorText(job))
    return this.exit(1)
  }
}

function errorReport(error: CaughtError, command: string | undefined, flags: Record<string, FlagShape>): JsonError['error'] {
  if (error instanceof LogsError) {
    const fromFlag = flagParseMessage(error.message)
    if (fromFlag === undefined) return {code: errorCode(error), message: error.message, exitCode: error.exitCode, suggestions: error.suggestions}
    return {
      code: errorCode(error),
      message: fromFlag,
      exitCode: error.exitCode,
      suggestions: [...error.suggestions, ...(command ? [`logs ${command} --help lists its arguments and flags`] : [])],
    }
  }
  // oclif's own errors: a bad flag or argument (exit 2), or a failure it classified.
  if (error.oclif) {
    const usage = error.oclif.exit === 2
    return {
      code: error.oclif.exit === 2 ? 'usage' : 'failure',
      message: usage ? parseErrorMessage(error.message) : error.message,
      exitCode: error.oclif.exit ?? 1,
      suggestions: [
        ...(usage && Array.isArray(error.flags) ? unknownFlagHints(error.flags as string[], flags) : []),
        ...(usage && Array.isArray(error.args) ? unexpectedArgumentHints(error.args as string[], flags) : []),
        ...(usage && command ? [`logs ${command} --help lists its arguments and flags`] : []),
      ],
    }
  }
  return {code: typeof error.code === 'string' ? error.code : 'internal', message: error.message, exitCode: 1, suggestions: []}
}

/** `JobNotFoundError` → `job-not-found`: stable for scripts, derived from the one class per error. */
function errorCode(error: LogsError): string {
  return (
    error.name
      .replace(/Error$/, '')
      .replaceAll(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase() || 'failure'
  )
}
