/**
 * The archive over each backend against a real server (file system, s3rver) or the
 * Supabase stand-in: the same behaviour whatever the bucket.
 */
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BlobArchive} from '../../../src/lib/archive/blob-archive.js'
import {entryFromBytes, rawBytes, type LogEntry} from '../../../src/lib/entry.js'
import {newJobMeta, type JobMeta} from '../../../src/lib/job.js'
import {DirectoryBucket} from '../../../src/lib/store/object/directory-bucket.js'
import {S3Bucket} from '../../../src/lib/store/object/s3-bucket.js'
import {SupabaseBucket, openSupabaseClient} from '../../../src/lib/store/object/supabase-bucket.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {startVercelBlobStandin, type VercelBlobStandin} from '../../helpers/vercel-blob-standin.js'
import {VercelBlobBucket} from '../../../src/lib/store/object/vercel-blob-bucket.js'
import {collect, iterate} from '../../helpers/iterables.js'
import {fixtureLine, GZIP_FIXTURE} from './archive-helpers.js'
import {startTogether} from '../../helpers/start-together.js'

export function jobEntries(count: number, ts = Date.now() - 3_600_000): LogEntry[] {
  return Array.from({length: count}, (_, i) =>
    entryFromBytes(
      i + 1,
      ts + i,
      Buffer.from(i % 97 === 0 ? `ERROR failure ${i + 1} \u00e9\r` : `line ${i + 1} ${'x'.repeat(i % 50)}`),
      i !== count - 1,
      i % 97 === 0 ? 'error' : undefined,
      i % 2 ? 'stderr' : 'stdout',
    ),
  )
}

export function endedMeta(id: string, entries: LogEntry[], endedAt = Date.now()): JobMeta {
  return {
    ...newJobMeta(id, endedAt - 1000),
    status: 'failed',
    exitCode: 3,
    endedAt,
    updatedAt: endedAt,
    lines: entries.length,
    bytes: entries.reduce((n, e) => n + rawBytes(e).length, 0),
  }
}

let s3: S3Server
let supabase: SupabaseStandin
const dir = mkdtempSync(join(tmpdir(), 'logs-archive-backends-'))

let blob: VercelBlobStandin

beforeAll(async () => {
  ;[s3, supabase, blob] = await startTogether([startS3Server(), startSupabaseStandin(), startVercelBlobStandin()])
  await s3.createBucket('logs')
  Object.assign(process.env, blob.env(), {VERCEL_BLOB_RETRIES: '0'}) // the SDK reads its API base from the process environment
})

afterAll(async () => {
  await Promise.all([s3?.destroy(), supabase?.stop(), blob?.stop()])
  rmSync(dir, {recursive: true, force: true})
})

const backends: Array<[string, () => BlobArchive]> = [
  ['file', () => new BlobArchive({bucket: new DirectoryBucket(join(dir, 'archive'))})],
  ['s3 (s3rver)', () => new BlobArchive({bucket: new S3Bucket({client: s3.client(), bucket: 'logs', prefix: 'team/a', listPageSize: 2})})],
  [
    'supabase (stand-in)',
    () => new BlobArchive({bucket: new SupabaseBucket(openSupabaseClient(new URL('supabase://logs/team/a'), {from: 'test', what: 'archive', env: supabase.env()}))}),
  ],
  ['vercel blob (stand-in)', () => new BlobArchive({bucket: new VercelBlobBucket({token: blob.token, prefix: 'logs/team/a', listPageSize: 2})})],
]

describe.each(backends)('archive on %s', (_name, open) => {
  it('stores a job as one verified object + manifest and reads it back exactly, with every range', async () => {
    const archive = open()
    const entries = jobEntries(3000)
    const meta = endedMeta('round-trip', entries)
    const stored = await archive.put(meta, iterate(entries))
    expect(stored.meta.location).toMatchObject({kind: 'archived', url: expect.stringMatching(/round-trip\.jsonl\.zst$/), size: stored.size, sha256: stored.sha256})
    expect(stored.meta).toMatchObject({status: 'failed', exitCode: 3, lines: 3000})

    const head = await archive.head('round-trip')
    expect(head).toEqual(stored)
    const back = await collect(archive.read('round-trip'))
    expect(Buffer.concat(back.map(rawBytes))).toEqual(Buffer.concat(entries.map(rawBytes)))
    expect((await collect(archive.read('round-trip', {after: 2998}))).map((e) => e.seq)).toEqual([2999, 3000])
    expect((await collect(archive.read('round-trip', {tail: 2}))).map((e) => e.seq)).toEqual([2999, 3000])
    expect((await collect(archive.read('round-trip', {since: entries[10].ts, limit: 2}))).map((e) => e.seq)).toEqual([11, 12])
    const grep = /^ERROR failure \d+ é/
    const hinted = (await collect(archive.read('round-trip', {match: grep}))).filter((e) => grep.test(e.line))
    expect(hinted.map((e) => e.seq)).toEqual(back.filter((e) => grep.test(e.line)).map((e) => e.seq))
    expect(hinted.length).toBe(31)
    await archive.close()
  })

  it('lists jobs by prefix and status, and deletes manifest and object', async () => {
    const archive = open()
    for (const id of ['ls-a1', 'ls-a2', 'ls-b1']) {
      const entries = jobEntries(5)
      await archive.put(id === 'ls-a2' ? {...endedMeta(id, entries), status: 'succeeded', exitCode: 0} : endedMeta(id, entries), iterate(entries))
    }
    expect((await archive.list({prefix: 'ls-'})).map((j) => j.meta.id).sort()).toEqual(['ls-a1', 'ls-a2', 'ls-b1'])
    expect((await archive.list({prefix: 'ls-a'})).map((j) => j.meta.id).sort()).toEqual(['ls-a1', 'ls-a2'])
    expect((await archive.list({prefix: 'ls-', status: 'succeeded'})).map((j) => j.meta.id)).toEqual(['ls-a2'])
    await archive.delete(['ls-a1'])
    expect(await archive.head('ls-a1')).toBeUndefined()
    const keys: string[] = []
    for await (const object of archive.bucket.list('ls-a1')) keys.push(object.key)
    expect(keys).toEqual([])
    await archive.close()
  })

  it('refuses to archive when the live store gives other entries than its metadata counts (no manifest written)', async () => {
    const archive = open()
    const entries = jobEntries(10)
    await expect(archive.put({...endedMeta('short', entries), lines: 11}, iterate(entries))).rejects.toThrow(
      /^archive of job short failed verification: the live store gave 10 entries \(seq 1..10\), its metadata counts 11/,
    )
    expect(await archive.head('short')).toBeUndefined()
    const keys: string[] = []
    for await (const object of archive.bucket.list('short')) keys.push(object.key)
    expect(keys).toEqual([]) // the object's write was abandoned, not made and deleted
    await archive.close()
  })

  it('gives a job lock to one owner at a time and lets an expired lock be taken over', async () => {
    let now = 1_000_000
    const archive = open()
    const locks = new BlobArchive({bucket: archive.bucket, clock: () => now}).locks
    expect(await locks.acquire('locked', 'owner-a', 60_000)).toBe(true)
    expect(await locks.acquire('locked', 'owner-b', 60_000)).toBe(false)
    now += 61_000
    expect(await locks.acquire('locked', 'owner-b', 60_000)).toBe(true)
    await locks.release('locked', 'owner-a') // not the owner any more: no effect
    expect((await locks.read('locked'))?.owner).toBe('owner-b')
    await locks.release('locked', 'owner-b')
    expect(await locks.read('locked')).toBeUndefined()
    await archive.close()
  })
})

describe.each(backends)('an object written as gzip beside one written as zstd, on %s', (_name, open) => {
  it('lists, reads (whole, ranges, --grep, --level) and deletes both', async () => {
    const archive = open()
    for (const name of readdirSync(GZIP_FIXTURE)) await archive.bucket.writeBytes(name, readFileSync(join(GZIP_FIXTURE, name)))
    const entries = jobEntries(3000)
    await archive.put(endedMeta('new-zstd', entries), iterate(entries))
    expect((await archive.manifest('old-gzip'))!.parts.map((p) => p.key)).toEqual(['old-gzip.jsonl.gz'])
    expect((await archive.manifest('new-zstd'))!.parts[0].key).toBe('new-zstd.jsonl.zst')
    expect((await archive.list()).map((job) => job.meta.id).sort()).toEqual(expect.arrayContaining(['new-zstd', 'old-gzip']))

    const old = await collect(archive.read('old-gzip'))
    expect(old.map((e) => e.seq)).toEqual(Array.from({length: 6003}, (_, i) => i + 1))
    expect(old.map((e) => e.line)).toEqual(old.map((e) => fixtureLine(e.seq)))
    expect((await collect(archive.read('old-gzip', {tail: 2}))).map((e) => e.line)).toEqual(['::endgroup::', 'done'])
    expect((await collect(archive.read('old-gzip', {levels: ['error']}))).map((e) => e.seq)).toEqual([1001, 2001, 3001, 4001, 5001, 6001])
    const grep = /step 4500 /
    expect((await collect(archive.read('old-gzip', {match: grep}))).filter((e) => grep.test(e.line)).map((e) => e.seq)).toEqual([4501])
    const back = await collect(archive.read('new-zstd'))
    expect(Buffer.concat(back.map(rawBytes))).toEqual(Buffer.concat(entries.map(rawBytes)))
    expect((await collect(archive.read('new-zstd', {after: 2998}))).map((e) => e.seq)).toEqual([2999, 3000])

    for (const id of ['old-gzip', 'new-zstd']) {
      await archive.delete([id])
      const keys: string[] = []
      for await (const object of archive.bucket.list(id)) keys.push(object.key)
      expect({id, keys}).toEqual({id, keys: []})
    }
    await archive.close()
  })
})
