/**
 * Progress of long work: on a terminal (tmux) stderr shows it; in a pipe, or with --json,
 * nothing of it appears.
 */
import {afterAll, describe, expect, it} from 'vitest'
import {BIN, runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {Tmux} from '../../helpers/tmux.js'

const iso = useIsolatedHome()
const tmux = new Tmux({})
afterAll(() => tmux.kill())

async function pushEnded(jobs: string[]): Promise<void> {
  for (const job of jobs) {
    const result = await runCli(['push', '--job', job, '--exit-code', '0'], {env: iso.env, input: 'one\ntwo\nERROR three\n'})
    expect(result.code, result.stderr).toBe(0)
  }
}

/** The pane's environment: the isolated home, as a user's terminal (not CI) would have it. */
function terminalEnv(): string {
  const keep = ['HOME', 'XDG_STATE_HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'PATH']
  return keep.map((key) => `${key}='${iso.env[key] ?? ''}'`).join(' ')
}

describe('archive progress', () => {
  it('on a terminal: jobs, bytes, rate on stderr, ending with the totals', async () => {
    await pushEnded(['p-1', 'p-2', 'p-3'])
    tmux.open('archive', `env -u CI -u NO_COLOR ${terminalEnv()} TERM=xterm-256color ${process.execPath} ${BIN} archive; echo "EXIT=$?"; sleep 600`, {x: 160, y: 20})
    const screen = await tmux.until('archive', (s) => s.includes('EXIT='), 'archive to end')
    expect(screen).toContain('EXIT=0')
    expect(screen).toMatch(/archiving\.\.\. done · 3\/3 jobs · [\d.]+ (B|KiB) · [\d.]+ (B|KiB|MiB)\/s · p-\d/)
  })

  it('in a pipe and with --json: no progress at all', async () => {
    await pushEnded(['q-1', 'q-2'])
    const piped = await runCli(['archive'], {env: iso.env})
    expect(piped.code, piped.stderr).toBe(0)
    expect(piped.stderr).toBe('')
    expect(piped.stdout).not.toContain('archiving')
    await pushEnded(['r-1'])
    const json = await runCli(['archive', '--json'], {env: iso.env})
    expect(json.code, json.stderr).toBe(0)
    expect(json.stderr).toBe('')
    expect(JSON.parse(json.stdout)).toMatchObject({archived: 1})
  })
})

describe('gc progress', () => {
  it('on a terminal: objects scanned and deleted; in a pipe and with --json: nothing', async () => {
    await pushEnded(['g-1', 'g-2'])
    const archived = await runCli(['archive'], {env: iso.env})
    expect(archived.code, archived.stderr).toBe(0)
    tmux.open('gc', `env -u CI -u NO_COLOR ${terminalEnv()} TERM=xterm-256color ${process.execPath} ${BIN} gc --dry-run --older-than 1s; echo "EXIT=$?"; sleep 600`, {
      x: 160,
      y: 30,
    })
    const screen = await tmux.until('gc', (s) => s.includes('EXIT='), 'gc to end')
    expect(screen).toContain('EXIT=0')
    expect(screen).toMatch(/gc \(dry run\)\.\.\. done · \d+ scanned · \d+ to delete/)
    for (const args of [
      ['gc', '--dry-run'],
      ['gc', '--dry-run', '--json'],
    ]) {
      const result = await runCli(args, {env: iso.env})
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toBe('')
      expect(result.stdout).not.toContain('scanned')
    }
  })
})

describe('get progress over several jobs', () => {
  it('on a terminal: jobs read on stderr, the lines on stdout intact; in a pipe: nothing', async () => {
    await pushEnded(['m-1', 'm-2', 'm-3'])
    const archived = await runCli(['archive', '--job', 'm-2', '--job', 'm-3'], {env: iso.env})
    expect(archived.code, archived.stderr).toBe(0)
    tmux.open('get', `env -u CI -u NO_COLOR ${terminalEnv()} TERM=xterm-256color ${process.execPath} ${BIN} get 'm-*' --grep three; echo "EXIT=$?"; sleep 600`, {x: 160, y: 20})
    const screen = await tmux.until('get', (s) => s.includes('EXIT='), 'get to end')
    expect(screen).toContain('EXIT=0')
    expect(screen).toMatch(/reading jobs\.\.\. done · 3\/3 jobs/)
    expect(screen.match(/^m-\d ERROR three$/gm)).toEqual(['m-1 ERROR three', 'm-2 ERROR three', 'm-3 ERROR three'])
    const piped = await runCli(['get', 'm-*', '--grep', 'three'], {env: iso.env})
    expect(piped.code, piped.stderr).toBe(0)
    expect(piped.stderr).toBe('')
    expect(piped.stdout).toBe('m-1 ERROR three\nm-2 ERROR three\nm-3 ERROR three\n')
  })
})
