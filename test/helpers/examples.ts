/**
 * Every example a user is shown: the `examples` of every command's --help (from the built
 * oclif.manifest.json), the top-level help's, and every line of README.md's ```sh blocks.
 * test/integration/cli/examples.test.ts runs them all.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT_EXAMPLES} from '../../src/lib/cli/help.js'
import {ROOT} from './cli.js'

export interface Example {
  /** Where it is shown: `logs get --help`, `README.md:123`. */
  source: string
  /** The shell command, with `logs` for the tool. */
  command: string
}

export function helpExamples(): Example[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, {examples?: (string | {command: string})[]; pluginName?: string}>
  }
  const examples: Example[] = ROOT_EXAMPLES.map(([, command]) => ({source: 'logs --help', command}))
  for (const [id, command] of Object.entries(manifest.commands)) {
    for (const example of command.examples ?? []) {
      // oclif's own commands (autocomplete) write their examples with the prompt: `$ <%= config.bin %> …`.
      const text = (typeof example === 'string' ? example : example.command).replace(/^\$ /, '')
      for (const line of shellLines(text.replaceAll('<%= config.bin %>', 'logs'))) examples.push({source: `logs ${id} --help`, command: line})
    }
  }
  return examples
}

export function readmeExamples(): Example[] {
  const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n')
  const examples: Example[] = []
  let inShell = false
  lines.forEach((line, i) => {
    if (/^```/.test(line)) {
      inShell = !inShell && /^```(sh|bash|shell)\s*$/.test(line)
      return
    }
    if (inShell) for (const command of shellLines(line)) examples.push({source: `README.md:${i + 1}`, command})
  })
  return examples
}

/** Commands of a snippet: comments and blank lines dropped; a crontab line's schedule too. */
function shellLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.replace(/^(\S+\s+){5}(?=logs )/, (schedule) => (/^[\d*/,-]+(\s+[\d*/,-]+){4}\s+$/.test(schedule) ? '' : schedule)))
}
