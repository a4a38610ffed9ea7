import {UsageError} from './usage-error.js'

/** A backend needs a secret the environment does not hold. Names the variable, never a value. */
export class MissingCredentialError extends UsageError {
  constructor(what: string, variables: string[], from: string) {
    super(`${what} (from ${from}) needs ${variables.join(' or ')} to be set`, [`export ${variables[0]}=… in the environment of this command`])
  }
}
