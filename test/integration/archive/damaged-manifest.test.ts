/**
 * An archived job whose manifest (`<job>.meta.json`) is damaged: every command that lists
 * jobs lists the others, names it on stderr and exits 1; `get` of it names it; `rm` deletes
 * it; `gc` keeps its object (the only copy of its lines) and names it.
 */
import {existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isolatedEnv, runCli} from '../../helpers/cli.js'
import {raw, startServeCli, stopServeCli} from '../../helpers/relay.js'

const dir = mkdtempSync(join(tmpdir(), 'logs-damaged-manifest-'))
const root = join(dir, 'archive')
const env = isolatedEnv(join(dir, 'home'), {LOGS_STORE: `file://${join(dir, 'live')}`, LOGS_ARCHIVE: `file://${root}`})
const logs = (...args: string[]) => runCli(args, {env})
const named = /logs: job d2: its archive manifest file:\/\/\S+\/d2\.meta\.json is damaged: not JSON/

beforeAll(async () => {
  for (const job of ['d1', 'd2', 'd3']) expect((await runCli(['push', '--job', job], {env, input: `${job} one\n${job} two\n`})).code).toBe(0)
  expect((await logs('archive')).code).toBe(0)
  writeFileSync(join(root, 'd2.meta.json'), '{"format": "logs-archive/1", "id": "d2", "par')
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('a damaged manifest', () => {
  it('ls and ls --json: the other jobs, the damaged one named on stderr, exit 1', async () => {
    const text = await logs('ls')
    expect(text.stdout).toMatch(/^d3 .*\n^d1 /m)
    expect(text.stdout).not.toMatch(/d2/)
    expect(text.stderr).toMatch(named)
    expect(text.code).toBe(1)
    const json = await logs('ls', '--json')
    expect((JSON.parse(json.stdout) as Array<{id: string}>).map((job) => job.id).sort()).toEqual(['d1', 'd3'])
    expect(json.stderr).toMatch(named)
    expect(json.code).toBe(1)
  })

  it("get of a glob prints the other jobs' lines, names it, exit 1; get of it names it, exit 1", async () => {
    const glob = await logs('get', 'd*')
    expect(glob.stdout.split('\n').filter(Boolean).sort()).toEqual(['d1 d1 one', 'd1 d1 two', 'd3 d3 one', 'd3 d3 two'])
    expect(glob.stderr).toMatch(named)
    expect(glob.code).toBe(1)
    const one = await logs('get', 'd2')
    expect(one.stdout).toBe('')
    expect(one.stderr).toMatch(named)
    expect(one.stderr).not.toMatch(/live copy was kept/)
    expect(one.code).toBe(1)
  })

  it('tail of a glob, piped, names it and lists on; archive --reindex indexes the others and names it, exit 1', async () => {
    const tail = await logs('tail', 'd*', '--no-follow')
    expect(tail.stdout.split('\n').filter(Boolean)).toHaveLength(4)
    expect(tail.stderr).toMatch(named)
    expect(tail.code).toBe(1)
    const reindex = await logs('archive', '--reindex')
    expect(reindex.stdout).toMatch(/catalog rebuilt: 2 archived jobs/)
    expect(reindex.stderr).toMatch(named)
    expect(reindex.code).toBe(1)
  })

  it('the relay: GET /v1/jobs lists the others and names it in `damaged`; GET /v1/jobs/d2 is a 500 that says so, which get --url tells as get does', async () => {
    const server = await startServeCli([], env)
    try {
      const list = await raw(`${server.url}/v1/jobs`)
      expect(list.status, list.body).toBe(200)
      const body = list.json() as {jobs: Array<{id: string}>; damaged: Array<{job: string; message: string; suggestions: string[]}>}
      expect(body.jobs.map((job) => job.id).sort()).toEqual(['d1', 'd3'])
      expect(body.damaged).toEqual([
        {
          job: 'd2',
          message: expect.stringMatching(/^job d2: its archive manifest \S+ is damaged: not JSON/),
          suggestions: expect.arrayContaining([expect.stringMatching(/logs rm d2/)]),
        },
      ])
      const one = await raw(`${server.url}/v1/jobs/d2`)
      expect(one.status).toBe(500)
      expect(one.json()).toMatchObject({
        error: expect.stringMatching(/^job d2: its archive manifest .* is damaged/),
        code: 'damaged-manifest',
        hints: expect.arrayContaining([expect.stringMatching(/zstdcat/)]),
      })
      const remote = await runCli(['get', 'd2'], {env: isolatedEnv(join(dir, 'home-remote'), {LOGS_URL: server.url})})
      expect(remote.stderr).toMatch(named)
      expect(remote.stderr).toMatch(/logs rm d2/)
      expect(remote.stderr).not.toMatch(/unavailable/)
      expect(remote.code).toBe(1)
    } finally {
      await stopServeCli(server)
    }
  })

  it('get, tail and ls of a glob through the relay (--url) list on past it, name it and exit 1, as they do on the archive itself; of it, its error is the same', async () => {
    // Before, the relay's listing named it in `damaged` and its client dropped that: the jobs came without it and exit 0.
    const server = await startServeCli([], env)
    const remoteEnv = isolatedEnv(join(dir, 'home-remote'), {LOGS_URL: server.url})
    const told = (args: string[], read: {code: number | null; stdout: string; stderr: string}) => ({
      code: read.code,
      // ls --json: the ids (`updatedAt` and such are the relay's own copy); get and tail: the lines.
      out: args[0] === 'ls' ? (JSON.parse(read.stdout) as Array<{id: string}>).map((job) => job.id).sort() : read.stdout.split('\n').filter(Boolean).sort(),
      stderr: read.stderr,
    })
    try {
      for (const args of [
        ['get', 'd*'],
        ['tail', 'd*', '--no-follow'],
        ['ls', '--json'],
      ]) {
        const local = told(args, await logs(...args))
        expect(local.stderr).toMatch(named)
        expect(local.out).toHaveLength(args[0] === 'ls' ? 2 : 4)
        expect(local.code).toBe(1)
        const remote = told(args, await runCli(args, {env: remoteEnv}))
        expect({args, ...remote}).toEqual({args, ...local})
      }
      // Of the job itself, the relay's 500 comes back as the error a direct read throws: its --json `code` is the same.
      const local = await logs('sections', 'd2', '--json')
      expect((JSON.parse(local.stdout) as {error: {code: string}}).error.code).toBe('damaged-manifest')
      const remote = await runCli(['sections', 'd2', '--json'], {env: remoteEnv})
      expect({code: remote.code, stdout: remote.stdout, stderr: remote.stderr}).toEqual({code: local.code, stdout: local.stdout, stderr: local.stderr})
    } finally {
      await stopServeCli(server)
    }
  })

  it('gc keeps its object and names it (exit 1); rm deletes it', async () => {
    // Old enough to be collected as an orphan, were it taken for one.
    const old = new Date(Date.now() - 3 * 86_400_000)
    for (const name of ['d2.jsonl.zst', 'd2.jsonl.zst.idx']) utimesSync(join(root, name), old, old)
    const gc = await logs('gc', '--older-than', '0s', '--json')
    const summary = JSON.parse(gc.stdout) as {deleted: Array<{name: string}>; damaged: Array<{job: string}>}
    expect(summary.damaged.map((job) => job.job)).toEqual(['d2'])
    expect(summary.deleted.map((item) => item.name)).not.toContain('d2.jsonl.zst')
    expect(existsSync(join(root, 'd2.jsonl.zst'))).toBe(true)
    expect(gc.stderr).toMatch(named)
    expect(gc.code).toBe(1)
    const rm = await logs('rm', 'd2')
    expect(rm.code).toBe(0)
    expect(existsSync(join(root, 'd2.meta.json'))).toBe(false)
    expect(existsSync(join(root, 'd2.jsonl.zst'))).toBe(false)
    expect((await logs('ls')).code).toBe(0)
  })
})
