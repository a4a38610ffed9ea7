export type ExitCode = 1 | 2 | 126 | 127

/**
 * Base of every error the tool reports to a user. Library code throws these;
 * only the command layer turns them into an exit code (STYLE.md #3).
 */
export class LogsError extends Error {
  /** 1 = failure (server, data, missing job), 2 = usage or input error; 126/127 = `run` could not start its command. */
  readonly exitCode: ExitCode
  readonly suggestions: string[]

  constructor(message: string, options: {exitCode?: ExitCode; suggestions?: string[]; cause?: unknown} = {}) {
    super(message, {cause: options.cause})
    this.name = new.target.name
    this.exitCode = options.exitCode ?? 1
    this.suggestions = options.suggestions ?? []
  }
}
