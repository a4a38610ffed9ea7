/**
 * A command stopped by a real signal cleans up, then dies of that signal, as Unix tools do
 * (a shell reports 128+N, CLI.md): `get -f` piped, the `tail` viewer on a terminal (tmux),
 * where Ctrl-C is a key but SIGTERM is a signal, and bash loops over `get -f` and `run`,
 * which stop at Ctrl-C only when the child died of SIGINT.
 */
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {BIN, ROOT, collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
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

/** The first child of a process (a shell's command, a wrapper's child). */
function childOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0])
}

it.each(['SIGINT', 'SIGTERM'] as const)(
  'get -f of one job stopped by %s dies of it, what it printed kept',
  async (signal) => {
    const job = `sig-get-${signal}`
    const push = openPush(job)
    const follower = startCli(['get', job, '-f'], {env})
    const followed = collect(follower)
    let stdout = ''
    follower.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    await waitUntil(() => stdout.includes('line 1\n'), {what: 'the follower printing the first line'})
    follower.kill(signal)
    const result = await followed
    // Before: exit 130 or 143, not death by the signal.
    expect([result.code, result.signal], result.stderr).toEqual([null, signal])
    expect(result.stdout).toBe('line 1\n')
    expect((await push.end()).code).toBe(0)
  },
  30_000,
)

it.each([
  ['get -f', `for j in loop-absent loop-ended; do "${process.execPath}" "${BIN}" get -f $j; done; echo after`, 'stderr', 'waiting for job loop-absent'],
  [
    'run',
    `for j in 1 2; do "${process.execPath}" "${BIN}" run --job loop-run-$j -- sh -c 'echo started-$0; [ $0 = 2 ] || exec sleep 30' $j; done; echo after`,
    'stdout',
    'started-1',
  ],
] as const)(
  'a bash loop over %s stops at Ctrl-C (SIGINT to its process group)',
  async (_, script, stream, started) => {
    expect((await runCli(['push', '--job', 'loop-ended', '--exit-code', '0'], {env, input: 'the next job\n'})).code).toBe(0)
    const bash = spawn('bash', ['-c', script], {env, detached: true, stdio: ['ignore', 'pipe', 'pipe']})
    const done = collect(bash)
    let text = ''
    bash[stream].on('data', (chunk: Buffer) => (text += chunk.toString()))
    await waitUntil(() => text.includes(started), {what: `the loop's first command started (${started})`})
    process.kill(-bash.pid!, 'SIGINT')
    const result = await done
    // Before: the child exited 130, so bash went on to the next job and printed "after".
    expect(result.stdout, result.stderr).not.toContain('after')
    expect(result.stdout).not.toMatch(/the next job|started-2/)
    expect([result.code, result.signal], result.stderr).toEqual([null, 'SIGINT'])
  },
  30_000,
)

// A parent that says how its child ended: a shell's $? is 143 for both an exit and a death.
const reportingParent = `node -e 'const r = require("node:child_process").spawnSync(process.execPath, process.argv.slice(1), {stdio: "inherit"}); console.log("EXIT=" + r.status + " SIGNAL=" + r.signal)'`

it('the tail viewer on a terminal, sent SIGTERM, gives the terminal back and dies of SIGTERM', async () => {
  const push = openPush('sig-tty')
  tmux ??= new Tmux(terminalEnv(env))
  tmux.open('viewer', `printf 'BEFORE THE VIEWER\\n'; ${reportingParent} ${BIN} tail sig-tty; sleep 600`)
  await tmux.until('viewer', (screen) => screen.includes('line 1') && /sig-tty running/.test(screen), 'the viewer showing the job')
  // The viewer answers keys (its first screen may be painted before it has loaded): t shows the times.
  tmux.keys('viewer', 't')
  await tmux.until('viewer', (screen) => /\d\d:\d\d:\d\d.* line 1/.test(screen), 'the viewer showing timestamps')
  const shell = Number(tmux.run('display', '-p', '-t', 'viewer', '#{pane_pid}').trim())
  process.kill(childOf(childOf(shell)), 'SIGTERM')
  const screen = await tmux.until('viewer', (text) => /EXIT=\S+ SIGNAL=\S+/.test(text), 'the viewer to exit')
  // Before: EXIT=143 SIGNAL=null.
  expect(screen).toContain('EXIT=null SIGNAL=SIGTERM')
  expect(screen, screen).toContain('BEFORE THE VIEWER') // the main screen back
  expect(screen).not.toMatch(/sig-tty running/)
  expect((await push.end()).code).toBe(0)
}, 30_000)

it('the tail viewer sent SIGTERM before its first draw (its plain first screen up, Ink still loading) gives the terminal back', async () => {
  const push = openPush('sig-early')
  tmux ??= new Tmux(terminalEnv(env))
  // Ink's import never completes: the plain first screen stays up, as while a slow machine loads the viewer.
  const hold = `--import ${join(ROOT, 'test', 'helpers', 'hold-import.mjs')}`
  tmux.open('early', `printf 'BEFORE THE VIEWER\\n'; HOLD_IMPORT=ink ${reportingParent} ${hold} ${BIN} tail sig-early; sleep 600`)
  await tmux.until('early', (screen) => screen.includes('line 1') && !screen.includes('BEFORE THE VIEWER'), 'the plain first screen')
  const shell = Number(tmux.run('display', '-p', '-t', 'early', '#{pane_pid}').trim())
  process.kill(childOf(childOf(shell)), 'SIGTERM')
  const screen = await tmux.until('early', (text) => /EXIT=\S+ SIGNAL=\S+/.test(text), 'the tail to end')
  expect(screen).toContain('EXIT=null SIGNAL=SIGTERM')
  // Before: it died at once, the terminal left in the alternate screen, the cursor hidden.
  expect(tmux.run('display', '-p', '-t', 'early', '#{alternate_on} #{cursor_flag}').trim()).toBe('0 1')
  expect(screen, screen).toContain('BEFORE THE VIEWER')
  expect((await push.end()).code).toBe(0)
}, 30_000)

it.each([
  ['piped tail', (job: string) => ['tail', job, '-n', '100000']],
  ['get -f of several jobs', (job: string) => ['get', job, `${job}-other`, '-f']],
] as const)(
  '%s held by a full pipe, sent SIGTERM, flushes every line it printed, then dies of SIGTERM',
  async (_, args) => {
    const job = `sig-full-${args('x')[0]}`
    // Lines of one width (11 bytes), so a pipe's 64 KiB never ends between two lines.
    const lines = Array.from({length: 40_000}, (_, i) => `line ${String(i + 1).padStart(5, '0')}\n`)
    const push = startCli(['push', '--job', job], {env})
    const pushed = collect(push)
    push.stdin!.write(lines.join(''))
    await waitUntil(async () => (await runCli(['get', job, '-n', '1'], {env})).stdout === lines.at(-1), {what: 'every line stored'})
    const follower = startCli(args(job), {env})
    const followed = collect(follower)
    follower.stdout!.pause()
    // The consumer is held full: the command's output waits in the pipe and in its own buffer.
    await waitUntil(() => follower.stdout!.readableLength >= follower.stdout!.readableHighWaterMark, {what: 'the reader of the output full'})
    follower.kill('SIGTERM')
    follower.stdout!.resume()
    const result = await followed
    expect([result.code, result.signal], result.stderr).toEqual([null, 'SIGTERM'])
    const printed = result.stdout.replace(/^sig-full-\S* +/gm, '') // several jobs: each line prefixed with its job
    // Before: killed at once, the output ended where the pipe was full, in the middle of a line.
    expect(printed.endsWith('\n'), printed.slice(-40)).toBe(true)
    const count = printed.length / lines[0].length
    expect(printed).toBe(lines.slice(0, count).join(''))
    push.stdin!.end()
    expect((await pushed).code).toBe(0)
  },
  60_000,
)

it('piped tail held by a full pipe whose reader never reads on: a second SIGTERM ends it at once, by SIGTERM', async () => {
  const job = 'sig-twice'
  const lines = Array.from({length: 40_000}, (_, i) => `line ${String(i + 1).padStart(5, '0')}\n`)
  const push = startCli(['push', '--job', job], {env})
  const pushed = collect(push)
  push.stdin!.write(lines.join(''))
  await waitUntil(async () => (await runCli(['get', job, '-n', '1'], {env})).stdout === lines.at(-1), {what: 'every line stored'})
  const follower = startCli(['tail', job, '-n', '100000'], {env})
  const followed = collect(follower)
  follower.stdout!.pause()
  await waitUntil(() => follower.stdout!.readableLength >= follower.stdout!.readableHighWaterMark, {what: 'the reader of the output full'})
  follower.kill('SIGTERM')
  // The first SIGTERM starts a flush that never ends (nobody reads); signals do not queue, so
  // SIGTERM is sent again until one arrives after the first was taken. Before: it never died.
  await waitUntil(() => follower.exitCode !== null || follower.signalCode !== null || !follower.kill('SIGTERM'), {what: 'the follower ending'})
  follower.stdout!.resume() // what it had printed, to its end
  const result = await followed
  expect([result.code, result.signal], result.stderr).toEqual([null, 'SIGTERM'])
  push.stdin!.end()
  expect((await pushed).code).toBe(0)
}, 60_000)
