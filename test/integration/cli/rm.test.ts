/** `logs rm`: deletes jobs wherever they live (live store, archive object and manifest), says where; --dry-run only says. */
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'

describe('logs rm', () => {
  const sandbox = useIsolatedHome()
  const liveDir = (id: string) => join(sandbox.home, 'state', 'logs', 'jobs', id)
  const archived = (prefix: string) => readdirSync(join(sandbox.home, 'data', 'logs', 'archive')).filter((name) => name.startsWith(prefix))
  const push = async (id: string) => expect((await runCli(['push', '--job', id, '--exit-code', '0'], {input: `${id} line\n`, env: sandbox.env})).code).toBe(0)
  const ids = async () => (JSON.parse((await runCli(['ls', '--json'], {env: sandbox.env})).stdout) as {id: string}[]).map((j) => j.id).sort()

  it('deletes a live job and an archived one, naming where; --dry-run deletes nothing', async () => {
    await push('rm-live')
    await push('rm-arch')
    expect((await runCli(['archive', '--job', 'rm-arch'], {env: sandbox.env})).code).toBe(0)
    expect(archived('rm-arch')).toEqual(['rm-arch.jsonl.zst', 'rm-arch.jsonl.zst.idx', 'rm-arch.meta.json'])

    const dry = await runCli(['rm', 'rm-live', 'rm-arch', '--dry-run'], {env: sandbox.env})
    expect(dry).toMatchObject({code: 0, stderr: ''})
    expect(dry.stdout.split('\n')).toEqual([
      expect.stringMatching(/^would delete rm-live from the live store file:\/\/.*\/state\/logs$/),
      expect.stringMatching(/^would delete rm-arch from the archive file:\/\/.*\/data\/logs\/archive\/rm-arch\.jsonl\.zst$/),
      '',
    ])
    expect(await ids()).toEqual(['rm-arch', 'rm-live'])

    const removed = await runCli(['rm', 'rm-live', 'rm-arch', '--json'], {env: sandbox.env})
    expect(removed).toMatchObject({code: 0, stderr: ''})
    expect(JSON.parse(removed.stdout)).toMatchObject({
      dryRun: false,
      notFound: [],
      removed: [
        {id: 'rm-live', from: [{store: 'live'}]},
        {id: 'rm-arch', from: [{store: 'archive'}]},
      ],
    })
    expect(await ids()).toEqual([])
    expect(existsSync(liveDir('rm-live'))).toBe(false)
    expect(archived('rm-arch')).toEqual([])
    expect((await runCli(['get', 'rm-arch'], {env: sandbox.env})).code).toBe(1)
  })

  it('an unknown id: the others are deleted, a message on stderr, exit 1', async () => {
    await push('rm-known')
    const result = await runCli(['rm', 'rm-unknown', 'rm-known'], {env: sandbox.env})
    expect(result.stdout).toMatch(/^deleted rm-known from the live store /)
    expect(result.stderr).toMatch(/^logs: job rm-unknown not found in file:\/\/\S+ or file:\/\/\S+\n$/)
    expect(result.code).toBe(1)
    expect(await ids()).toEqual([])
  })

  it('a bad id: exit 2 before anything is deleted', async () => {
    await push('rm-kept')
    const result = await runCli(['rm', 'rm-kept', '../etc'], {env: sandbox.env})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/invalid job id "\.\.\/etc" \(argument ID\)/)
    expect(await ids()).toEqual(['rm-kept'])
  })
})
