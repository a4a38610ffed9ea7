/**
 * A private tmux server for tests that need a pseudo-terminal: run a shell command in a
 * pane of a given size, type into it with send-keys and read the screen with capture-pane.
 */
import {execFileSync} from 'node:child_process'
import {ROOT} from './cli.js'
import {waitUntil} from './wait.js'

export class Tmux {
  private readonly socket = `logs-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`

  /** `env` is the panes' environment; tmux's own markers (TMUX) are removed from it. */
  constructor(private readonly env: NodeJS.ProcessEnv) {
    this.env = {...env}
    delete this.env.TMUX
  }

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], {env: this.env, cwd: ROOT, encoding: 'utf8'})
  }

  open(session: string, command: string, size = {x: 120, y: 30}): void {
    this.run('new-session', '-d', '-x', String(size.x), '-y', String(size.y), '-s', session, command)
  }

  screen(session: string, escapes = false): string {
    return this.run('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', session)
  }

  keys(session: string, ...list: string[]): void {
    this.run('send-keys', '-t', session, ...list)
  }

  /** The screen once `check` accepts it; fails with the screen after `timeout` ms. */
  async until(session: string, check: (text: string) => boolean, what: string, escapes = false, timeout = 20_000): Promise<string> {
    let text = ''
    try {
      await waitUntil(() => check((text = this.screen(session, escapes))), {timeout, what, interval: 100})
    } catch {
      throw new Error(`timed out waiting for ${what}; screen:\n${text}`)
    }
    return text
  }

  kill(): void {
    try {
      this.run('kill-server')
    } catch {
      // no server was started (a test failed before) — nothing to stop
    }
  }
}

/** A user's terminal, not CI: ink draws no live updates when it believes it runs in CI, and NO_COLOR would hide colours. */
export function terminalEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const terminal = {...env}
  for (const key of ['CI', 'CONTINUOUS_INTEGRATION', 'GITHUB_ACTIONS', 'NO_COLOR']) delete terminal[key]
  return terminal
}

/** The parts of the `logs tail` viewer's screen: its top row, its log rows, its status bar. */
export const viewerToolbar = (screen: string): string => screen.split('\n')[0]
export const viewerRows = (screen: string): string[] => screen.replace(/\n+$/, '').split('\n').slice(1, -1)
export const viewerStatus = (screen: string): string => screen.replace(/\n+$/, '').split('\n').at(-1)!
