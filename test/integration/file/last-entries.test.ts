/**
 * The one last-N reader (query/last-entries.ts) on a real file store: a job whose errors
 * are far apart, so the last N that pass a filter lie several backward pages apart.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {LogEntry} from '../../../src/lib/entry.js'
import {lastEntries, type LastRange} from '../../../src/lib/query/last-entries.js'
import {FileStore} from '../../../src/lib/store/file/file-store.js'
import {Jobs} from '../../../src/lib/store/jobs.js'
import {collect} from '../../helpers/iterables.js'

const LINES = 30_000
/** Every 5000th line is an error: seqs 5000, 10000, … 30000. */
const isError = (entry: LogEntry) => entry.level === 'error'
let dir: string
let jobs: Jobs

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logs-last-entries-'))
  const store = await new FileStore(dir).init()
  jobs = new Jobs({live: store})
  await store.startJob('big')
  for (let start = 1; start <= LINES; start += 5000) {
    await store.append(
      'big',
      Array.from({length: 5000}, (_, i) => {
        const seq = start + i
        return {ts: 1_000_000 + seq, bytes: Buffer.from(`line ${seq}`), eol: true, level: seq % 5000 === 0 ? ('error' as const) : ('info' as const)}
      }),
    )
  }
})
afterAll(async () => {
  await jobs?.close()
  rmSync(dir, {recursive: true, force: true})
})

async function last(count: number, range: LastRange = {}, filter?: (entry: LogEntry) => boolean): Promise<{seqs: number[]; cursor: number; batches: number}> {
  const cursor = {last: 0}
  const batches = await collect(lastEntries(jobs, 'big', count, range, filter, cursor))
  return {seqs: batches.flat().map((e) => e.seq), cursor: cursor.last, batches: batches.length}
}

describe('lastEntries', () => {
  it('without a filter: the store’s tail, in batches, and the newest seq as the cursor', async () => {
    expect(await last(3)).toEqual({seqs: [29_998, 29_999, 30_000], cursor: LINES, batches: 1})
    const many = await last(2500)
    expect(many.seqs).toEqual(Array.from({length: 2500}, (_, i) => LINES - 2500 + 1 + i))
    // In the store's batches (a step of the read each), not an entry at a time.
    expect(many.batches).toBeGreaterThanOrEqual(1)
    expect(many.batches).toBeLessThanOrEqual(3)
  })

  it('with a filter: the last N that pass, found across backward pages, oldest first', async () => {
    expect(await last(3, {}, isError)).toMatchObject({seqs: [20_000, 25_000, 30_000], cursor: LINES})
    // Fewer pass than asked for: all of them, after reading back to the start.
    expect((await last(100, {}, isError)).seqs).toEqual([5000, 10_000, 15_000, 20_000, 25_000, 30_000])
  })

  it('keeps to the range: after, before, since and until bound the pages', async () => {
    expect((await last(10, {after: 12_000}, isError)).seqs).toEqual([15_000, 20_000, 25_000, 30_000])
    expect(await last(2, {before: 25_000}, isError)).toMatchObject({seqs: [15_000, 20_000], cursor: 24_999})
    expect((await last(10, {since: 1_000_000 + 20_000}, isError)).seqs).toEqual([20_000, 25_000, 30_000])
    expect(await last(1, {until: 1_000_000 + 20_000}, isError)).toMatchObject({seqs: [15_000], cursor: 19_999})
  })

  it('passes the store hints on and still finds entries before a short page', async () => {
    expect((await last(4, {levels: ['error']}, isError)).seqs).toEqual([15_000, 20_000, 25_000, 30_000])
    // None asked for: none read back, but the cursor is the newest entry (`get -n 0 -f` follows from there).
    expect(await last(0, {}, isError)).toEqual({seqs: [], cursor: LINES, batches: 0})
  })
})
