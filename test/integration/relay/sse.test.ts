/**
 * SSE streams through a real relay and file store: the eventsource package, raw http and
 * `curl -N` as clients; resume without gap or duplicate; tail and filters; waiting for a
 * job; one store reader for many followers; a slow follower dropped alone; no leaks.
 */
import {execFile} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {promisify} from 'node:util'
import {EventSource} from 'eventsource'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {NewEntry} from '../../../src/lib/entry.js'
import type {LiveStore} from '../../../src/lib/store/types.js'
import {FileStore} from '../../../src/lib/store/file/file-store.js'
import {openRawStream, raw, startTestRelay, type TestRelay} from '../../helpers/relay.js'
import {waitUntil} from '../../helpers/wait.js'
import {untilWatched} from '../../helpers/follower-waiting.js'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const run = promisify(execFile)

/** The real file store, counting follow() calls: how many readers the relay opened. */
class CountingStore extends FileStore {
  follows = 0
  override follow(...args: Parameters<LiveStore['follow']>) {
    this.follows++
    return super.follow(...args)
  }
}

const lines = (from: number, count: number, width = 0): NewEntry[] =>
  Array.from({length: count}, (_, i) => ({
    ts: Date.now(),
    bytes: Buffer.from(`line ${from + i}${width ? ` ${'x'.repeat(width)}` : ''}`),
    eol: true,
    level: (from + i) % 5 === 0 ? 'error' : 'info',
  }))

const seqsOf = (events: {event: string; id?: string}[]) => events.filter((e) => e.event === 'log').map((e) => Number(e.id))
const range = (from: number, to: number) => Array.from({length: to - from + 1}, (_, i) => from + i)

let t: TestRelay
let store: CountingStore
beforeAll(async () => {
  store = await new CountingStore(mkdtempSync(join(tmpdir(), 'logs-relay-sse-'))).init()
  t = await startTestRelay({store, limits: {readerLingerMs: 20, pingMs: 200, subscriberBufferBytes: 256 * 1024}})
})
afterAll(async () => {
  await t.stop()
})

describe('SSE', () => {
  it('streams log, status and end events to an EventSource, with id = seq', async () => {
    await store.startJob('es-1')
    await store.append('es-1', lines(1, 3))
    const es = new EventSource(`${t.url}/v1/jobs/es-1/logs/stream`)
    const got: Array<{type: string; id: string; data: any}> = []
    const ended = new Promise<void>((resolve) => {
      for (const type of ['log', 'status']) es.addEventListener(type, (e) => got.push({type, id: e.lastEventId, data: JSON.parse(e.data)}))
      es.addEventListener('end', (e) => {
        got.push({type: 'end', id: e.lastEventId, data: JSON.parse(e.data)})
        es.close()
        resolve()
      })
    })
    await waitUntil(() => got.filter((g) => g.type === 'log').length === 3)
    await store.append('es-1', lines(4, 2))
    await store.endJob('es-1', {status: 'succeeded', exitCode: 0})
    await ended
    const logs = got.filter((g) => g.type === 'log')
    expect(logs.map((g) => g.id)).toEqual(['1', '2', '3', '4', '5'])
    expect(logs[4].data).toMatchObject({seq: 5, line: 'line 5', level: 'error', stream: null})
    expect(got[0]).toMatchObject({type: 'status', data: {id: 'es-1', status: 'running'}})
    expect(got.at(-1)).toMatchObject({type: 'end', data: {status: 'succeeded', exitCode: 0, lines: 5}})
  })

  it("opens every stream with the job's current status, also when its reader is already running", async () => {
    await store.startJob('status-1')
    await store.append('status-1', lines(1, 3))
    const first = openRawStream(`${t.url}/v1/jobs/status-1/logs/stream`)
    await waitUntil(() => seqsOf(first.events()).length === 3)
    await store.append('status-1', lines(4, 5))
    const second = openRawStream(`${t.url}/v1/jobs/status-1/logs/stream?after=8`)
    await waitUntil(() => second.events().length > 0)
    expect(JSON.parse(second.events()[0].data)).toMatchObject({id: 'status-1', status: 'running', lines: 8})
    first.close()
    second.close()
  })

  it('works with curl -N: headers, retry hint, pings', async () => {
    await store.startJob('curl-1')
    await store.append('curl-1', lines(1, 2))
    const curl = run('curl', ['-sN', '-D', '-', '--max-time', '2', `${t.url}/v1/jobs/curl-1/logs/stream`]).catch((error: {stdout: string}) => error)
    setTimeout(() => void store.append('curl-1', lines(3, 1)), 500)
    const {stdout} = await curl
    expect(stdout).toMatch(/^HTTP\/1\.1 200/)
    expect(stdout).toMatch(/^content-type: text\/event-stream/im)
    expect(stdout).toMatch(/^cache-control: no-cache/im)
    expect(stdout).toMatch(/^x-accel-buffering: no/im)
    expect(stdout).not.toMatch(/^content-encoding/im)
    expect(stdout).toMatch(/^retry: \d+$/m)
    expect(stdout).toMatch(/^: ping$/m)
    expect(stdout).toMatch(/id: 3\nevent: log\ndata: \{"seq":3,/)
  })

  it('resumes after a dropped connection with Last-Event-ID: no gap, no duplicate', async () => {
    await store.startJob('resume-1')
    const first = openRawStream(`${t.url}/v1/jobs/resume-1/logs/stream`)
    for (let i = 0; i < 10; i++) await store.append('resume-1', lines(i * 10 + 1, 10))
    await waitUntil(() => seqsOf(first.events()).length >= 30)
    first.close() // mid-stream: more is being appended
    const writer = (async () => {
      for (let i = 10; i < 30; i++) await store.append('resume-1', lines(i * 10 + 1, 10))
      await store.endJob('resume-1', {status: 'ended'})
    })()
    await first.closed
    const seen = seqsOf(first.events())
    const second = openRawStream(`${t.url}/v1/jobs/resume-1/logs/stream?after=1`, {'Last-Event-ID': String(seen.at(-1))})
    await writer
    await second.closed
    expect([...seen, ...seqsOf(second.events())]).toEqual(range(1, 300))
    expect(second.events().at(-1)?.event).toBe('end')
  })

  it('resumes with ?after=, sends tail=N backlog, filters by level and grep', async () => {
    await store.startJob('filter-1')
    await store.append('filter-1', lines(1, 50))
    await store.endJob('filter-1', {status: 'ended'})
    const get = async (query: string) => {
      const stream = openRawStream(`${t.url}/v1/jobs/filter-1/logs/stream?${query}`)
      await stream.closed
      return stream.events()
    }
    expect(seqsOf(await get('after=45'))).toEqual([46, 47, 48, 49, 50])
    expect(seqsOf(await get('tail=3'))).toEqual([48, 49, 50])
    expect(seqsOf(await get('tail=2&level=error'))).toEqual([45, 50])
    expect(seqsOf(await get('level=error&grep=line%202'))).toEqual([20, 25])
    expect((await get('tail=0')).map((e) => e.event)).toEqual(['status', 'end'])
  })

  it('a follower that stops reading while it catches up is waited for, not dropped; the job deleted meanwhile ends its stream with a failed event (410)', async () => {
    await store.startJob('gone-1')
    // Far more than the sockets between relay and client, or the bound on what waits for a slow follower, hold.
    for (let i = 0; i < 40; i++) await store.append('gone-1', lines(i * 1000 + 1, 1000, 1000))
    await store.endJob('gone-1', {status: 'ended'})
    const stream = openRawStream(`${t.url}/v1/jobs/gone-1/logs/stream`)
    await waitUntil(() => seqsOf(stream.events()).length > 0, {what: 'the first lines'})
    stream.pause()
    // Two pings on another stream: the paused one's ping (the same interval) came while it waited.
    await store.startJob('idle-1')
    const idle = openRawStream(`${t.url}/v1/jobs/idle-1/logs/stream`)
    await waitUntil(() => idle.text().split(': ping').length > 2, {what: 'two pings'})
    idle.close()
    await store.deleteJob('gone-1')
    stream.resume()
    await stream.closed
    const got = seqsOf(stream.events())
    expect(got).toEqual(range(1, got.length))
    expect(got.length).toBeLessThan(40_000)
    const last = stream.events().at(-1)!
    expect(last.event).toBe('failed')
    expect(JSON.parse(last.data)).toMatchObject({status: 410, error: expect.stringMatching(/job gone-1 was deleted .* while it was being read/)})
  })

  it('waits for a job that does not exist yet (also with tail=N)', async () => {
    const stream = openRawStream(`${t.url}/v1/jobs/later-1/logs/stream`)
    const tailed = openRawStream(`${t.url}/v1/jobs/later-1/logs/stream?tail=5`)
    expect(await stream.status).toBe(200)
    // The relay's one reader of the job waits on the store's jobs/ directory.
    await untilWatched(join(store.root, 'jobs'))
    await store.startJob('later-1')
    await store.append('later-1', lines(1, 2))
    await store.endJob('later-1', {status: 'ended'})
    await Promise.all([stream.closed, tailed.closed])
    expect(seqsOf(stream.events())).toEqual([1, 2])
    expect(seqsOf(tailed.events())).toEqual([1, 2])
    expect(stream.events().at(-1)?.event).toBe('end')
  })

  it('fans one store reader out to 200 followers, who all get every line', async () => {
    await store.startJob('fan-1')
    await store.append('fan-1', lines(1, 20))
    const before = store.follows
    const followers = Array.from({length: 200}, (_, i) => openRawStream(`${t.url}/v1/jobs/fan-1/logs/stream${i % 2 ? '?after=10' : ''}`))
    await Promise.all(followers.map((f) => f.status))
    await waitUntil(() => t.relay.clients === 200)
    for (let i = 0; i < 20; i++) await store.append('fan-1', lines(21 + i * 25, 25))
    await store.endJob('fan-1', {status: 'succeeded', exitCode: 0})
    await Promise.all(followers.map((f) => f.closed))
    followers.forEach((f, i) => {
      expect(seqsOf(f.events())).toEqual(range(i % 2 ? 11 : 1, 520))
      expect(f.events().at(-1)?.event).toBe('end')
    })
    expect(store.follows - before).toBe(1)
    const metrics = (await raw(`${t.url}/metrics`)).body
    expect(Number(/^logs_relay_lines_out_total (\d+)$/m.exec(metrics)![1])).toBeGreaterThanOrEqual(100 * 520 + 100 * 510)
  })

  it('drops a follower that does not read, while the others keep up', async () => {
    await store.startJob('slow-1')
    const slow = openRawStream(`${t.url}/v1/jobs/slow-1/logs/stream`, {}, {paused: true})
    const fast = Array.from({length: 3}, () => openRawStream(`${t.url}/v1/jobs/slow-1/logs/stream`))
    await Promise.all([slow.status, ...fast.map((f) => f.status)])
    await waitUntil(() => t.relay.clients === 4)
    const drops = t.relay.metrics.drops.get('slow') ?? 0
    // Append until the relay gives up on the paused client: how much the kernel's socket
    // buffers absorb first varies, so the amount is not fixed in advance.
    let total = 0
    const dropped = () => (t.relay.metrics.drops.get('slow') ?? 0) > drops
    while (!dropped() && total < 8000) {
      await store.append('slow-1', lines(total + 1, 10, 4000))
      total += 10
      await new Promise((r) => setTimeout(r, 2))
    }
    expect(dropped()).toBe(true)
    await store.append('slow-1', lines(total + 1, 20))
    total += 20
    await store.endJob('slow-1', {status: 'ended'})
    await Promise.all(fast.map((f) => f.closed))
    for (const f of fast) expect(seqsOf(f.events())).toEqual(range(1, total))
    slow.resume()
    await slow.closed
    // It got a gapless prefix of the log, then the relay hung up on it.
    const got = seqsOf(slow.events())
    expect(got).toEqual(range(1, got.length))
    expect(got.length).toBeLessThan(total)
    expect(t.logged.some((m) => /dropped a follower of slow-1: client too slow/.test(m))).toBe(true)
  })

  it('cleans up after 10 000 connects and disconnects (subscribers, readers, fds)', async () => {
    await store.startJob('churn-1')
    await store.append('churn-1', lines(1, 5))
    const fds = () => readdirSync('/proc/self/fd').length
    const baseline = fds()
    let done = 0
    const worker = async () => {
      while (done < 10_000) {
        const n = ++done
        const stream = openRawStream(`${t.url}/v1/jobs/churn-${n % 3 === 0 ? 2 : 1}/logs/stream`)
        const status = await stream.status
        if (status !== 200) throw new Error(`status ${status}: ${stream.text()} ${t.logged.join('; ')}`)
        if (n % 2 && n % 3 !== 0) await waitUntil(() => stream.events().length > 0, {timeout: 5000, what: `events (got ${JSON.stringify(stream.text())}; ${t.logged.join('; ')})`})
        stream.close()
        await stream.closed
      }
    }
    await Promise.all(Array.from({length: 50}, worker))
    await waitUntil(() => t.relay.clients === 0, {timeout: 10_000, what: 'no followers left'})
    await waitUntil(() => t.relay.hub.readers === 0, {timeout: 10_000, what: 'no readers left'})
    await waitUntil(() => fds() <= baseline + 5, {timeout: 10_000, what: `fds back to ${baseline}`})
  })
})
