/**
 * A follow of one job stopped by a real signal exits 128+N (CLI.md), as a follow of
 * several jobs and push do: `get -f` piped, and the `tail` viewer on a terminal (tmux),
 * where Ctrl-C is a key but SIGTERM is a signal.
 */
import {readFileSync} from 'node:fs'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {BIN, collect, isolatedEnv, startCli, tempHome} from '../../helpers/cli.js'
import {Tmux, terminalEnv} from '../../helpers/tmux.js'
import {waitUntil} from '../../helpers/wait.js'

let home: {home: string; cleanup: () => void}
let env: NodeJS.ProcessEnv
let tmux: Tmux | undefined

beforeAll(() => {
  home = tempHome()
  env = isolatedEnv(home.home)
})
afterAll(() => {
  tmux?.kill()
  home?.cleanup()
})

function openPush(job: string) {
  const child = startCli(['push', '--job', job], {env})
  const done = collect(child)
  child.stdin!.write('line 1\n')
  return {end: () => (child.stdin!.end(), done)}
}

it.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)(
  'get -f of one job stopped by %s exits %i, what it printed kept',
  async (signal, code) => {
    const job = `sig-get-${signal}`
    const push = openPush(job)
    const follower = startCli(['get', job, '-f'], {env})
    const followed = collect(follower)
    let stdout = ''
    follower.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    await waitUntil(() => stdout.includes('line 1\n'), {what: 'the follower printing the first line'})
    follower.kill(signal)
    const result = await followed
    // Before: exit 0, as if the job had been followed to its end.
    expect([result.code, result.signal], result.stderr).toEqual([code, null])
    expect(result.stdout).toBe('line 1\n')
    expect((await push.end()).code).toBe(0)
  },
  30_000,
)

it('the tail viewer on a terminal, sent SIGTERM, gives the terminal back and exits 143', async () => {
  const push = openPush('sig-tty')
  tmux = new Tmux(terminalEnv(env))
  tmux.open('viewer', `printf 'BEFORE THE VIEWER\\n'; node ${BIN} tail sig-tty; echo "EXIT=$?"; sleep 600`)
  await tmux.until('viewer', (screen) => screen.includes('line 1') && /sig-tty running/.test(screen), 'the viewer showing the job')
  // The viewer answers keys (its first screen may be painted before it has loaded): t shows the times.
  tmux.keys('viewer', 't')
  await tmux.until('viewer', (screen) => /\d\d:\d\d:\d\d.* line 1/.test(screen), 'the viewer showing timestamps')
  const shell = Number(tmux.run('display', '-p', '-t', 'viewer', '#{pane_pid}').trim())
  const viewer = Number(readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/)[0])
  process.kill(viewer, 'SIGTERM')
  // Before: EXIT=0, as q gives.
  const screen = await tmux.until('viewer', (text) => /EXIT=\d+/.test(text), 'the viewer to exit')
  expect(screen).toContain('EXIT=143')
  expect(screen, screen).toContain('BEFORE THE VIEWER') // the main screen back
  expect(screen).not.toMatch(/sig-tty running/)
  expect((await push.end()).code).toBe(0)
}, 30_000)
