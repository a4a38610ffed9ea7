/**
 * The Jobs facade while `archive` moves a job: a reader or follower that is inside the
 * live store when the live copy goes continues from the archive right after the last
 * sequence number it got — no gap, no duplicate — with the file store and Redis.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {archiveJobs} from '../../../src/lib/archive/archive-jobs.js'
import type {NewEntry} from '../../../src/lib/entry.js'
import {JobNotFoundError} from '../../../src/lib/errors/index.js'
import {buildFilter, lineMatcher} from '../../../src/lib/query/filter.js'
import {rawOutput} from '../../../src/lib/query/get-raw.js'
import {Jobs} from '../../../src/lib/store/jobs.js'
import {openArchive, openLiveStore} from '../../../src/lib/open/open-store.js'
import type {FollowEvent, LiveStore} from '../../../src/lib/store/types.js'
import {redisSandbox} from '../../helpers/redis-sandbox.js'

const dir = mkdtempSync(join(tmpdir(), 'logs-across-move-'))
const redis = redisSandbox()
afterAll(() => {
  rmSync(dir, {recursive: true, force: true})
})

const range = (from: number, to: number): number[] => Array.from({length: to - from + 1}, (_, i) => from + i)
const lines = (count: number, from = 1): NewEntry[] => Array.from({length: count}, (_, i) => ({ts: Date.now(), bytes: Buffer.from(`line ${from + i}`), eol: true}))

async function endedJob(live: LiveStore, id: string, count: number): Promise<void> {
  await live.startJob(id)
  for (let at = 0; at < count; at += 1000) await live.append(id, lines(Math.min(1000, count - at), at + 1))
  await live.endJob(id, {status: 'succeeded', exitCode: 0})
}

describe.each([
  ['file', () => `file://${dir}/live`],
  ['redis', () => `${redis.url}?prefix=move:`],
])('Jobs across a move (%s live store → file archive)', (_name, liveUrl) => {
  const open = async (): Promise<Jobs> =>
    new Jobs({live: await openLiveStore({value: liveUrl(), from: 'test'}), archive: await openArchive({value: `file://${dir}/archive-${_name}`, from: 'test'})})

  it('a follower part-way through an ended job finishes from the archive: every seq once, then end', async () => {
    const jobs = await open()
    await endedJob(jobs.live, 'follow-mid', 6000)
    const seen: number[] = []
    let end: FollowEvent | undefined
    let archived = false
    for await (const event of jobs.follow('follow-mid', {after: 0})) {
      if (event.type === 'entries') seen.push(...event.entries.map((e) => e.seq))
      if (event.type === 'end') end = event
      if (!archived && seen.length > 0) {
        archived = true
        const summary = await archiveJobs({live: jobs.live, archive: jobs.archive!, jobIds: ['follow-mid']})
        expect(summary.archived).toBe(1)
        expect(await jobs.live.getJob('follow-mid')).toBeUndefined()
      }
    }
    expect(seen).toEqual(range(1, 6000))
    expect(end).toMatchObject({type: 'end', meta: {id: 'follow-mid', status: 'succeeded', lines: 6000}})
    await jobs.close()
  })

  it('a follower of a running job that ends and is archived at once sees every line once', async () => {
    const jobs = await open()
    await jobs.live.startJob('follow-run')
    const seen: number[] = []
    const following = (async () => {
      for await (const event of jobs.follow('follow-run', {after: 0})) if (event.type === 'entries') seen.push(...event.entries.map((e) => e.seq))
    })()
    await jobs.live.append('follow-run', lines(500))
    await jobs.live.append('follow-run', lines(500, 501))
    await jobs.live.endJob('follow-run', {status: 'ended'})
    await archiveJobs({live: jobs.live, archive: jobs.archive!, jobIds: ['follow-run']})
    await following
    expect(seen).toEqual(range(1, 1000))
    await jobs.close()
  })

  it('a read interrupted by the move continues after its last seq, for plain, --after, -n and --head reads', async () => {
    const jobs = await open()
    await endedJob(jobs.live, 'read-mid', 5000)
    const cases = [{}, {after: 1200}, {tail: 3000}, {limit: 2500}] as const
    const iterators = cases.map((r) => jobs.read('read-mid', r)[Symbol.asyncIterator]())
    const firsts = await Promise.all(iterators.map((it) => it.next()))
    await archiveJobs({live: jobs.live, archive: jobs.archive!, jobIds: ['read-mid']})
    const expected = [range(1, 5000), range(1201, 5000), range(2001, 5000), range(1, 2500)]
    for (const [i, it] of iterators.entries()) {
      const seqs = [firsts[i].value!.seq]
      for (let next = await it.next(); !next.done; next = await it.next()) seqs.push(next.value.seq)
      expect(seqs, JSON.stringify(cases[i])).toEqual(expected[i])
    }
    await jobs.close()
  })

  it('get --grep --output raw interrupted by the move continues after its last line, for plain, --after and --head reads', async () => {
    const jobs = await open()
    await endedJob(jobs.live, 'raw-grep-mid', 5000)
    const spec = {grep: ['ne 7']}
    const cases = [{}, {after: 750}, {head: 60}]
    const iterators = cases.map((c) => rawOutput(jobs, {job: 'raw-grep-mid', ...c, filter: buildFilter(spec), lines: lineMatcher(spec)})![Symbol.asyncIterator]())
    const firsts = await Promise.all(iterators.map((it) => it.next()))
    await archiveJobs({live: jobs.live, archive: jobs.archive!, jobIds: ['raw-grep-mid']})
    const wanted = range(1, 5000).filter((n) => String(n).startsWith('7'))
    const expected = [wanted, wanted.filter((n) => n > 750), wanted.slice(0, 60)]
    for (const [i, it] of iterators.entries()) {
      const chunks = [firsts[i].value!]
      for (let next = await it.next(); !next.done; next = await it.next()) chunks.push(next.value)
      expect(Buffer.concat(chunks).toString(), JSON.stringify(cases[i])).toBe(expected[i].map((n) => `line ${n}\n`).join(''))
    }
    await jobs.close()
  })

  it('get --after SEQ, -n and follow after SEQ read an archived job like a live one', async () => {
    const jobs = await open()
    await endedJob(jobs.live, 'after-move', 300)
    const before: number[] = []
    for await (const e of jobs.read('after-move', {after: 290})) before.push(e.seq)
    await archiveJobs({live: jobs.live, archive: jobs.archive!, jobIds: ['after-move']})
    const after: number[] = []
    for await (const e of jobs.read('after-move', {after: 290})) after.push(e.seq)
    expect(after).toEqual(before)
    const tail: number[] = []
    for await (const e of jobs.read('after-move', {tail: 2})) tail.push(e.seq)
    expect(tail).toEqual([299, 300])
    const events: string[] = []
    for await (const event of jobs.follow('after-move', {after: 298})) events.push(event.type === 'entries' ? event.entries.map((e) => e.seq).join(',') : event.type)
    expect(events).toEqual(['299,300', 'end'])
    expect((await jobs.getJob('after-move'))?.location.kind).toBe('archived')
    expect((await jobs.listJobs({prefix: 'after-'})).map((j) => j.id)).toEqual(['after-move'])
    await jobs.close()
  })

  it('a job in neither store is not found, for read and for a follow that does not wait', async () => {
    const jobs = await open()
    await expect(jobs.read('nowhere')[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(JobNotFoundError)
    await expect(jobs.follow('nowhere', {after: 0, waitForJob: false})[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(JobNotFoundError)
    await jobs.close()
  })
})
