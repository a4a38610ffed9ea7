/**
 * A Redis follower blocks in XREAD and is woken by what is added to the job's stream:
 * lines, the end marker, and the marker updateJob adds when metadata changes. The
 * followers here block for 10 minutes between metadata reads, so only a wake can
 * deliver a `meta` event before waitUntil gives up.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {FollowEvent} from '../../../src/lib/store/types.js'
import {RedisStore} from '../../../src/lib/store/redis/redis-store.js'
import {parseRedisUrl} from '../../../src/lib/store/redis/url.js'
import {redisSandbox} from '../../helpers/redis-sandbox.js'
import {readAll} from '../../helpers/live-store-contract.js'
import {waitUntil} from '../../helpers/wait.js'
import {lines} from './store-cases.js'

const server = redisSandbox()
let store: RedisStore
const NEVER_MS = 600_000

beforeAll(() => {
  store = new RedisStore(parseRedisUrl(new URL(`${server.url}?prefix=wake:`), 'test'), {moveCheckMs: NEVER_MS})
})
afterAll(async () => {
  await store?.close()
})

function follow(id: string, after = 0): {events: FollowEvent[]; done: Promise<void>; abort: () => void} {
  const events: FollowEvent[] = []
  const controller = new AbortController()
  const done = (async () => {
    for await (const event of store.follow(id, {after, signal: controller.signal})) events.push(event)
  })()
  return {events, done, abort: () => controller.abort()}
}

/** Calls of a command Redis has served so far (INFO commandstats). */
async function calls(command: string): Promise<number> {
  const stats = await server.cli('INFO', 'commandstats')
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0)
}

const blockedInXread = async () => /flags=b .*cmd=xread/.test(await server.cli('CLIENT', 'LIST'))

const metas = (events: FollowEvent[]) => events.flatMap((e) => (e.type === 'meta' ? [e.meta] : []))
const seqs = (events: FollowEvent[]) => events.flatMap((e) => (e.type === 'entries' ? e.entries.map((entry) => entry.seq) : []))

describe('redis follower woken by metadata changes', () => {
  // First: no other follower is blocked yet, so the one blocked client is this one.
  it('a follower waiting for a job that does not exist yet wakes with its first lines', async () => {
    const follower = follow('later')
    // It has looked for the job, found none and blocks: a client blocked in XREAD.
    await waitUntil(blockedInXread, {what: 'a follower blocked in XREAD'})
    await store.startJob('later')
    await store.updateJob('later', {phase: 'boot'})
    await waitUntil(() => metas(follower.events).some((m) => m.phase === 'boot'), {what: 'the phase of the new job'})
    await store.append('later', lines(2))
    await store.endJob('later', {status: 'ended'})
    await follower.done
    expect(seqs(follower.events)).toEqual([1, 2])
  })

  it('a blocked follower gets phase and progress as they change, and the end', async () => {
    await store.startJob('phases')
    await store.append('phases', lines(3))
    const follower = follow('phases')
    await waitUntil(() => seqs(follower.events).length === 3, {what: 'the history'})
    await store.updateJob('phases', {phase: 'migrate', progress: 60})
    const changed = await waitUntil(() => metas(follower.events).find((m) => m.phase === 'migrate'), {what: 'a meta event woken by the change'})
    expect(changed).toMatchObject({status: 'running', phase: 'migrate', progress: 60, lines: 3})
    await store.append('phases', lines(2, 4))
    await waitUntil(() => seqs(follower.events).length === 5, {what: 'the lines after the marker'})
    await store.endJob('phases', {status: 'succeeded', exitCode: 0})
    await follower.done
    expect(seqs(follower.events)).toEqual([1, 2, 3, 4, 5])
    expect(metas(follower.events).map((m) => m.phase)).toEqual(['migrate'])
    expect(follower.events.at(-1)).toMatchObject({type: 'end', meta: {status: 'succeeded', phase: 'migrate', lines: 5}})
  })

  it('a blocked follower takes each append from the reply of the XREAD that waited for it: one round trip per batch', async () => {
    await store.startJob('trips')
    const follower = follow('trips')
    await waitUntil(blockedInXread, {what: 'the follower blocked in XREAD'})
    const [xreads, hgetalls] = [await calls('xread'), await calls('hgetall')]
    for (let batch = 1; batch <= 5; batch++) {
      await store.append('trips', lines(3, batch * 3 - 2))
      await waitUntil(() => seqs(follower.events).length === batch * 3, {what: `batch ${batch} delivered`})
      await waitUntil(blockedInXread, {what: `the follower blocked again after batch ${batch}`})
    }
    // From blocked to blocked again five times: five XREADs, whether Redis counts a blocked one when it is sent or when it is served.
    expect((await calls('xread')) - xreads).toBe(5)
    expect((await calls('hgetall')) - hgetalls).toBe(0)
    follower.abort()
    await follower.done
    expect(seqs(follower.events)).toEqual(Array.from({length: 15}, (_, i) => i + 1))
  })

  it('keeps one metadata marker in the stream however often metadata changes, and sequence numbers gapless', async () => {
    await store.startJob('markers')
    for (let i = 1; i <= 20; i++) {
      await store.append('markers', lines(1, i))
      await store.updateJob('markers', {progress: i * 5})
    }
    const ids = (await server.cli('XRANGE', 'wake:{markers}:log', '-', '+')).split('\n').filter((line) => /^\d+-\d+$/.test(line))
    expect(ids.filter((id) => !id.endsWith('-0'))).toEqual(['20-1'])
    expect(ids.filter((id) => id.endsWith('-0'))).toHaveLength(20)
    expect((await readAll(store.read('markers'))).map((e) => e.seq)).toEqual(Array.from({length: 20}, (_, i) => i + 1))
    // A follower resuming between two markers' positions sees neither a gap nor a duplicate.
    const follower = follow('markers', 7)
    await waitUntil(() => seqs(follower.events).length === 13, {what: 'the rest of the lines'})
    await store.updateJob('markers', {phase: 'done'})
    await waitUntil(() => metas(follower.events).some((m) => m.phase === 'done'), {what: 'the phase'})
    follower.abort()
    await follower.done
    expect(seqs(follower.events)).toEqual(Array.from({length: 13}, (_, i) => i + 8))
  })
})
