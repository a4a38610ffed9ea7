/**
 * The relay stops answering between a remote follower's history and its follow
 * (`get -f --url`): its look at the job is reset twice, as a relay being restarted does.
 * The follower waits for the relay and follows on from the last line printed.
 */
import {afterAll, beforeAll, expect, it} from 'vitest'
import {collect, isolatedEnv, startCli, tempHome} from '../../helpers/cli.js'
import {startFaultProxy, type FaultProxy} from '../../helpers/fault-proxy.js'
import {raw, startTestRelay, type TestRelay} from '../../helpers/relay.js'
import {waitUntil} from '../../helpers/wait.js'

let relay: TestRelay
let proxy: FaultProxy
let home: {home: string; cleanup: () => void}

beforeAll(async () => {
  home = tempHome()
  relay = await startTestRelay()
  proxy = await startFaultProxy(relay.url)
})
afterAll(async () => {
  await proxy?.stop()
  await relay?.stop()
  home?.cleanup()
})

it('get -f --url lives through the relay going away once its history is printed', async () => {
  expect((await raw(`${relay.url}/v1/jobs/window/logs`, {method: 'POST', body: 'line 1\nline 2\n'})).status).toBe(200)
  // Once the history has been asked for, the next looks at the job meet a relay that is away.
  let historyAsked = false
  proxy.inject(
    {kind: 'reset'},
    {
      count: 2,
      match: (method, path) => {
        if (path === '/v1/jobs/window/logs') historyAsked = true
        return historyAsked && path === '/v1/jobs/window'
      },
    },
  )
  const follower = startCli(['get', 'window', '-f', '--url', proxy.url], {env: isolatedEnv(home.home)})
  const followed = collect(follower)
  const exited = () => (follower.exitCode !== null ? `it exited ${follower.exitCode}` : undefined)
  await proxy.faults.waitForFaults(2)
  await waitUntil(() => relay.relay.clients > 0, {what: 'the follower following (its SSE stream)', failed: exited})
  expect((await raw(`${relay.url}/v1/jobs/window/logs?end=1&exit-code=0`, {method: 'POST', body: 'line 3\n'})).status).toBe(200)
  const result = await followed
  // Before: exit 1, "cannot use the relay …: socket hang up", line 3 never shown.
  expect(result.code, result.stderr).toBe(0)
  expect(result.stdout).toBe('line 1\nline 2\nline 3\n')
}, 60_000)
