import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {startRedis, type RedisServer} from '../../helpers/redis-server.js'
import {waitUntil} from '../../helpers/wait.js'

// The spool in front of a remote store: lines a push read while the store was down
// survive a kill -9 of that push, and the next push on this machine or `logs recover` delivers
// them; readers (get, ls) leave the spools alone.
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

  /** Every file under the spools with its size and modification time: what a reader must leave alone. */
  function spoolFiles(): string {
    const spools = join(home.home, 'state', 'logs', 'spool')
    return (readdirSync(spools, {recursive: true}) as string[])
      .sort()
      .map((file) => {
        const stat = statSync(join(spools, file))
        return `${file} ${stat.size} ${stat.mtimeMs}`
      })
      .join('\n')
  }

  it('readers never deliver a dead push spool; logs recover does, once', async () => {
    await killedWhileDown('spooled-recover', ['one', 'two', 'three'])
    const before = spoolFiles()
    const got = await runCli(['get', 'spooled-recover'], {env})
    expect(got.code).toBe(1) // the store never had the job: the reader reports it and writes nothing
    expect(got.stderr).toMatch(/not found/)
    expect((await runCli(['ls', '--json'], {env})).stdout).not.toContain('spooled-recover')
    expect(spoolFiles()).toBe(before)

    const recovered = await runCli(['recover', 'spooled-recover'], {env})
    expect(recovered).toMatchObject({code: 0, stderr: ''})
    expect(recovered.stdout).toBe('spooled-recover: delivered 3 lines from 1 spool\n')
    expect(spooledEntries('spooled-recover')).toBe(0)
    expect((await runCli(['get', 'spooled-recover'], {env})).stdout).toBe('one\ntwo\nthree\n')
    // Delivered once: recovering again finds nothing, and the store holds one copy.
    expect((await runCli(['recover', '--json'], {env})).stdout.trim()).toBe('[]')
    expect(
      (await runCli(['get', 'spooled-recover', '--output', 'json'], {env})).stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).seq),
    ).toEqual([1, 2, 3])
  })

  it('a push killed once the store had every line it read: logs recover re-sends its last batch, which the store answers as a duplicate; 0 lines delivered, each line stored once', async () => {
    const push = startCli(['push', '--job', 'killed-idle'], {env})
    const done = collect(push)
    push.stdin!.write('one\ntwo\nthree\n')
    await waitUntil(async () => (await redis.cli('HGET', 'logs:{killed-idle}:meta', 'lines')) === '3', {what: 'every line in Redis'})
    push.kill('SIGKILL')
    await done

    const recovered = await runCli(['recover', 'killed-idle'], {env})
    expect(recovered).toMatchObject({code: 0, stderr: ''})
    expect(recovered.stdout).toBe('killed-idle: delivered 0 lines from 1 spool\n')
    expect(spooledEntries('killed-idle')).toBe(0)
    expect(
      (await runCli(['get', 'killed-idle', '--output', 'json'], {env})).stdout
        .trim()
        .split('\n')
        .map((l) => [JSON.parse(l).seq, JSON.parse(l).line]),
    ).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ])
  })

  it('logs recover against a store that stays down exits 1 and keeps the spool', async () => {
    await killedWhileDown('spooled-down', ['kept'])
    await redis.stop()
    try {
      const recovered = await runCli(['recover', '--drain-timeout', '1s', '--json'], {env})
      expect(recovered.code).toBe(1)
      expect(JSON.parse(recovered.stdout)).toEqual([{job: 'spooled-down', spools: 1, lines: 1, delivered: false}])
      expect(spooledEntries('spooled-down')).toBe(1)
    } finally {
      await redis.start()
    }
    expect((await runCli(['recover'], {env})).stdout).toBe('spooled-down: delivered 1 line from 1 spool\n')
    expect((await runCli(['get', 'spooled-down'], {env})).stdout).toBe('kept\n')
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

  it('push exits 1 naming the spool and the outage when the store stays down past --drain-timeout', async () => {
    await redis.stop()
    try {
      // 5s: the shipping thread's start and its refused connection come first, even on a loaded machine.
      const pushed = await runCli(['push', '--job', 'never-delivered', '--drain-timeout', '5s'], {env, input: 'kept\n'})
      expect(pushed.code).toBe(1)
      expect(pushed.stderr).toMatch(/is unreachable/)
      expect(pushed.stderr).toMatch(/it took none for 5s \(--drain-timeout; unreachable: .*connection refused.*\); they are kept in .*spool/)
    } finally {
      await redis.start()
    }
    expect((await runCli(['recover', 'never-delivered'], {env})).stdout).toBe('never-delivered: delivered 1 line from 1 spool\n')
    expect((await runCli(['get', 'never-delivered'], {env})).stdout).toBe('kept\n')
  })
})
