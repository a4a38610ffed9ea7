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

// Last: it stops the cluster. Its reads' looks at the job wait up to 10 s each for a cluster that is down (the writer's deadline), so it gives up some 20 s after the outage.
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
