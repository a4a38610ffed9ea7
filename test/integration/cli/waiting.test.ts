/**
 * `get -f` and `tail` on a job that has not started, or of a glob that matches none yet: they say so (stderr when piped, the
 * status bar in the viewer) instead of waiting silently; --no-wait fails at once.
 */
import {afterAll, describe, expect, it} from 'vitest'
import {BIN, collect, runCli, startCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {terminalEnv, Tmux} from '../../helpers/tmux.js'
import {waitUntil} from '../../helpers/wait.js'

describe('waiting for a job that has not started', () => {
  const sandbox = useIsolatedHome()

  for (const args of [
    ['get', 'later-get', '-f'],
    // Raw output copies stored bytes through its own path (get-raw.ts): it waits the same way.
    ['get', 'later-raw', '-f', '--output', 'raw'],
    ['tail', 'later-tail'],
  ]) {
    it(`${args.join(' ')} says on stderr that it waits, then prints the job once it comes`, async () => {
      const job = args[1]
      const follower = startCli(args, {env: sandbox.env})
      let stderr = ''
      follower.stderr!.on('data', (d: Buffer) => (stderr += d))
      const done = collect(follower)
      await waitUntil(() => stderr.includes(`logs: waiting for job ${job} to start`), {what: 'the waiting notice'})
      expect((await runCli(['push', '--job', job, '--exit-code', '0'], {input: 'first\nsecond\n', env: sandbox.env})).code).toBe(0)
      const result = await done
      expect(result.stdout).toBe('first\nsecond\n')
      expect(result.stderr).toBe(`logs: waiting for job ${job} to start (Ctrl-C to stop; --no-wait fails at once instead)\n`)
      expect(result.code).toBe(0)
    })
  }

  it('an existing job: no notice', async () => {
    expect((await runCli(['push', '--job', 'already', '--exit-code', '0'], {input: 'x\n', env: sandbox.env})).code).toBe(0)
    expect(await runCli(['get', 'already', '-f'], {env: sandbox.env})).toMatchObject({stdout: 'x\n', stderr: '', code: 0})
    expect(await runCli(['tail', 'already'], {env: sandbox.env})).toMatchObject({stdout: 'x\n', stderr: '', code: 0})
  })

  for (const [args, job, notice, labels] of [
    [['get', 'glob-get-*', '-f'], 'glob-get-1', "'glob-get-*'", []],
    [['tail', 'glob-tail-*'], 'glob-tail-1', "'glob-tail-*'", []],
    [['get', '-l', 'team=later', '-f'], 'labelled-1', '-l team=later', ['--label', 'team=later']],
  ] as const) {
    it(`${args.join(' ')} with no match yet says once on stderr that it waits, then prints the job that comes`, async () => {
      const follower = startCli([...args], {env: sandbox.env})
      let stderr = ''
      follower.stderr!.on('data', (d: Buffer) => (stderr += d))
      const done = collect(follower)
      // Before: nothing said while it waited.
      await waitUntil(() => stderr.includes('logs: waiting for a job matching'), {what: 'the waiting notice'})
      const pushed = await runCli(['push', '--job', job, ...labels, '--exit-code', '0'], {input: 'first\n', env: sandbox.env})
      expect(pushed.code).toBe(0)
      const result = await done
      expect(result.stdout).toBe(`${job} first\n`)
      expect(result.stderr).toBe(`logs: waiting for a job matching ${notice} to start (Ctrl-C to stop)\n`)
      expect(result.code).toBe(0)
    })
  }

  it('a glob that matches a job already, or beside a named job: no notice for the glob', async () => {
    expect((await runCli(['push', '--job', 'matched-1', '--exit-code', '0'], {input: 'x\n', env: sandbox.env})).code).toBe(0)
    expect(await runCli(['get', 'matched-*', '-f'], {env: sandbox.env})).toMatchObject({stdout: 'matched-1 x\n', stderr: '', code: 0})
    expect(await runCli(['get', 'matched-1', 'nothing-*', '-f'], {env: sandbox.env})).toMatchObject({stdout: 'matched-1 x\n', stderr: '', code: 0})
  })

  for (const args of [
    ['get', 'never', '-f', '--no-wait'],
    ['get', 'never', '-f', '--no-wait', '--output', 'raw'],
    ['tail', 'never', '--no-wait'],
  ]) {
    it(`${args.join(' ')}: exit 1 at once, naming the job`, async () => {
      const result = await runCli(args, {env: sandbox.env})
      expect(result.code).toBe(1)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(/^logs: job never not found in file:\/\//)
    })
  }

  describe('the viewer', () => {
    let tmux: Tmux | undefined
    afterAll(() => tmux?.kill())

    it('says on screen that it waits for the job, then shows its lines', async () => {
      tmux = new Tmux(terminalEnv(sandbox.env))
      tmux.open('waiting', `node ${BIN} tail later-viewer`)
      await tmux.until('waiting', (text) => text.includes('waiting for the job to start'), 'the waiting status')
      expect((await runCli(['push', '--job', 'later-viewer'], {input: 'hello from the job\n', env: sandbox.env})).code).toBe(0)
      await tmux.until('waiting', (text) => text.includes('hello from the job'), 'the line')
      tmux.keys('waiting', 'q')
    })
  })
})
