/**
 * Redis goes away between a follower's history and its follow: `get -f` and a piped
 * `tail` have printed what the job had, and their next look at the job (on the store's
 * fail-fast connection) meets the outage. They wait for Redis and follow on from the last
 * line printed: every line once, exit 0. The outage starts at that exact point through a
 * proxy that reads the CLI's commands (no sleep, no race with the CLI).
 */
import {afterAll, afterEach, beforeAll, expect, it} from 'vitest'
import {collect, isolatedEnv, startCli, tempHome} from '../../helpers/cli.js'
import {redisSandbox} from '../../helpers/redis-sandbox.js'
import {startRedisFaultProxy, type RedisFaultProxy, type SeenCommand} from '../../helpers/redis-fault-proxy.js'
import {waitUntil} from '../../helpers/wait.js'

const server = redisSandbox()
let home: {home: string; cleanup: () => void}
let proxy: RedisFaultProxy | undefined

beforeAll(() => {
  home = tempHome()
})
afterEach(async () => {
  await proxy?.stop()
})
afterAll(() => {
  home?.cleanup()
})

const lines = (from: number, to: number) => Array.from({length: to - from + 1}, (_, i) => `line ${from + i}\n`).join('')

it.each([
  ['get -f', (job: string, store: string) => ['get', job, '-f', '--store', store]],
  ['tail (piped)', (job: string, store: string) => ['tail', job, '--store', store]],
])(
  '%s lives through Redis going away once its history is printed',
  async (name, args) => {
    const env = isolatedEnv(home.home)
    const job = `gap-${name.split(' ')[0]}`
    const push = startCli(['push', '--job', job, '--exit-code', '0', '--store', server.url], {env})
    const pushed = collect(push)
    push.stdin!.write(lines(1, 5))
    await waitUntil(async () => (await server.cli('HGET', `logs:{${job}}:meta`, 'lines')) === '5', {what: 'push storing the first lines'})

    proxy = await startRedisFaultProxy(server.port)
    const through = proxy
    // The history has been read once the log's range reads are followed by another command
    // (the read's last look at the job): from there on the store is down.
    const rangeRead = (command: SeenCommand) => command.name === 'xrange' || command.name === 'xrevrange'
    let historyRead = false
    through.failWhen((command) => {
      if (rangeRead(command)) historyRead = true
      return historyRead && !rangeRead(command)
    })
    const follower = startCli(args(job, through.url), {env})
    const followed = collect(follower)
    const exited = () => (follower.exitCode !== null ? `it exited ${follower.exitCode}` : undefined)
    await waitUntil(() => through.down && through.refused > 0, {what: 'the follower trying Redis again while it is down', failed: exited})
    expect(through.seen.some((command) => command.name === 'xread')).toBe(false) // it had not started following
    through.heal()
    await waitUntil(() => through.seen.some((command) => command.name === 'xread'), {what: 'the follower following (its XREAD)', failed: exited})

    push.stdin!.end(lines(6, 8))
    expect((await pushed).code).toBe(0)
    const result = await followed
    // Before: exit 1, "cannot use redis://…: Redis is not reachable", lines 6-8 never shown.
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe(lines(1, 8))
  },
  60_000,
)
