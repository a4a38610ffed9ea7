import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {startRedis, type RedisServer} from '../../helpers/redis-server.js'
import {waitUntil} from '../../helpers/wait.js'

// The spool in front of a remote store: lines a push read while the store was down
// survive a kill -9 of that push, and the next get or push on this machine delivers them.
describe('spool recovery for a remote store (real redis-server)', () => {
  let redis: RedisServer
  let home: {home: string; cleanup: () => void}
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    redis = await startRedis()
    home = tempHome()
    env = isolatedEnv(home.home, {LOGS_STORE: redis.url})
  })
  afterAll(async () => {
    await redis.stop()
    home.cleanup()
  })

  /** Entries this job's spools hold on disk (the file-store layout: 24-byte index records). */
  function spooledEntries(job: string): number {
    const spools = join(home.home, 'state', 'logs', 'spool')
    let total = 0
    for (const key of existsSync(spools) ? readdirSync(spools) : []) {
      const writers = join(spools, key, job, 'jobs')
      for (const writer of existsSync(writers) ? readdirSync(writers) : []) {
        const idx = join(writers, writer, 'idx')
        if (existsSync(idx)) total += Math.floor(statSync(idx).size / 24)
      }
    }
    return total
  }

  async function killedWhileDown(job: string, lines: string[]): Promise<void> {
    await redis.stop()
    const push = startCli(['push', '--job', job], {env})
    const done = collect(push)
    const unreachable = new Promise<void>((resolve) => push.stderr!.on('data', (d: Buffer) => d.toString().includes('unreachable') && resolve()))
    push.stdin!.write(lines.map((l) => `${l}\n`).join(''))
    // Delivery is failing, and every line is in the spool (one 24-byte index record each).
    await unreachable
    await waitUntil(() => spooledEntries(job) >= lines.length, {what: 'every line in the spool'})
    push.kill('SIGKILL')
    await done
    await redis.start()
  }

  it('get delivers a dead push spool before reading', async () => {
    await killedWhileDown('spooled-get', ['one', 'two', 'three'])
    const got = await runCli(['get', 'spooled-get'], {env})
    expect(got.stderr).toBe('')
    expect(got.stdout).toBe('one\ntwo\nthree\n')
    // Delivered once: a second reader finds the same, not a second copy.
    expect(
      (await runCli(['get', 'spooled-get', '--output', 'json'], {env})).stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).seq),
    ).toEqual([1, 2, 3])
  })

  it('the next push delivers a dead push spool first, then its own lines, and ends the job', async () => {
    await killedWhileDown('spooled-push', ['a', 'b'])
    const pushed = await runCli(['push', '--job', 'spooled-push', '--exit-code', '0'], {env, input: 'c\n'})
    expect(pushed.code).toBe(0)
    expect((await runCli(['get', 'spooled-push'], {env})).stdout).toBe('a\nb\nc\n')
    const meta = JSON.parse((await runCli(['ls', '--json'], {env})).stdout).find((j: {id: string}) => j.id === 'spooled-push')
    expect(meta).toMatchObject({status: 'succeeded', lines: 3})
  })

  it('a store that lost the job mid-push (FLUSHALL) gets it started again; later lines land, push ends it', async () => {
    const push = startCli(['push', '--job', 'lost-job', '--exit-code', '0'], {env})
    const done = collect(push)
    push.stdin!.write('before\n')
    await waitUntil(async () => (await runCli(['get', 'lost-job'], {env})).stdout.includes('before'), {what: 'the first line in the store'})
    execFileSync('redis-cli', ['-u', redis.url, 'FLUSHALL'])
    push.stdin!.end('after\n')
    expect((await done).code).toBe(0)
    expect((await runCli(['get', 'lost-job'], {env})).stdout).toBe('after\n')
    const meta = JSON.parse((await runCli(['ls', '--json'], {env})).stdout).find((j: {id: string}) => j.id === 'lost-job')
    expect(meta).toMatchObject({status: 'succeeded'})
  })

  it('push exits 1 naming the spool when the store stays down past --drain-timeout', async () => {
    await redis.stop()
    try {
      const pushed = await runCli(['push', '--job', 'never-delivered', '--drain-timeout', '1s'], {env, input: 'kept\n'})
      expect(pushed.code).toBe(1)
      expect(pushed.stderr).toMatch(/is unreachable/)
      expect(pushed.stderr).toMatch(/they are kept in .*spool/)
    } finally {
      await redis.start()
    }
    expect((await runCli(['get', 'never-delivered'], {env})).stdout).toBe('kept\n')
  })
})
