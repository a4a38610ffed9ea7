/**
 * Exit codes as a job reports them: a whole number from 0 to 255 (what a process can
 * exit with). The one parser for `push --exit-code` and the relay's `exit-code=`.
 */
export const EXIT_CODE_FORMS = 'a whole number from 0 to 255'

/** The exit code `text` spells, or undefined when it is not one. */
export function parseExitCode(text: string): number | undefined {
  if (!/^\d{1,3}$/.test(text.trim())) return undefined
  const code = Number(text.trim())
  return code <= 255 ? code : undefined
}
