import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {collect, isolatedEnv, startCli, tempHome} from '../../helpers/cli.js'
import {startRedisCluster, type RedisCluster} from '../../helpers/redis-server.js'
import {waitUntil} from '../../helpers/wait.js'
import {storeCases} from './store-cases.js'

let cluster: RedisCluster
let home: {home: string; cleanup: () => void}

beforeAll(async () => {
  home = tempHome()
  cluster = await startRedisCluster()
})

afterAll(async () => {
  await cluster?.destroy()
  home?.cleanup()
})

describe('redis live store (cluster of 3)', () => {
  storeCases({url: () => cluster.url, cli: (...args) => cluster.cli(...args), blockedClients: () => cluster.blockedClients()})
})

// Last but one: it stops the cluster.
it('get -f gives up after one retry budget once the cluster is gone for good', async () => {
  const env = isolatedEnv(home.home)
  const push = startCli(['push', '--job', 'cluster-gone', '--store', cluster.url], {env})
  const pushed = collect(push)
  push.stdin!.write('line 1\nline 2\n')
  await waitUntil(async () => (await cluster.cli('HGET', 'logs:{cluster-gone}:meta', 'lines')) === '2', {what: 'push storing its lines'})
  const follower = startCli(['get', 'cluster-gone', '-f', '--store', `${cluster.url}?retry-for=3s`], {env})
  const followed = collect(follower, 60_000)
  await waitUntil(async () => (await cluster.blockedClients()) > 0, {
    what: 'the follower waiting in XREAD BLOCK',
    failed: () => (follower.exitCode !== null ? `it exited ${follower.exitCode}` : undefined),
  })
  for (const port of cluster.ports) await cluster.stopNode(port)
  const result = await followed
  push.kill('SIGKILL')
  await pushed
  // Before: still following when the test's SIGKILL came at 60 s.
  expect(result.code, result.stderr).toBe(1)
  expect(result.stdout).toBe('line 1\nline 2\n')
  expect(result.stderr).toMatch(/^logs: cannot use redis\+cluster:\/\/[\d.:,]+: .+ \(waited 3s for an answer\)\n$/)
}, 90_000)

// After the one above: the cluster is down for good.
it('get and ls against a cluster whose every node is down fail at once, saying Redis is not reachable, as against a standalone Redis that is down', async () => {
  const env = isolatedEnv(home.home)
  for (const args of [['get', 'cluster-gone'], ['ls']]) {
    const result = await collectRun([...args, '--store', cluster.url], env)
    expect(result.code, result.stderr).toBe(1)
    // Before: each waited for the writer's 10 s deadline, then said "no answer within 10 s: Failed to refresh slots cache."
    expect(result.stderr).toMatch(/^logs: cannot use redis\+cluster:\/\/[\d.:,]+: Redis is not reachable\n/)
    expect(result.stderr).not.toMatch(/no answer within|slots cache/)
  }
}, 60_000)

function collectRun(args: string[], env: NodeJS.ProcessEnv) {
  const child = startCli(args, {env})
  child.stdin!.end()
  return collect(child)
}
