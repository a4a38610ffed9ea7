/**
 * A follower's stream goes silent without being closed: the fault proxy stops passing the
 * relay's bytes on and leaves the connection open, as a connection that died without a word
 * looks to its client (the relay's host gone, a NAT that forgot it). The relay pings every
 * 200 ms here and says so; past three pings' time the follower takes the stream for lost,
 * follows again from its last line, and prints what came meanwhile.
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
  relay = await startTestRelay({limits: {pingMs: 200}})
  proxy = await startFaultProxy(relay.url)
})
afterAll(async () => {
  await proxy?.stop()
  await relay?.stop()
  home?.cleanup()
})

it('the relay says how often it pings', async () => {
  const answer = await fetch(`${relay.url}/v1/jobs/pings/logs/stream`, {signal: AbortSignal.timeout(10_000)})
  expect(answer.headers.get('logs-ping-ms')).toBe('200')
  await answer.body?.cancel()
})

it('tail --url takes a stream that brings not even pings for lost, and follows on from its last line', async () => {
  expect((await raw(`${relay.url}/v1/jobs/quiet/logs`, {method: 'POST', body: 'line 1\n'})).status).toBe(200)
  const follower = startCli(['tail', 'quiet', '--url', proxy.url], {env: isolatedEnv(home.home)})
  let printed = ''
  follower.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()))
  const followed = collect(follower)
  const exited = () => (follower.exitCode !== null ? `it exited ${follower.exitCode}` : undefined)
  await waitUntil(() => printed === 'line 1\n' && relay.relay.clients > 0, {what: 'line 1 printed, the follower on its stream', failed: exited})
  proxy.stallConnections()
  expect((await raw(`${relay.url}/v1/jobs/quiet/logs?end=1&exit-code=0`, {method: 'POST', body: 'line 2\n'})).status).toBe(200)
  const result = await followed
  // Before: line 2 never came, and the follower waited on the dead stream until killed.
  expect(result.code, result.stderr).toBe(0)
  expect(result.stdout).toBe('line 1\nline 2\n')
  expect(proxy.requests.filter((request) => request.startsWith('GET /v1/jobs/quiet/logs/stream')).length).toBeGreaterThanOrEqual(2)
}, 60_000)
