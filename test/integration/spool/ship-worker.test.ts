/**
 * push into Redis ships its spool from a thread of its own (ingest/worker-delivery.ts): the
 * thread dying, a signal and a reader of --tee going away each end push as they would on
 * one thread — reported, with the lines kept in the spool, and no thread left hanging.
 */
import {once} from 'node:events'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {startRedis, type RedisServer} from '../../helpers/redis-server.js'
import {waitUntil} from '../../helpers/wait.js'
import {chunksImported, compileCacheReads, HAS_COMPILE_CACHE, ownCompileCache} from '../../helpers/worker-bundle.js'

const numbered = (from: number, to: number) => Array.from({length: to - from + 1}, (_, i) => `${from + i} ${'lorem ipsum '.repeat(6)}\n`).join('')

describe('push ships from a thread of its own (real redis-server)', () => {
  let redis: RedisServer
  let home: {home: string; cleanup: () => void}
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    redis = await startRedis()
    home = tempHome()
    env = isolatedEnv(home.home, {LOGS_STORE: redis.url})
  })
  afterAll(async () => {
    await redis.destroy()
    home.cleanup()
  })

  const stored = async (job: string) => Number((await redis.cli('HGET', `logs:{${job}}:meta`, 'lines')) || 0)

  // A short job waits for the thread to start: it loads one module of its own (ioredis in it), not
  // the chunks of the commands, compiled from the CLI's compile cache where the runtime has one.
  it('the shipping thread loads its own bundle alone, from the compile cache bin/run.js enabled', async () => {
    expect(chunksImported('ship-worker')).toEqual([])
    const run = await runCli(['push', '--job', 'cached'], {env: {...env, NODE_DEBUG_NATIVE: 'COMPILE_CACHE'}, input: 'one line\n'})
    expect(run.code).toBe(0)
    expect(compileCacheReads(run.stderr, 'ship-worker')).toEqual(HAS_COMPILE_CACHE ? [ownCompileCache(home.home)] : [])
    expect(await stored('cached')).toBe(1)
  })

  it('a shipping thread that dies: push reads on to EOF, exits 1 naming the spool; logs recover delivers every line once, in order', async () => {
    const input = numbered(1, 40_000)
    const push = startCli(['push', '--job', 'thread-died', '--exit-code', '0'], {env: {...env, LOGS_FAULT_INJECTION: 'ship-worker-exit:3'}})
    const done = collect(push)
    // Batch by batch, so the thread hears of a third one.
    for (let from = 1; from <= 40_000; from += 10_000) {
      if (!push.stdin!.write(numbered(from, from + 9999))) await once(push.stdin!, 'drain')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    push.stdin!.end()
    const result = await done
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(
      /the shipping thread stopped \(exit code 70\) before the spool was delivered; the lines read are kept in .*spool.* for the next `logs push` of this job or `logs recover`/,
    )
    expect(result.stderr).not.toMatch(/\n\s+at /)
    expect(await stored('thread-died')).toBeLessThan(40_000)

    const recovered = await runCli(['recover', 'thread-died'], {env})
    expect(recovered.code).toBe(0)
    expect(recovered.stdout).toMatch(/^thread-died: delivered \d+ lines from 1 spool\n$/)
    const got = await runCli(['get', 'thread-died', '--output', 'raw'], {env, timeout: 60_000})
    expect(got.stdout.length).toBe(input.length)
    expect(got.stdout === input).toBe(true)
    const json = await runCli(['get', 'thread-died', '--output', 'json', '-n', '1'], {env})
    expect(JSON.parse(json.stdout)).toMatchObject({seq: 40_000})
    expect(await redis.cli('HGET', 'logs:{thread-died}:meta', 'status')).toBe('succeeded')
  })

  it('SIGINT in the middle of a flood: it dies of SIGINT once what was read is delivered, the job left running, no spool left', async () => {
    const push = startCli(['push', '--job', 'interrupted-flood'], {env})
    const done = collect(push)
    push.stdin!.on('error', () => {})
    const input = numbered(1, 200_000)
    push.stdin!.write(input)
    await waitUntil(async () => (await stored('interrupted-flood')) > 0, {what: 'the first lines in Redis', interval: 5})
    push.kill('SIGINT')
    const result = await done
    expect([result.code, result.signal], result.stderr).toEqual([null, 'SIGINT'])
    const lines = await stored('interrupted-flood')
    expect(lines).toBeGreaterThan(0)
    expect(await redis.cli('HGET', 'logs:{interrupted-flood}:meta', 'status')).toBe('running')
    // What was read, to the byte: the lines up to the signal, the last maybe cut where the read ended.
    const got = (await runCli(['get', 'interrupted-flood', '--output', 'raw'], {env})).stdout
    expect(input.startsWith(got)).toBe(true)
    expect(got.split('\n').length - (got.endsWith('\n') ? 1 : 0)).toBe(lines)
    expect((await runCli(['recover', '--json'], {env})).stdout.trim()).toBe('[]')
  })

  it('--tee whose reader goes away (EPIPE): every line still reaches Redis, exit 0', async () => {
    const push = startCli(['push', '--job', 'tee-epipe', '--tee', '--exit-code', '0'], {env})
    const done = collect(push)
    push.stdout!.once('data', () => push.stdout!.destroy())
    const input = numbered(1, 50_000)
    push.stdin!.end(input)
    const result = await done
    expect(result.code).toBe(0)
    expect(await stored('tee-epipe')).toBe(50_000)
    expect((await runCli(['get', 'tee-epipe', '--output', 'raw'], {env})).stdout === input).toBe(true)
  })
})
