/**
 * A reading command keeps the manifest it read first (BlobArchive rememberManifests). When
 * `logs gc` deletes the job under it, or `logs archive` writes it again, a read that then
 * meets a missing or changed object reads the manifest once more and says what is true:
 * "job X was deleted", or goes on from the new object — not a stack of 404s, not "failed
 * verification". On the file archive and the Supabase stand-in (which counts downloads).
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BlobArchive} from '../../../src/lib/archive/blob-archive.js'
import {newEntry} from '../../../src/lib/entry.js'
import {JobDeletedError} from '../../../src/lib/errors/index.js'
import {openLiveStore} from '../../../src/lib/open/open-store.js'
import {DirectoryBucket} from '../../../src/lib/store/object/directory-bucket.js'
import {SupabaseBucket, openSupabaseClient} from '../../../src/lib/store/object/supabase-bucket.js'
import {collect as collectCli, isolatedEnv, runCli, startCli} from '../../helpers/cli.js'
import {collect, iterate} from '../../helpers/iterables.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {waitUntil} from '../../helpers/wait.js'
import {endedMeta, stepJob} from './archive-helpers.js'

/** ~45 MB of NDJSON: many more runs of blocks than a read fetches at once (8 of up to 2 MiB, block-reader.ts), so most are still to fetch when the job is deleted. */
const BIG_LINES = 400_000
const dir = mkdtempSync(join(tmpdir(), 'logs-deleted-while-read-'))
let supabase: SupabaseStandin

beforeAll(async () => {
  supabase = await startSupabaseStandin()
})

afterAll(async () => {
  await supabase?.stop()
  rmSync(dir, {recursive: true, force: true})
})

interface Backend {
  /** A new archive on the backend: `reader` as a reading command opens it (manifests remembered). */
  open: (options?: {reader?: boolean; blockBytes?: number}) => BlobArchive
  /** The CLI's archive setting for it. */
  env: () => NodeJS.ProcessEnv
  /** Downloads of a key so far (undefined: the backend does not count them). */
  downloads?: (key: RegExp) => number
}

const backends: Array<[string, Backend]> = [
  [
    'file',
    {
      open: ({reader = false, blockBytes} = {}) => new BlobArchive({bucket: new DirectoryBucket(join(dir, 'archive')), blockBytes, rememberManifests: reader}),
      env: () => ({LOGS_ARCHIVE: `file://${join(dir, 'archive')}`}),
    },
  ],
  [
    'supabase (stand-in)',
    {
      open: ({reader = false, blockBytes} = {}) =>
        new BlobArchive({
          bucket: new SupabaseBucket(openSupabaseClient(new URL('supabase://logs/gone'), {from: 'test', what: 'archive', env: supabase.env()})),
          blockBytes,
          rememberManifests: reader,
        }),
      env: () => ({...supabase.env(), LOGS_ARCHIVE: 'supabase://logs/gone'}),
      downloads: (key) => supabase.downloads.filter((d) => key.test(d.split(' ')[0])).length,
    },
  ],
]

describe.each(backends)('a job deleted or archived again under a reader, on %s', (name, backend) => {
  const small = stepJob(2000)

  it('deleted after the reader read its manifest: "job X was deleted", after one more look at the manifest', async () => {
    const id = `gone-${name.split(' ')[0]}`
    const writer = backend.open({blockBytes: 16 * 1024})
    await writer.put(endedMeta(id, small), iterate(small))
    // Three commands that have looked at the job, each about to read a range of it.
    const ranges = [{tail: 10}, {after: 100, limit: 5}, {}]
    const readers = ranges.map(() => backend.open({reader: true}))
    for (const reader of readers) expect((await reader.head(id))?.meta.lines).toBe(small.length)
    await writer.delete([id])
    const manifest = new RegExp(`/${id}\\.meta\\.json$`)
    const before = backend.downloads?.(manifest)
    const warnings: string[] = []
    for (const [n, range] of ranges.entries()) {
      const failure = await collect(readers[n].read(id, {...range, onWarning: (m) => warnings.push(m)})).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(JobDeletedError)
      expect((failure as Error).message).toMatch(new RegExp(`^job ${id} was deleted from .* while it was being read`))
    }
    expect(warnings).toEqual([])
    // Each read looked at the manifest once more, and its command forgot the job.
    if (before !== undefined) expect(backend.downloads!(manifest) - before).toBe(ranges.length)
    expect(await readers[0].head(id)).toBeUndefined()
    await Promise.all([...readers, writer].map(async (archive) => archive.close()))
  })

  it('archived again after the reader read its manifest: read on from the new object, without a warning', async () => {
    const id = `again-${name.split(' ')[0]}`
    const writer = backend.open({blockBytes: 16 * 1024})
    await writer.put(endedMeta(id, small), iterate(small))
    const reader = backend.open({reader: true})
    expect((await reader.head(id))?.meta.lines).toBe(small.length)
    // The job went on (pushed to again) and was archived again: more lines, other blocks.
    const longer = stepJob(3000)
    await backend.open({blockBytes: 8 * 1024}).put(endedMeta(id, longer), iterate(longer))
    const warnings: string[] = []
    const onWarning = (m: string): number => warnings.push(m)
    expect((await collect(reader.read(id, {tail: 3, onWarning}))).map((e) => e.seq)).toEqual([2998, 2999, 3000])
    expect((await collect(reader.read(id, {after: 2500, limit: 2, onWarning}))).map((e) => e.seq)).toEqual([2501, 2502])
    expect(warnings).toEqual([])
    expect((await reader.head(id))?.meta.lines).toBe(3000)
    await Promise.all([reader.close(), writer.close()])
  })

  it('`logs get JOB -f` reading a big archived job when `logs gc` deletes it: its lines so far, then "job X was deleted", exit 1', async () => {
    const id = `big-${name.split(' ')[0]}`
    const big = stepJob(BIG_LINES)
    const writer = backend.open()
    await writer.put(endedMeta(id, big), iterate(big))
    await writer.close()
    const home = join(dir, `home-${id}`)
    const env = isolatedEnv(home, {...backend.env(), LOGS_STORE: `file://${home}/live`})
    const child = startCli(['get', id, '-f'], {env})
    // Hold the output once it starts: the reader waits on the full pipe with most blocks not fetched yet.
    let seen = false
    child.stdout!.once('data', () => {
      seen = true
      child.stdout!.pause()
    })
    const result = collectCli(child)
    await waitUntil(() => seen, {what: 'the first lines of the job'})
    const gc = await runCli(['gc', '--older-than', '1h'], {env})
    expect(gc.code, gc.stderr).toBe(0)
    child.stdout!.resume()
    const {code, stdout, stderr} = await result
    expect(stderr).toMatch(new RegExp(`job ${id} was deleted from .* while it was being read`))
    expect(stderr).not.toMatch(/could not be read|failed verification|missing/)
    expect(code).toBe(1)
    // What it printed is the job's start, in order, and not all of it.
    const steps = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => Number(/^INFO step (\d+) /.exec(line)?.[1]))
    expect(steps.length).toBeGreaterThan(0)
    expect(steps.length).toBeLessThan(big.length)
    expect(steps).toEqual(steps.map((_, i) => i + 1))
  })
})

describe('a job a glob matched, deleted while it is read', () => {
  it("`logs get -f 'v*'`: the deleted job is left out (one line on stderr), the others are followed to their end, exit 0", async () => {
    const [, backend] = backends[0]
    const writer = backend.open()
    await writer.put(endedMeta('vbig', stepJob(BIG_LINES)), iterate(stepJob(BIG_LINES)))
    await writer.close()
    const home = join(dir, 'home-glob')
    const env = isolatedEnv(home, {...backend.env(), LOGS_STORE: `file://${home}/live`})
    // A running job in the live store: gc leaves it.
    const live = await openLiveStore({value: `file://${home}/live`, from: 'test'}, env)
    await live.startJob('vlive')
    await live.append('vlive', [newEntry(Buffer.from('live 1'), true, Date.now())])
    const child = startCli(['get', 'v*', '-f'], {env})
    let seen = false
    child.stdout!.once('data', () => {
      seen = true
      child.stdout!.pause()
    })
    const result = collectCli(child)
    await waitUntil(() => seen, {what: 'the first lines of vbig'})
    const gc = await runCli(['gc', '--older-than', '1h'], {env})
    expect(gc.code, gc.stderr).toBe(0)
    expect(gc.stdout).toMatch(/vbig/)
    child.stdout!.resume()
    await live.append('vlive', [newEntry(Buffer.from('live 2'), true, Date.now())])
    await live.endJob('vlive', {status: 'succeeded', exitCode: 0})
    await live.close()
    const {code, stdout, stderr} = await result
    expect(stderr).toMatch(/^logs: left out job vbig, deleted after it matched \(job vbig was deleted from .* while it was being read/)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(code, stderr).toBe(0)
    const lines = stdout.split('\n').filter(Boolean)
    expect(lines.filter((line) => line.startsWith('vlive')).map((line) => line.replace(/\s+/g, ' '))).toEqual(['vlive live 1', 'vlive live 2'])
    const steps = lines.filter((line) => line.startsWith('vbig')).map((line) => Number(/ step (\d+) /.exec(line)?.[1]))
    expect(steps.length).toBeGreaterThan(0)
    expect(steps.length).toBeLessThan(BIG_LINES)
    expect(steps).toEqual(steps.map((_, i) => i + 1))
  })
})
