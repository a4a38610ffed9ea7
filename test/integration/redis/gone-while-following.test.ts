/**
 * Redis goes away while `get -f` or a piped `tail` follows a running job. For good: the
 * follower gives up after one retry budget (`?retry-for=` on the URL, 60 s by default)
 * with the store, the reason and how long it waited, exit 1, every line printed before
 * it once. Before, the follower's connection retried for ever and its blocking read
 * waited for Redis to come back: still following, silently, minutes later. Back within
 * the budget: the follow goes on from the last line printed, every line once.
 */
import {afterAll, afterEach, beforeAll, expect, it} from 'vitest'
import {collect, isolatedEnv, startCli, tempHome} from '../../helpers/cli.js'
import {redisSandbox} from '../../helpers/redis-sandbox.js'
import {startRedisFaultProxy, type RedisFaultProxy} from '../../helpers/redis-fault-proxy.js'
import {waitUntil} from '../../helpers/wait.js'

const server = redisSandbox()
let home: {home: string; cleanup: () => void}
let proxy: RedisFaultProxy | undefined

beforeAll(() => {
  home = tempHome()
})
afterEach(async () => {
  await proxy?.stop()
  proxy = undefined
})
afterAll(() => {
  home?.cleanup()
})

const lines = (from: number, to: number) => Array.from({length: to - from + 1}, (_, i) => `line ${from + i}\n`).join('')
const followers = [
  ['get -f', (job: string, store: string) => ['get', job, '-f', '--store', store]],
  ['tail (piped)', (job: string, store: string) => ['tail', job, '--store', store]],
] as const

/** A push of `job` that keeps running (its stdin open) with `first` lines stored. */
async function runningJob(job: string, first: number) {
  const push = startCli(['push', '--job', job, '--exit-code', '0', '--store', server.url], {env: isolatedEnv(home.home)})
  const pushed = collect(push)
  push.stdin!.write(lines(1, first))
  await waitUntil(async () => (await server.cli('HGET', `logs:{${job}}:meta`, 'lines')) === String(first), {what: 'push storing the first lines'})
  return {push, pushed}
}

it.each(followers)(
  '%s gives up after one retry budget once Redis is gone for good',
  async (name, args) => {
    const job = `gone-${name.split(' ')[0]}`
    const {push, pushed} = await runningJob(job, 2)
    const follower = startCli(args(job, `${server.url}/?retry-for=3s`), {env: isolatedEnv(home.home)})
    const followed = collect(follower, 30_000)
    try {
      await waitUntil(async () => (await server.blockedClients()) > 0, {
        what: 'the follower waiting in XREAD BLOCK',
        failed: () => (follower.exitCode !== null ? `it exited ${follower.exitCode}` : undefined),
      })
      await server.stop()
      // Before: still following when the test's SIGKILL came at 30 s, nothing on stderr.
      const result = await followed
      expect(result.code, result.stderr).toBe(1)
      expect(result.stdout).toBe(lines(1, 2))
      expect(result.stderr).toMatch(
        /^logs: cannot use redis:\/\/127\.0\.0\.1:\d+: Redis is not reachable: connection refused by 127\.0\.0\.1:\d+ \(is redis-server running\?\) \(waited 3s for an answer\)\n$/,
      )
    } finally {
      await server.start()
      push.stdin!.end()
      await pushed
    }
  },
  60_000,
)

it.each(followers)(
  '%s follows on when Redis is back within the budget: every line once',
  async (name, args) => {
    const job = `back-${name.split(' ')[0]}`
    const {push, pushed} = await runningJob(job, 3)
    proxy = await startRedisFaultProxy(server.port)
    const through = proxy
    const follower = startCli(args(job, `${through.url}/?retry-for=30s`), {env: isolatedEnv(home.home)})
    const followed = collect(follower)
    const exited = () => (follower.exitCode !== null ? `it exited ${follower.exitCode}` : undefined)
    await waitUntil(() => through.seen.some((command) => command.name === 'xread' && command.args.includes('BLOCK')), {what: 'the follower waiting in XREAD BLOCK', failed: exited})
    // Its next read takes Redis away from it: lines 4-6 wake the blocked read, the one after meets the outage.
    through.failWhen((command) => command.name === 'xread')
    push.stdin!.write(lines(4, 6))
    await waitUntil(() => through.refused >= 2, {what: 'the follower trying Redis again while it is down', failed: exited})
    push.stdin!.write(lines(7, 9))
    await waitUntil(async () => (await server.cli('HGET', `logs:{${job}}:meta`, 'lines')) === '9', {what: 'push storing lines 7-9 during the outage'})
    through.heal()
    push.stdin!.end(lines(10, 10))
    expect((await pushed).code).toBe(0)
    const result = await followed
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe(lines(1, 10))
    expect(result.stderr).toBe('')
  },
  60_000,
)
