/**
 * The relay under faults (issue 18, items 8, 10, 11), with a real redis-server that the
 * test stops: /healthz tells an anonymous caller only "store unavailable"; a long
 * catch-up to a slow client leaves no listener behind; /metrics shows what an operator
 * needs, behind the read token, store retries included.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ObjectLiveStore} from '../../../src/lib/archive/object-live-store.js'
import {newEntry} from '../../../src/lib/entry.js'
import {SupabaseBucket, openSupabaseClient} from '../../../src/lib/store/object/supabase-bucket.js'
import {openRedisStore} from '../../../src/lib/store/redis/redis-store.js'
import {redisSandbox} from '../../helpers/redis-sandbox.js'
import {openRawStream, raw, startTestRelay, type TestRelay} from '../../helpers/relay.js'
import {startSupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {waitUntil} from '../../helpers/wait.js'

const WRITE = 'write-token-for-faults'
const READ = 'read-token-for-faults'
const asWriter = {Authorization: `Bearer ${WRITE}`}
const asReader = {Authorization: `Bearer ${READ}`}

const redis = redisSandbox()
let t: TestRelay
beforeAll(async () => {
  const store = await openRedisStore(new URL(redis.url), {from: 'test', what: 'live store', env: {}})
  t = await startTestRelay({store, token: WRITE, readToken: READ, limits: {readerLingerMs: 20}})
})
afterAll(async () => {
  await t?.stop()
})

describe('/healthz with the store down', () => {
  it('says only "store unavailable" to anonymous and read-token callers; details to the write token and the log', async () => {
    expect((await raw(`${t.url}/healthz`)).status).toBe(200)
    await redis.stop()
    try {
      for (const headers of [{}, asReader]) {
        const answer = await raw(`${t.url}/healthz`, {headers})
        expect(answer.status).toBe(503)
        expect(answer.json()).toEqual({error: 'store unavailable'})
        expect(answer.body).not.toContain(String(redis.port))
        expect(answer.body).not.toMatch(/127\.0\.0\.1|localhost|redis:/)
      }
      const detailed = await raw(`${t.url}/healthz`, {headers: asWriter})
      expect(detailed.status).toBe(503)
      expect(detailed.json().error).toContain(String(redis.port))
      expect(t.logged.some((line) => line.startsWith('healthz:') && line.includes(String(redis.port)))).toBe(true)
    } finally {
      await redis.start()
    }
    await waitUntil(async () => (await raw(`${t.url}/healthz`)).status === 200, {timeout: 20_000, what: 'healthz back to 200'})
  })
})

describe('listeners', () => {
  it('a slow client catching up on a long history leaves no listener behind (no MaxListenersExceededWarning)', async () => {
    const warnings: string[] = []
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`)
    process.on('warning', onWarning)
    try {
      const body = Array.from({length: 20_000}, (_, i) => `line ${i + 1} ${'x'.repeat(100)}`).join('\n') + '\n'
      expect((await raw(`${t.url}/v1/jobs/long-history/logs?end=1&exit-code=0`, {method: 'POST', body, headers: asWriter})).status).toBe(200)
      const slow = openRawStream(`${t.url}/v1/jobs/long-history/logs/stream`, asReader, {paused: true})
      expect(await slow.status).toBe(200)
      // Let the relay hit backpressure, then read: every catch-up write that waits adds and removes its listeners.
      await waitUntil(() => slow.text().length === 0 && t.relay.clients === 1)
      slow.resume()
      await slow.closed
      expect(slow.events().filter((e) => e.event === 'log')).toHaveLength(20_000)
      const download = await raw(`${t.url}/v1/jobs/long-history/logs/download`, {headers: asReader})
      expect(download.body.split('\n')).toHaveLength(20_001)
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([])
  })
})

describe('/metrics', () => {
  it('needs a read token', async () => {
    expect((await raw(`${t.url}/metrics`)).status).toBe(401)
    expect((await raw(`${t.url}/metrics`, {headers: {Authorization: 'Bearer nope'}})).status).toBe(401)
  })

  it('shows open streams, followers per job, lines in and out, drops, store errors and event-loop lag', async () => {
    expect((await raw(`${t.url}/v1/jobs/metered/logs?start=1`, {method: 'POST', body: 'a\nb\nc\n', headers: asWriter})).status).toBe(200)
    const followers = [1, 2].map(() => openRawStream(`${t.url}/v1/jobs/metered/logs/stream`, asReader))
    await waitUntil(() => followers.every((f) => f.events().filter((e) => e.event === 'log').length === 3))
    const answer = await raw(`${t.url}/metrics`, {headers: asReader})
    expect(answer.status).toBe(200)
    expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    const value = (name: string) => {
      const line = answer.body.split('\n').find((l) => l.startsWith(`${name} `))
      return line === undefined ? undefined : Number(line.slice(name.length + 1))
    }
    expect(value('logs_relay_clients')).toBe(2)
    expect(value('logs_relay_job_followers{job="metered"}')).toBe(2)
    expect(value('logs_relay_job_readers')).toBeGreaterThanOrEqual(1)
    expect(value('logs_relay_lines_in_total')).toBeGreaterThanOrEqual(3)
    expect(value('logs_relay_lines_out_total')).toBeGreaterThanOrEqual(6)
    expect(value('logs_relay_drops_total{reason="slow"}')).toBe(0)
    expect(value('logs_relay_store_errors_total')).toBeGreaterThanOrEqual(1) // the outage above
    expect(value('nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(0)
    expect(answer.body).toContain('# TYPE logs_relay_store_errors_total counter')
    for (const f of followers) f.close()
    await Promise.all(followers.map((f) => f.closed))
  })
})

describe('/metrics of a relay in front of an object store', () => {
  it('counts the requests retried after a transient failure (502s from the Supabase stand-in)', async () => {
    const supabase = await startSupabaseStandin()
    const store = () =>
      new ObjectLiveStore({
        bucket: new SupabaseBucket(openSupabaseClient(new URL('supabase://live/metrics'), {from: 'test', what: 'live store', env: supabase.env(), createsBucket: true})),
      })
    const relay = await startTestRelay({store: store(), token: WRITE, readToken: READ})
    try {
      const writer = store()
      await writer.startJob('flaky')
      await writer.append('flaky', [newEntry(Buffer.from('one'), true, Date.now())])
      await writer.endJob('flaky', {status: 'succeeded', exitCode: 0})
      const retriedBefore = metricValue(await raw(`${relay.url}/metrics`, {headers: asReader}), 'logs_relay_store_retries_total')
      supabase.inject({kind: 'status', status: 502}, {count: 3, match: (method, path) => method === 'GET' && path.includes('/object/live/metrics/')})
      const page = await raw(`${relay.url}/v1/jobs/flaky/logs`, {headers: asReader})
      expect(page.status).toBe(200)
      expect(page.json().entries.map((e: {line: string}) => e.line)).toEqual(['one'])
      const retried = metricValue(await raw(`${relay.url}/metrics`, {headers: asReader}), 'logs_relay_store_retries_total')
      expect(retried! - retriedBefore!).toBeGreaterThanOrEqual(3)
    } finally {
      await relay.stop()
      await supabase.stop()
    }
  })
})

function metricValue(answer: {body: string}, name: string): number | undefined {
  const line = answer.body.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? undefined : Number(line.slice(name.length + 1))
}
