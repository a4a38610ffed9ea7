/**
 * The real `logs tail` viewer under a pseudo-terminal: tmux runs the built CLI in a
 * 120×30 pane, the test types with send-keys and reads the screen with capture-pane.
 */
import {execFileSync, type ChildProcess} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {newEntry} from '../../../src/lib/entry.js'
import {BIN, ROOT, collect, isolatedEnv, startCli, tempHome, type CliResult} from '../../helpers/cli.js'
import {startFaultProxy} from '../../helpers/fault-proxy.js'
import {startTestRelay} from '../../helpers/relay.js'
import {waitUntil} from '../../helpers/wait.js'

const SOCKET = `logs-tail-test-${process.pid}`
let home: {home: string; cleanup: () => void}
let env: NodeJS.ProcessEnv

beforeAll(() => {
  home = tempHome()
  env = isolatedEnv(home.home)
  // ink does not draw live updates when it believes it runs in CI; a user's terminal is not CI.
  for (const key of ['CI', 'CONTINUOUS_INTEGRATION', 'GITHUB_ACTIONS', 'NO_COLOR', 'TMUX']) delete env[key]
})

afterAll(() => {
  try {
    tmux('kill-server')
  } catch {
    // no server was started (a test failed before) — nothing to stop
  }
  home.cleanup()
})

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], {env, cwd: ROOT, encoding: 'utf8'})
}

function screen(escapes = false, session = 'viewer'): string {
  return tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', session)
}

/** The screen of tmux session `session` once `check` passes (20 s at most). */
async function untilOn(session: string, check: (text: string) => boolean, what: string, escapes = false): Promise<string> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const text = screen(escapes, session)
    if (check(text)) return text
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const until = (check: (text: string) => boolean, what: string, escapes = false): Promise<string> => untilOn('viewer', check, what, escapes)

function keys(...list: string[]): void {
  tmux('send-keys', '-t', 'viewer', ...list)
}

function openPush(job: string): {write: (text: string) => void; end: () => Promise<CliResult>; child: ChildProcess} {
  const child = startCli(['push', '--job', job], {env})
  const done = collect(child, 60_000)
  return {child, write: (text) => child.stdin!.write(text), end: () => (child.stdin!.end(), done)}
}

const lines = (from: number, to: number): string => Array.from({length: to - from + 1}, (_, i) => `line ${from + i}\n`).join('')

describe('logs tail on a terminal (tmux)', () => {
  it('opens, follows 10 000 lines, searches, survives resizes, and quitting restores the terminal', async () => {
    const pusher = openPush('tty-1')
    pusher.write(lines(1, 50))
    const script = `printf 'BEFORE THE VIEWER\\n'; node ${BIN} tail tty-1; echo "EXIT=$?"; stty -a; echo STTY-DONE; sleep 600`
    tmux('new-session', '-d', '-x', '120', '-y', '30', '-s', 'viewer', script)

    // Open: toolbar, the newest lines, status bar.
    let text = await until((s) => s.includes('line 50') && s.includes('following') && s.includes('tty-1 running'), 'the viewer with line 50')
    expect(text.split('\n')[0]).toContain('level: all')
    expect(text).not.toContain('BEFORE THE VIEWER') // full screen, on the alternate screen

    // Follow 10 000 more lines: the bottom row is the newest, the status counts them all.
    pusher.write(lines(51, 10_050))
    text = await until((s) => s.includes('line 10050') && s.includes('10,050 total'), 'line 10050')
    const rows = text.replace(/\n+$/, '').split('\n')
    expect(rows.at(-2)).toBe('line 10050')

    // Search: every match highlighted, the current one apart; the view pauses on it.
    keys('/', 'line 1004', 'Enter')
    await until((s) => s.includes('/line 1004') && s.includes('paused'), 'the search to land', false)
    const colored = screen(true)
    expect(colored).toMatch(/\u001B\[30m\u001B\[43mline 1004(?:\u001B\[\d+m)+9\n/) // current match: line 10049
    expect(colored).toMatch(/\u001B\[7mline 1004(?:\u001B\[\d+m)+8\n/) // another match: line 10048
    expect(colored).toMatch(/\nline 10050\n/) // not a match: plain

    // Resize to 250 columns and down to 80×24: one toolbar, one status bar, nothing left over.
    for (const [x, y] of [
      [250, 40],
      [80, 24],
    ]) {
      tmux('resize-window', '-t', 'viewer', '-x', String(x), '-y', String(y))
      text = await until((s) => {
        const rows = s.replace(/\n+$/, '').split('\n')
        return rows.length === y - 1 && rows[0].includes('level: all') && /tty-1 running/.test(rows.at(-1)!)
      }, `a clean ${x}×${y} screen`)
      expect(text.match(/level: all/g)).toHaveLength(1)
      expect(text.match(/ shown \/ /g)).toHaveLength(1)
      for (const row of text.split('\n')) expect(row.length).toBeLessThanOrEqual(x)
    }

    // Quit: back on the main screen, cursor shown, terminal in cooked mode again.
    keys('q')
    text = await until((s) => s.includes('EXIT=0') && s.includes('STTY-DONE'), 'the viewer to exit and stty -a to print the modes')
    expect(text).toContain('BEFORE THE VIEWER')
    expect(text).not.toContain('line 10050')
    expect(text).toMatch(/(^|\s)icanon(\s|$)/m)
    expect(text).toMatch(/(^|\s)echo(\s|$)/m)
    expect(tmux('display', '-p', '-t', 'viewer', '#{cursor_flag}').trim()).toBe('1')
    expect((await pusher.end()).code).toBe(0)
  })

  it('follows a job through the relay (LOGS_URL) in the same viewer, and shows how it ended', async () => {
    const relay = await startTestRelay()
    try {
      await relay.store.startJob('remote-tty')
      await relay.store.append(
        'remote-tty',
        ['first remote line', 'second remote line'].map((line) => newEntry(Buffer.from(line), true, Date.now())),
      )
      tmux('new-session', '-d', '-x', '100', '-y', '20', '-s', 'remote', `LOGS_URL=${relay.url} node ${BIN} tail remote-tty; echo "EXIT=$?"; sleep 600`)
      const wait = (check: (s: string) => boolean, what: string): Promise<string> => untilOn('remote', check, what)
      await wait((s) => s.includes('second remote line') && s.includes('remote-tty running'), 'the remote backlog')
      await relay.store.append('remote-tty', [newEntry(Buffer.from('third remote line'), true, Date.now())])
      await relay.store.endJob('remote-tty', {status: 'failed', exitCode: 5})
      const text = await wait((s) => s.includes('third remote line') && s.includes('failed (exit 5)'), 'the live line and the end')
      expect(text).toMatch(/ended · remote-tty failed \(exit 5\) · 3 shown \/ 3 total/)
      tmux('send-keys', '-t', 'remote', 'q')
      await wait((s) => s.includes('EXIT=0'), 'the viewer to exit')
    } finally {
      await relay.stop()
    }
  })

  // Before, the follow's own retries (resumed-follow.ts) waited out the relay in silence: the status bar said live.
  // The viewer reaches the relay through a proxy that keeps its port for the whole test: a relay restarted on the port it
  // had freed could find it taken by another test's server, and the viewer, answered there, would look live again.
  it('says reconnecting while the relay is down, and live again once it is back, with the lines pushed meanwhile', async () => {
    let relay = await startTestRelay({keepStore: true})
    const {store} = relay
    const gateway = await startFaultProxy(relay.url)
    try {
      await store.startJob('relay-down')
      await store.append('relay-down', [newEntry(Buffer.from('before the outage'), true, Date.now())])
      tmux('new-session', '-d', '-x', '100', '-y', '20', '-s', 'down', `LOGS_URL=${gateway.url} node ${BIN} tail relay-down; echo "EXIT=$?"; sleep 600`)
      const wait = (check: (s: string) => boolean, what: string): Promise<string> => untilOn('down', check, what)
      const status = (text: string): string => text.replace(/\n+$/, '').split('\n').at(-1)!
      await wait((s) => s.includes('before the outage') && /^ ?live ·/.test(status(s)), 'the viewer live')
      // The viewer shows its backlog before it follows: the outage is made once it follows (its stream is open).
      await waitUntil(() => relay.relay.clients > 0, {what: 'the viewer following (its SSE stream)'})
      // The relay stops; until it is back, the gateway answers 502, as one does while its upstream restarts.
      gateway.inject({kind: 'status', status: 502})
      await relay.stop()
      gateway.cutConnections()
      await wait((s) => /^ ?reconnecting ·/.test(status(s)), 'reconnecting in the status bar')
      await store.append('relay-down', [newEntry(Buffer.from('during the outage'), true, Date.now())])
      relay = await startTestRelay({store, keepStore: true})
      gateway.retarget(relay.url)
      gateway.clear()
      const back = await wait((s) => s.includes('during the outage') && /^ ?live ·/.test(status(s)), 'live again, with the line pushed meanwhile')
      expect(back).toContain('before the outage')
      tmux('send-keys', '-t', 'down', 'q')
      await wait((s) => s.includes('EXIT=0'), 'the viewer to exit')
    } finally {
      await gateway.stop()
      await relay.stop()
      await store.close()
    }
  })
})
