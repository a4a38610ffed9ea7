/**
 * A job's log is written by whatever the job ran; printed on a reader's terminal, it must
 * not drive that terminal. Text output on a terminal, or in colour, keeps a line's colours
 * and no other escape or control character (render/terminal-safe.ts); into a pipe without
 * colour it prints the line as stored, and --output raw the exact bytes. The terminal is a
 * real pseudo-terminal: util-linux `script` runs the CLI on one and copies what it printed.
 */
import {spawn} from 'node:child_process'
import {beforeAll, describe, expect, it} from 'vitest'
import {BIN, collect, runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'

const OSC52 = '\u001B]52;c;cm0gLXJmIH4=\u0007' // sets the reader's clipboard to "rm -rf ~"
const RED = '\u001B[31m'
const RESET = '\u001B[0m'
const HOSTILE = `start${OSC52} ${RED}red${RESET} bell\u0007 clear\u001B[2J c1\u009B2J title\u001B]0;owned\u001B\\ end`
const PROGRESS = 'fetch 10%\rfetch 55%\rfetch 100%'
const INPUT = `${HOSTILE}\n${PROGRESS}\n`
/** Any escape other than a colour, and any control character but newline and tab. */

const CONTROL = /\u001B(?!\[[0-9;]*m)|[\u0000-\u0009\u000B-\u001A\u001C-\u001F\u007F-\u009F]/

/**
 * The command's stdout on a pseudo-terminal, its newlines as they were (the terminal adds a
 * CR to each); its stderr (progress, on a terminal) goes elsewhere.
 */
async function onTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const command = `${[process.execPath, BIN, ...args].map((word) => `'${word}'`).join(' ')} 2>/dev/null`
  const result = await collect(spawn('script', ['-qec', command, '/dev/null'], {env, stdio: ['ignore', 'pipe', 'pipe']}))
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  return result.stdout.replaceAll('\r\n', '\n')
}

describe('text output of a hostile log', () => {
  const sandbox = useIsolatedHome()
  /** The sandbox's environment with colour left to the terminal (isolatedEnv sets NO_COLOR). */
  const colour = (): NodeJS.ProcessEnv => {
    const {NO_COLOR: _no, ...env} = sandbox.env
    return {...env, TERM: 'xterm-256color'}
  }

  beforeAll(async () => {
    for (const job of ['hostile-1', 'hostile-2']) {
      const pushed = await runCli(['push', '--job', job], {input: INPUT, env: sandbox.env})
      expect(pushed.code).toBe(0)
    }
  })

  it('on a terminal, in colour: the line keeps its colours and nothing that drives the terminal', async () => {
    const shown = await onTerminal(['get', 'hostile-1'], colour())
    expect(shown).toBe(`start ${RED}red${RESET} bell clear c12J title end\nfetch 100%\n`)
  })

  it('on a terminal without colour (NO_COLOR): no escape or control character at all', async () => {
    const shown = await onTerminal(['get', 'hostile-1'], sandbox.env)
    expect(shown).toBe('start red bell clear c12J title end\nfetch 100%\n')
  })

  it('several jobs on a terminal, with their prefixes and timestamps', async () => {
    const shown = await onTerminal(['get', 'hostile-*', '-t'], colour())
    const lines = shown.trimEnd().split('\n')
    expect(lines).toHaveLength(4)
    for (const line of lines) expect(line).not.toMatch(CONTROL)
    expect(lines.filter((line) => line.endsWith(`start ${RED}red${RESET} bell clear c12J title end`))).toHaveLength(2)
  })

  it('into a pipe in colour (--color, for less -R): colours only', async () => {
    const result = await runCli(['get', 'hostile-1', '--color'], {env: colour()})
    expect(result.code).toBe(0)
    expect(result.stdout).not.toMatch(CONTROL)
    expect(result.stdout).toContain(`${RED}red${RESET} bell`)
    expect(result.stdout).toContain('fetch 100%\n')
  })

  it('into a pipe without colour: the lines as stored, but for their ANSI sequences; --output raw: the exact bytes', async () => {
    const text = await runCli(['get', 'hostile-1'], {env: sandbox.env})
    expect(text.stdout).toBe(`start red bell\u0007 clear c1\u009B2J title end\n${PROGRESS}\n`)
    const raw = await runCli(['get', 'hostile-1', '--output', 'raw'], {env: sandbox.env})
    expect(raw.stdout).toBe(INPUT)
  })
})
