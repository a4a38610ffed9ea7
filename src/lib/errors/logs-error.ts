/**
 * Base of every error the tool reports to a user. Library code throws these;
 * only the command layer turns them into an exit code (STYLE.md #3).
 */
export class LogsError extends Error {
  /** 1 = failure (server, data, missing job), 2 = usage or input error. */
  readonly exitCode: 1 | 2
  readonly suggestions: string[]

  constructor(message: string, options: {exitCode?: 1 | 2; suggestions?: string[]; cause?: unknown} = {}) {
    super(message, {cause: options.cause})
    this.name = new.target.name
    this.exitCode = options.exitCode ?? 1
    this.suggestions = options.suggestions ?? []
  }
}
