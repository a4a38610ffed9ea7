/** A failure as this tool prints it on stderr: `logs: MESSAGE`, then a `  hint: …` line per suggestion. */
export function errorText({message, suggestions}: {message: string; suggestions: readonly string[]}): string {
  return `logs: ${message}\n${suggestions.map((s) => `  hint: ${s}\n`).join('')}`
}
