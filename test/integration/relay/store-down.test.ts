/**
 * The store behind the relay goes down and comes back: a real redis-server (Redis store,
 * the backend a shared relay typically fronts) that the test stops and starts.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {RelayStore} from '../../../src/lib/store/relay/relay-store.js'
import {Jobs} from '../../../src/lib/store/jobs.js'
import {openRedisStore} from '../../../src/lib/store/redis/redis-store.js'
import {redisSandbox} from '../../helpers/redis-sandbox.js'
import {openRawStream, raw, startTestRelay, type TestRelay} from '../../helpers/relay.js'
import {waitUntil} from '../../helpers/wait.js'

const redis = redisSandbox()
let t: TestRelay
beforeAll(async () => {
  const store = await openRedisStore(new URL(redis.url), {from: 'test', what: 'live store', env: {}})
  t = await startTestRelay({store, limits: {readerLingerMs: 20}})
})
afterAll(async () => {
  await t?.stop()
})

const seqs = (events: {event: string; id?: string}[]) => events.filter((e) => e.event === 'log').map((e) => Number(e.id))

describe('store down', () => {
  it('answers 503 while Redis is down and recovers when it is back; a follower resumes', async () => {
    expect((await raw(`${t.url}/v1/jobs/down-1/logs`, {method: 'POST', body: 'before 1\nbefore 2\n'})).status).toBe(200)
    const follower = openRawStream(`${t.url}/v1/jobs/down-1/logs/stream`)
    await waitUntil(() => seqs(follower.events()).length === 2)

    await redis.stop()
    for (const [method, path, body] of [
      ['GET', '/healthz'],
      ['GET', '/v1/jobs'],
      ['GET', '/v1/jobs/down-1'],
      ['GET', '/v1/jobs/down-1/logs'],
      ['POST', '/v1/jobs/down-1/logs', 'during\n'],
      ['GET', '/v1/jobs/other-1/logs/stream'],
    ] as const) {
      const response = await raw(`${t.url}${path}`, {method, body})
      expect([path, response.status]).toEqual([path, 503])
      expect(response.json().error).toMatch(/unavailable|cannot/i)
    }

    await redis.start()
    await waitUntil(async () => (await raw(`${t.url}/healthz`)).status === 200, {timeout: 20_000, what: 'healthz back to 200'})
    expect((await raw(`${t.url}/v1/jobs/down-1/logs?end=1&exit-code=0`, {method: 'POST', body: 'after 3\n'})).json()).toMatchObject({first: 3, last: 3})
    // The follower kept its connection: the job's reader waited for Redis and goes on.
    await follower.closed
    expect(seqs(follower.events())).toEqual([1, 2, 3])
    expect(follower.events().at(-1)?.event).toBe('end')
    expect((await raw(`${t.url}/v1/jobs/down-1`)).json()).toMatchObject({status: 'succeeded', lines: 3})
  })

  it('a remote follow (Jobs.follow, the one retry owner) that starts while the store is down retries its 503s and goes on after recovery', async () => {
    await redis.stop()
    const remote = new Jobs({live: new RelayStore(t.url)})
    const seen: string[] = []
    let ended = false
    const following = (async () => {
      for await (const event of remote.follow('down-2', {after: 0})) {
        if (event.type === 'entries') seen.push(...event.entries.map((e) => e.line))
        if (event.type === 'end') ended = true
      }
    })()
    await new Promise((r) => setTimeout(r, 1500))
    expect((await raw(`${t.url}/v1/jobs/down-2/logs/stream`)).status).toBe(503)
    await redis.start()
    await waitUntil(async () => (await raw(`${t.url}/healthz`)).status === 200, {timeout: 20_000, what: 'healthz back to 200'})
    expect((await raw(`${t.url}/v1/jobs/down-2/logs?end=1`, {method: 'POST', body: 'x\ny\n'})).status).toBe(200)
    await following
    expect(seen).toEqual(['x', 'y'])
    expect(ended).toBe(true)
  })
})
