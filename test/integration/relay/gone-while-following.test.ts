/**
 * The relay goes away for good while `get -f --url` follows: the follower gives up after
 * one retry budget (`?retry-for=` on the URL, 60 s by default) with the reason and how long
 * it waited, exit 1, every line printed before it once. Before, the relay's follow retried
 * for a minute of its own and Jobs.follow another minute around it.
 */
import {afterAll, beforeAll, expect, it} from 'vitest'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {raw, startTestRelay, type TestRelay} from '../../helpers/relay.js'
import {waitUntil} from '../../helpers/wait.js'

let relay: TestRelay
let home: {home: string; cleanup: () => void}

beforeAll(async () => {
  home = tempHome()
  relay = await startTestRelay()
})
afterAll(async () => {
  await relay?.stop()
  home?.cleanup()
})

it('get -f --url gives up after one retry budget once the relay is gone for good', async () => {
  expect((await raw(`${relay.url}/v1/jobs/gone/logs`, {method: 'POST', body: 'line 1\nline 2\n'})).status).toBe(200)
  const follower = startCli(['get', 'gone', '-f', '--url', `${relay.url}/?retry-for=2s`], {env: isolatedEnv(home.home)})
  const followed = collect(follower, 30_000)
  const exited = () => (follower.exitCode !== null ? `it exited ${follower.exitCode}` : undefined)
  await waitUntil(() => relay.relay.clients > 0, {what: 'the follower following (its SSE stream)', failed: exited})
  await relay.relay.close() // its followers are closed without `end`, and nothing listens on its port any more

  // Before: still following after 30 s (the relay's follow alone waited 60 s).
  const result = await followed
  expect(result.code, result.stderr).toBe(1)
  expect(result.stdout).toBe('line 1\nline 2\n')
  expect(result.stderr).toMatch(/^logs: cannot use http:\/\/127\.0\.0\.1:\d+\/?: cannot reach the relay: ECONNREFUSED \(waited 2s for an answer\)\n$/)
}, 40_000)

it('a retry-for that is not a duration is a usage error naming where it came from', async () => {
  const result = await runCli(['get', 'gone', '-f', '--url', 'http://127.0.0.1:9/?retry-for=2'], {env: isolatedEnv(home.home)})
  expect(result.code).toBe(2)
  expect(result.stderr).toMatch(/invalid duration "2" for retry-for in --url/)
})
