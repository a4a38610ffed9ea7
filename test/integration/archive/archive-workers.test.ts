/**
 * `logs archive` of a job big enough for its worker threads (src/lib/archive/worker-pool.ts):
 * the built CLI decodes the stored entries and compresses the blocks on workers, while this
 * process, running from sources, does the same on its main thread — the objects must be the
 * same bytes. A worker that dies fails that job cleanly: its live copy stays, whole.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {NewEntry} from '../../../src/lib/entry.js'
import {openArchive} from '../../../src/lib/open/open-store.js'
import type {ArchiveItem} from '../../../src/lib/store/types.js'
import {isolatedEnv, ROOT, runCli, tempHome} from '../../helpers/cli.js'
import {redisSandbox} from '../../helpers/redis-sandbox.js'
import {chunksImported, compileCacheReads, HAS_COMPILE_CACHE, ownCompileCache} from '../../helpers/worker-bundle.js'
import {expectedRaw, ODD_BYTES, readAllRaw, seedJobs, withLive} from './archive-helpers.js'

let home: {home: string; cleanup: () => void}
const redis = redisSandbox()
beforeAll(() => {
  home = tempHome()
})
afterAll(() => {
  home?.cleanup()
})

const env = (): NodeJS.ProcessEnv => isolatedEnv(home.home)
const dir = (name: string): string => `${home.home}/${name}`

/** About 2.5 MB in 24 000 lines: several stored blocks and object blocks, every kind of line the record encoder escapes. */
function bigInput(): NewEntry[] {
  const ts = Date.now() - 60_000
  const kinds = [
    (i: number) => `2026-11-23T10:00:00Z INFO worker-${i % 7} processed item ${i} in ${i % 13}ms ${'.'.repeat(i % 40)}`,
    (i: number) => JSON.stringify({level: 30 + (i % 3) * 10, msg: `item "${i}" done`, path: 'C:\\tmp\\x'}),
    (i: number) => `\tat frame ${i}\u001b[31m red \u001b[0m\r`,
    (i: number) => `utf-8: ünïcødé ✓ 日本語 ${i}`,
  ]
  const entries: NewEntry[] = Array.from({length: 24_000}, (_, i) => ({
    ts: ts + Math.floor(i / 3),
    bytes: i % 997 === 0 ? ODD_BYTES : Buffer.from(kinds[i % kinds.length](i)),
    eol: true,
    stream: i % 5 ? 'stdout' : 'stderr',
    level: i % 11 === 0 ? 'error' : i % 4 === 0 ? 'info' : undefined,
  }))
  entries.push({ts, bytes: Buffer.from('no newline'), eol: false})
  return entries
}

async function seedBig(url: string, id: string): Promise<Buffer> {
  const input = bigInput()
  await withLive(url, env(), async (live) => {
    await live.startJob(id)
    for (let at = 0; at < input.length; at += 5000) await live.append(id, input.slice(at, at + 5000))
    await live.endJob(id, {status: 'succeeded', exitCode: 0})
  })
  return expectedRaw(input)
}

/** Archives the job in this process (from sources: no worker threads) and returns the object and its index. */
async function archiveHere(live: string, archive: string, id: string, source: 'readStored' | 'read'): Promise<Buffer[]> {
  const store = await openArchive({value: `file://${archive}`, from: 'test'}, env())
  try {
    await withLive(live, env(), async (liveStore) => {
      const meta = (await liveStore.getJob(id))!
      const items: AsyncIterable<ArchiveItem> = source === 'readStored' ? liveStore.readStored!(id) : liveStore.read(id)
      await store.put(meta, items)
    })
  } finally {
    await store.close()
  }
  return [readFileSync(`${archive}/${id}.jsonl.zst`), readFileSync(`${archive}/${id}.jsonl.zst.idx`)]
}

describe('logs archive on worker threads', () => {
  it.each([
    ['file', () => `file://${dir('live-same')}`],
    ['redis', () => `${redis.url}?prefix=same:`],
  ])('writes the same object and index as the main thread does, from stored entries or from entries (%s live store)', async (name, liveUrl) => {
    const live = liveUrl()
    const raw = await seedBig(live, 'big')
    const onMain = await archiveHere(live, dir(`archive-main-${name}`), 'big', 'readStored')
    const fromEntries = await archiveHere(live, dir(`archive-entries-${name}`), 'big', 'read')
    const run = await runCli(['archive', '--store', live, '--archive', `file://${dir(`archive-cli-${name}`)}`, '--job', 'big'], {env: env()})
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const onWorkers = [readFileSync(dir(`archive-cli-${name}/big.jsonl.zst`)), readFileSync(dir(`archive-cli-${name}/big.jsonl.zst.idx`))]
    const index = JSON.parse(onWorkers[1].toString('utf8').split('\n')[0]) as {blocks: unknown[]}
    expect(index.blocks.length).toBeGreaterThan(3)
    expect(onWorkers[0].equals(onMain[0]), 'object').toBe(true)
    expect(onWorkers[1].equals(onMain[1]), 'index').toBe(true)
    expect(fromEntries[0].equals(onMain[0]), 'object from entries').toBe(true)
    expect(fromEntries[1].equals(onMain[1]), 'index from entries').toBe(true)
    const back = await readAllRaw(live, `file://${dir(`archive-cli-${name}`)}`, env(), ['big'])
    expect(back.get('big')?.equals(raw)).toBe(true)
  })

  // A thread starts while the archive waits for it: it loads one module of its own, not the
  // chunks of the commands (scripts/bundle.mjs), compiled from the CLI's compile cache where
  // the runtime has one (Node 22.8+), which a thread takes only from its environment: the
  // directory bin/run.js enabled, or the user's own NODE_COMPILE_CACHE.
  it('a worker thread loads its own bundle alone, from the compile cache bin/run.js enabled', async () => {
    expect(readFileSync(join(ROOT, 'dist', 'block-worker.js'), 'utf8')).toContain('compressBlockData')
    expect(chunksImported('block-worker')).toEqual([])
    const mine = dir('my-compile-cache')
    for (const [name, cacheEnv, base] of [
      ['ours', {}, ownCompileCache(home.home)],
      ['the user’s', {NODE_COMPILE_CACHE: mine}, mine],
    ] as const) {
      const live = `file://${dir(`live-cache-${name}`)}`
      await seedBig(live, 'big')
      const run = await runCli(['archive', '--store', live, '--archive', `file://${dir(`archive-cache-${name}`)}`, '--job', 'big'], {
        env: {...env(), ...cacheEnv, NODE_DEBUG_NATIVE: 'COMPILE_CACHE'},
      })
      expect(run.code).toBe(0)
      expect(compileCacheReads(run.stderr, 'block-worker'), name).toEqual(HAS_COMPILE_CACHE ? [base] : [])
    }
  })

  it('a worker thread that dies fails its job, which stays live and whole; the other jobs are archived; a re-run completes', async () => {
    const live = `file://${dir('live-dies')}`
    const archive = `file://${dir('archive-dies')}`
    const raw = await seedBig(live, 'big')
    const small = await seedJobs(live, env(), 'small', 3) // too small to go to a worker
    const failed = await runCli(['archive', '--store', live, '--archive', archive, '--concurrency', '1'], {env: {...env(), LOGS_FAULT_INJECTION: 'archive-worker-exit:2'}})
    expect(failed.code).toBe(1)
    expect(failed.stdout).toMatch(/FAILED +big +.*archive worker thread exited \(code 70\)/)
    expect(failed.stderr).toContain('1 job was not archived; it stays in the live store')
    const liveIds = async (): Promise<string[]> => withLive(live, env(), async (store) => (await store.listJobs()).map((job) => job.id))
    expect(await liveIds()).toEqual(['big'])
    expect((await readAllRaw(live, archive, env(), ['big'])).get('big')?.equals(raw)).toBe(true)
    const store = await openArchive({value: archive, from: 'test'}, env())
    expect((await store.list()).map((job) => job.meta.id).sort()).toEqual([...small.keys()].sort())
    await store.close()

    const rerun = await runCli(['archive', '--store', live, '--archive', archive], {env: env()})
    expect(rerun.code).toBe(0)
    expect(await liveIds()).toEqual([])
    expect((await readAllRaw(live, archive, env(), ['big'])).get('big')?.equals(raw)).toBe(true)
  })
})
