import {describe, expect, it} from 'vitest'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {collect, runCli, startCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'

describe('logs run', () => {
  const sandbox = useIsolatedHome()

  it('captures stdout and stderr as two streams, passes them through, and exits with the command', async () => {
    const result = await runCli(['run', '--job', 'r1', '--', 'sh', '-c', 'echo out1; echo err1 >&2; echo out2; exit 7'], {env: sandbox.env})
    expect(result.code).toBe(7)
    expect(result.stdout).toBe('out1\nout2\n')
    expect(result.stderr).toBe('err1\n')
    const records = (await runCli(['get', 'r1', '--output', 'json'], {env: sandbox.env})).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(records.map((r) => [r.stream, r.line]).sort()).toEqual([
      ['stderr', 'err1'],
      ['stdout', 'out1'],
      ['stdout', 'out2'],
    ])
    const meta = JSON.parse((await runCli(['ls', '--json'], {env: sandbox.env})).stdout).find((j: {id: string}) => j.id === 'r1')
    expect(meta).toMatchObject({status: 'failed', exitCode: 7, lines: 3})
  })

  it("levels come from what build tools print: make's failure, a compiler's diagnostic, GitHub's ::warning::, so get --level warn finds them", async () => {
    const makefile = join(sandbox.home, 'Makefile')
    writeFileSync(makefile, "build:\n\t@echo 'compiling'\n\t@echo 'a.c:2:35: error: y undeclared' >&2\n\t@echo '::warning file=a.c::deprecated call'\n\t@false\n")
    const result = await runCli(['run', '--job', 'make-build', '--', 'make', '-f', makefile, 'build'], {env: sandbox.env})
    expect(result.code).toBe(2)
    const got = await runCli(['get', 'make-build', '--level', 'warn', '--output', 'json'], {env: sandbox.env})
    const records = got.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    // stdout and stderr are two pipes: their lines may interleave either way.
    expect(records.map((r) => [r.level, r.line.replace(/\[\S*Makefile:\d+: build\]/, '[…]')]).sort()).toEqual([
      ['error', 'a.c:2:35: error: y undeclared'],
      ['error', 'make: *** […] Error 1'],
      ['warn', '::warning file=a.c::deprecated call'],
    ])
  })

  it('records success', async () => {
    const result = await runCli(['run', '--job', 'r2', '--', 'true'], {env: sandbox.env})
    expect(result.code).toBe(0)
    const meta = JSON.parse((await runCli(['ls', '--json'], {env: sandbox.env})).stdout).find((j: {id: string}) => j.id === 'r2')
    expect(meta).toMatchObject({status: 'succeeded', exitCode: 0})
  })

  it('forwards SIGTERM to the command, and exits as the command did', async () => {
    const child = startCli(['run', '--job', 'r3', '--', 'sh', '-c', 'trap "echo got TERM; exit 42" TERM; echo ready; while true; do sleep 0.05; done'], {env: sandbox.env})
    const done = collect(child)
    await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()))
    child.kill('SIGTERM')
    const result = await done
    expect(result.code).toBe(42)
    expect(result.stdout).toBe('ready\ngot TERM\n')
    expect((await runCli(['get', 'r3'], {env: sandbox.env})).stdout).toBe('ready\ngot TERM\n')
  })

  // Before, a signal outside a table of five was recorded as 128: the crashes scripts care about most (SIGSEGV, SIGABRT) read as 128.
  it.each([
    ['SEGV', 139],
    ['ABRT', 134],
    ['USR1', 138],
    ['KILL', 137],
  ])('a command killed by SIG%s: the job is failed with %i, 128 + the signal number', async (name, code) => {
    const job = `sig-${name.toLowerCase()}`
    const result = await runCli(['run', '--job', job, '--', 'sh', '-c', `kill -${name} $$`], {env: sandbox.env})
    // run dies of the command's signal, or exits 128 + N for one that dumps core (README)
    expect(result.code ?? `killed by ${result.signal}`).toBe(name === 'KILL' ? 'killed by SIGKILL' : code)
    const meta = JSON.parse((await runCli(['ls', '--json'], {env: sandbox.env})).stdout).find((j: {id: string}) => j.id === job)
    expect(meta).toMatchObject({status: 'failed', exitCode: code})
    expect((await runCli(['get', job, '--exit-code'], {env: sandbox.env})).code).toBe(code)
  })

  it('a command that does not exist: exit 127 as a shell gives, clear message, job failed with 127', async () => {
    const result = await runCli(['run', '--job', 'r4', '--', 'no-such-command-xyz'], {env: sandbox.env})
    expect(result.code).toBe(127)
    expect(result.stderr).toBe('logs: cannot run no-such-command-xyz: command not found\n')
    const meta = JSON.parse((await runCli(['ls', '--json'], {env: sandbox.env})).stdout).find((j: {id: string}) => j.id === 'r4')
    expect(meta).toMatchObject({status: 'failed', exitCode: 127})
  })

  it('a command that is not executable: exit 126, clear message, job failed with 126', async () => {
    const script = join(sandbox.home, 'not-executable.sh')
    writeFileSync(script, 'echo never\n', {mode: 0o644})
    const result = await runCli(['run', '--job', 'r5', '--', script], {env: sandbox.env})
    expect(result.code).toBe(126)
    expect(result.stderr).toBe(`logs: cannot run ${script}: permission denied\n`)
    const meta = JSON.parse((await runCli(['ls', '--json'], {env: sandbox.env})).stdout).find((j: {id: string}) => j.id === 'r5')
    expect(meta).toMatchObject({status: 'failed', exitCode: 126})
  })
})
