/**
 * The commands of the foundation issue, unchanged, with `--store redis://…` and
 * `--store redis+cluster://…`: the built CLI as a child process against real servers.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {startRedis, startRedisCluster, type RedisCluster, type RedisServer} from '../../helpers/redis-server.js'
import {startTogether} from '../../helpers/start-together.js'

let server: RedisServer
let cluster: RedisCluster
let home: {home: string; cleanup: () => void}

beforeAll(async () => {
  home = tempHome()
  ;[server, cluster] = await startTogether([startRedis(), startRedisCluster()])
})

afterAll(async () => {
  await Promise.all([server?.destroy(), cluster?.destroy()])
  home?.cleanup()
})

const numbered = (count: number, prefix = 'line') => Array.from({length: count}, (_, i) => `${prefix} ${i + 1}`).join('\n') + '\n'

for (const [kind, tag] of [
  ['redis', 'r'],
  ['redis+cluster', 'c'],
] as const) {
  describe(`commands with --store ${kind}://`, () => {
    const store = () => `${kind === 'redis' ? server.url : cluster.url}?prefix=cli:`
    const env = () => isolatedEnv(home.home)
    const logs = ([command, ...rest]: string[], input?: string | Buffer) => runCli([command, '--store', store(), ...rest], {env: env(), input})

    it('push, get (raw, json, tail), ls and a get -f follower', async () => {
      const input = Buffer.concat([Buffer.from(numbered(3000)), Buffer.from([0xff, 0x00, 0x1b, 0x5b, 0x31, 0x6d, 0x0d, 0x0a]), Buffer.from('ERROR boom\nno newline')])
      const follower = startCli(['get', `push-${tag}`, '-f', '--output', 'raw', '--store', store()], {env: env()})
      const followed = collect(follower)
      const pushed = await logs(['push', '--job', `push-${tag}`, '--exit-code', '0', '--label', 'team=ci'], input)
      expect(pushed.stderr).not.toContain('logs:')
      expect(pushed.code).toBe(0)
      const following = await followed
      expect(following.code).toBe(0)
      expect(following.stdoutBytes.equals(input)).toBe(true)
      expect((await logs(['get', `push-${tag}`, '--output', 'raw'])).stdoutBytes.equals(input)).toBe(true)
      expect((await logs(['get', `push-${tag}`, '-n', '2'])).stdout).toMatch(/^ERROR boom\nno newline\n?$/)
      const json = (await logs(['get', `push-${tag}`, '--output', 'json', '--level', 'error'])).stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      expect(json).toEqual([expect.objectContaining({seq: 3002, level: 'error', line: 'ERROR boom'})])
      const listed = JSON.parse((await logs(['ls', '--json'])).stdout) as Array<Record<string, unknown>>
      expect(listed.find((job) => job.id === `push-${tag}`)).toMatchObject({status: 'succeeded', exitCode: 0, lines: 3003, labels: {team: 'ci'}})
    })

    it('run captures stdout and stderr as streams of one job; a later push appends with continuing seqs', async () => {
      const ran = await logs(['run', '--job', `run-${tag}`, '--', 'sh', '-c', 'echo to-out; sleep 0.1; echo to-err >&2; exit 3'])
      expect(ran.code).toBe(3)
      expect(JSON.parse((await logs(['ls', '--json', '--status', 'failed'])).stdout)).toEqual([expect.objectContaining({id: `run-${tag}`, exitCode: 3})])
      expect((await logs(['push', '--job', `run-${tag}`], 'pushed later\n')).code).toBe(0)
      const entries = (await logs(['get', `run-${tag}`, '--output', 'json'])).stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      expect(entries.map((e) => [e.seq, e.line, e.stream])).toEqual([
        [1, 'to-out', 'stdout'],
        [2, 'to-err', 'stderr'],
        [3, 'pushed later', null],
      ])
    })

    it('a push after archive continues the archived run', async () => {
      const archive = ['--archive', `file://${home.home}/archive-${tag}`]
      expect((await logs(['push', '--job', `again-${tag}`, ...archive], 'one\n')).code).toBe(0)
      expect((await logs(['archive', ...archive])).code).toBe(0)
      expect((await logs(['push', '--job', `again-${tag}`, ...archive], 'two\n')).code).toBe(0)
      expect(
        (await logs(['get', `again-${tag}`, '--output', 'json', ...archive])).stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l).seq),
      ).toEqual([1, 2])
      const archived = await logs(['archive', '--json', ...archive])
      expect({code: archived.code, archived: JSON.parse(archived.stdout).archived}).toEqual({code: 0, archived: 1})
    })
  })
}

describe('two push processes into one job on the cluster', () => {
  it('interleave their batches with gapless sequence numbers', async () => {
    const store = `${cluster.url}?prefix=pair:`
    const env = isolatedEnv(home.home)
    const [a, b] = await Promise.all(['a', 'b'].map((name) => runCli(['push', '--job', 'shared', '--store', store], {env, input: numbered(20_000, name)})))
    expect([a.code, b.code]).toEqual([0, 0])
    expect(a.stderr + b.stderr).not.toContain('logs:')
    const entries = (await runCli(['get', 'shared', '--output', 'json', '--store', store], {env})).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {seq: number; line: string})
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1))
    for (const name of ['a', 'b']) {
      expect(entries.filter((e) => e.line.startsWith(`${name} `)).map((e) => e.line)).toEqual(numbered(20_000, name).trim().split('\n'))
    }
  })
})

describe('errors', () => {
  it('an unreachable Redis is reported once, without the password, and named again when push gives up; the lines stay spooled', async () => {
    // 5s: the shipping thread's start and its refused connection come first, even on a loaded machine.
    const pushed = await runCli(['push', '--job', 'down', '--drain-timeout', '5s', '--store', 'redis://ci:hunter2@127.0.0.1:1'], {env: isolatedEnv(home.home), input: 'a\n'})
    expect(pushed.code).toBe(1)
    expect(pushed.stderr).not.toContain('hunter2')
    expect(pushed.stderr.match(/is unreachable/g)).toHaveLength(1)
    expect(pushed.stderr).toMatch(/--drain-timeout; unreachable: .*connection refused/)
    expect(pushed.stderr).not.toMatch(/\n\s+at /) // no stack trace
  })

  it('a database the server does not have is a usage error, and nothing is written to database 0', async () => {
    // Before: ioredis's refused SELECT was ignored, and push wrote to database 0, ls listed it.
    const env = isolatedEnv(home.home)
    const store = `${server.url}/99?prefix=nodb:`
    const pushed = await runCli(['push', '--job', 'nodb', '--store', store], {env, input: 'a\n'})
    expect(pushed.stderr).toMatch(/^logs: redis:\/\/127\.0\.0\.1:\d+\/99: the server has no database 99 \(ERR DB index is out of range\)/)
    expect(pushed.code).toBe(2)
    const listed = await runCli(['ls', '--store', store], {env})
    expect(listed.stderr).toContain('the server has no database 99')
    expect(listed.code).toBe(2)
    const db0 = await runCli(['ls', '--json', '--store', `${server.url}?prefix=nodb:`], {env})
    expect(JSON.parse(db0.stdout)).toEqual([])
  })

  it('a bad Redis URL is a usage error naming the flag', async () => {
    const got = await runCli(['ls', '--store', 'redis://h?ttl=soon'], {env: isolatedEnv(home.home)})
    expect(got.code).toBe(2)
    expect(got.stderr).toContain('--store')
  })
})
