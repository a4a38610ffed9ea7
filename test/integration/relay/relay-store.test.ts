/** RelayStore beyond the contract: ranges, a cut answer resumed, following across a relay restart, bounded queue, errors. */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {RelayStore} from '../../../src/lib/store/relay/relay-store.js'
import {Jobs} from '../../../src/lib/store/jobs.js'
import {FileStore} from '../../../src/lib/store/file/file-store.js'
import type {NewEntry} from '../../../src/lib/entry.js'
import type {Section} from '../../../src/lib/job.js'
import {untilWatched} from '../../helpers/follower-waiting.js'
import {readAll} from '../../helpers/live-store-contract.js'
import {startTestRelay, type TestRelay} from '../../helpers/relay.js'
import {startFaultProxy} from '../../helpers/fault-proxy.js'
import {waitUntil} from '../../helpers/wait.js'

const lines = (from: number, count: number, ts = Date.now()): NewEntry[] => Array.from({length: count}, (_, i) => ({ts, bytes: Buffer.from(`line ${from + i}`), eol: true}))
const range = (from: number, to: number) => Array.from({length: to - from + 1}, (_, i) => from + i)

let store: FileStore
let t: TestRelay
beforeAll(async () => {
  store = await new FileStore(mkdtempSync(join(tmpdir(), 'logs-relay-client-'))).init()
  t = await startTestRelay({store, limits: {maxPageSize: 7, pageSize: 7, readerLingerMs: 20}, keepStore: true})
})
afterAll(async () => {
  await t.stop()
  await store.close()
})

describe('RelayStore', () => {
  it('reads ranges: all, tail, limit, after', async () => {
    await store.startJob('page-1')
    await store.append('page-1', lines(1, 30))
    const remote = new RelayStore(t.url)
    const seqs = async (r: Parameters<RelayStore['read']>[1]) => (await readAll(remote.read('page-1', r))).map((e) => e.seq)
    expect(await seqs({})).toEqual(range(1, 30))
    expect(await seqs({tail: 20})).toEqual(range(11, 30))
    expect(await seqs({after: 3, limit: 10})).toEqual(range(4, 13))
    expect(await seqs({after: 25, tail: 2})).toEqual([29, 30])
  })

  it('a job deleted while a cut answer is resumed fails the read as deleted while being read, not as a job that does not exist', async () => {
    await store.startJob('deleted-1')
    await store.append('deleted-1', lines(1, 30))
    const proxy = await startFaultProxy(t.url)
    try {
      proxy.inject({kind: 'cut', afterBytes: 200}, {count: 1})
      const remote = new RelayStore(proxy.url)
      const seqs: number[] = []
      const reading = (async () => {
        for await (const entry of remote.read('deleted-1')) {
          seqs.push(entry.seq)
          if (seqs.length === 1) await store.deleteJob('deleted-1')
        }
      })()
      await expect(reading).rejects.toThrow(/job deleted-1 was deleted from http:\/\/.* while it was being read/)
      expect(proxy.faults.served).toBe(1)
      expect(seqs.length).toBeGreaterThan(0)
      expect(seqs).toEqual(range(1, seqs.length))
    } finally {
      await proxy.stop()
    }
  })

  it('follow: meta and end events carry the sections, fetched when the status event counts new or closed ones', async () => {
    await store.startJob('sections-1')
    await store.append('sections-1', lines(1, 3))
    const section = (name: string, firstSeq: number, end?: number): Section => ({
      name,
      title: name,
      family: 'github',
      depth: 0,
      firstSeq,
      lastSeq: firstSeq,
      start: 1,
      end,
      lines: 1,
      levels: {},
    })
    const remote = new RelayStore(t.url)
    const metas: (Section[] | undefined)[] = []
    const following = (async () => {
      for await (const event of remote.follow('sections-1', {after: 0})) if (event.type !== 'entries') metas.push(event.meta.sections)
    })()
    // The relay's first status event (on connecting) says what the job is now: no sections yet.
    await waitUntil(() => metas.length >= 1, {what: 'the first status event'})
    // The relay's reader of the job (in this process) is inside its wait: later changes are news to it.
    await untilWatched(join(store.root, 'jobs', 'sections-1'))
    await store.updateJob('sections-1', {sections: [section('build', 1)]})
    await waitUntil(() => metas.length >= 2, {what: 'a meta event'})
    await store.updateJob('sections-1', {sections: [section('build', 1, 2), section('test', 2)]})
    await waitUntil(() => metas.length >= 3, {what: 'a second meta event'})
    await store.endJob('sections-1', {status: 'succeeded', exitCode: 0})
    await following
    expect(metas.map((sections) => sections?.map((s) => [s.name, s.end]))).toEqual([
      undefined,
      [['build', undefined]],
      [
        ['build', 2],
        ['test', undefined],
      ],
      [
        ['build', 2],
        ['test', undefined],
      ],
    ])
  })

  it('follows across a relay restart through Jobs.follow, the one retry owner: resumed with no gap or duplicate', async () => {
    // Through a gateway that keeps its port: the port a relay frees may be taken by another test's server before a restart.
    const gateway = await startFaultProxy(t.url)
    await store.startJob('restart-1')
    await store.append('restart-1', lines(1, 10))
    const remote = new Jobs({live: new RelayStore(gateway.url)})
    const seen: number[] = []
    let ended = false
    const following = (async () => {
      for await (const event of remote.follow('restart-1', {after: 0})) {
        if (event.type === 'entries') seen.push(...event.entries.map((e) => e.seq))
        if (event.type === 'end') ended = true
      }
    })()
    try {
      await waitUntil(() => seen.length === 10)
      gateway.inject({kind: 'status', status: 502})
      await t.relay.close() // graceful: followers are closed without `end`
      await store.append('restart-1', lines(11, 10))
      t = await startTestRelay({store, limits: {maxPageSize: 7, pageSize: 7, readerLingerMs: 20}, keepStore: true})
      gateway.retarget(t.url)
      gateway.clear()
      await store.append('restart-1', lines(21, 10))
      await store.endJob('restart-1', {status: 'ended'})
      await following
    } finally {
      await gateway.stop()
    }
    expect(seen).toEqual(range(1, 30))
    expect(ended).toBe(true)
  })

  it('keeps memory bounded for a slow consumer: pauses the stream and resumes it from the last seq', async () => {
    await store.startJob('queue-1')
    const remote = new RelayStore(t.url, undefined, {maxQueued: 50})
    const seen: number[] = []
    const following = (async () => {
      for await (const event of remote.follow('queue-1', {after: 0})) {
        if (event.type === 'entries') {
          seen.push(...event.entries.map((e) => e.seq))
          await new Promise((r) => setTimeout(r, 5))
        }
      }
    })()
    for (let i = 0; i < 20; i++) await store.append('queue-1', lines(1 + i * 40, 40))
    await store.endJob('queue-1', {status: 'ended'})
    await following
    expect(seen).toEqual(range(1, 800))
  })

  it('reports an unreachable relay, a refused token and a missing job with typed errors', async () => {
    const down = new RelayStore('http://127.0.0.1:9')
    await expect(down.getJob('x')).rejects.toMatchObject({name: 'StoreUnavailableError', exitCode: 1})
    await expect(
      readAll(
        (async function* () {
          for await (const event of down.follow('x', {after: 0})) if (event.type === 'entries') yield* event.entries
        })(),
      ),
    ).rejects.toMatchObject({name: 'StoreUnavailableError'})

    const guarded = await startTestRelay({token: 'right'})
    try {
      const wrong = new RelayStore(guarded.url, 'wrong')
      await expect(wrong.listJobs()).rejects.toMatchObject({name: 'RelayAuthError', exitCode: 2})
      await expect(
        readAll(
          (async function* () {
            for await (const event of wrong.follow('x', {after: 0})) if (event.type === 'entries') yield* event.entries
          })(),
        ),
      ).rejects.toThrow(/refused the request \(401\)/)
      const right = new RelayStore(guarded.url, 'right')
      await expect(readAll(right.read('missing-1'))).rejects.toMatchObject({name: 'JobNotFoundError'})
      expect(await right.getJob('missing-1')).toBeUndefined()
    } finally {
      await guarded.stop()
    }
  })
})
