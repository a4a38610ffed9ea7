/** `logs get --exit-code`: the job's own status, with or without -f; a running job without -f is exit 2. */
import {describe, expect, it} from 'vitest'
import {collect, runCli, startCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {waitUntil} from '../../helpers/wait.js'

describe('logs get --exit-code', () => {
  const sandbox = useIsolatedHome()

  it("without -f, an ended job's exit code", async () => {
    expect((await runCli(['push', '--job', 'failed7', '--exit-code', '7'], {input: 'compiling\nboom\n', env: sandbox.env})).code).toBe(0)
    expect((await runCli(['push', '--job', 'ok', '--exit-code', '0'], {input: 'fine\n', env: sandbox.env})).code).toBe(0)
    const failed = await runCli(['get', 'failed7', '--exit-code'], {env: sandbox.env})
    expect(failed).toMatchObject({stdout: 'compiling\nboom\n', stderr: '', code: 7})
    const ok = await runCli(['get', 'ok', '--exit-code'], {env: sandbox.env})
    expect(ok).toMatchObject({stdout: 'fine\n', stderr: '', code: 0})
  })

  it('without -f, a running job: prints what there is, says it is running, exit 2', async () => {
    const push = startCli(['push', '--job', 'busy'], {env: sandbox.env})
    const pushed = collect(push)
    push.stdin!.write('still going\n')
    await waitUntil(async () => (await runCli(['get', 'busy'], {env: sandbox.env})).stdout === 'still going\n', {what: 'the line to be stored'})
    const result = await runCli(['get', 'busy', '--exit-code'], {env: sandbox.env})
    expect(result.stdout).toBe('still going\n')
    expect(result.stderr).toMatch(/job busy is still running, so it has no exit code yet[\s\S]*hint: add -f to wait for it to end/)
    expect(result.code).toBe(2)
    push.stdin!.end('done\n')
    expect((await pushed).code).toBe(0)
  })
})
