/**
 * Supabase Storage specifics against the stand-in (test/helpers/supabase-storage-standin.ts,
 * written from ../shared/SUPABASE-STORAGE.md): split objects under the upload cap, the
 * private bucket created on first write, and the mapping of the server's 400-with-a-code
 * errors.
 */
import {execFileSync} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BlobArchive} from '../../../src/lib/archive/blob-archive.js'
import {entryFromBytes, rawBytes, type LogEntry} from '../../../src/lib/entry.js'
import {MissingCredentialError, ObjectStoreError} from '../../../src/lib/errors/index.js'
import {newJobMeta} from '../../../src/lib/job.js'
import {SupabaseBucket, openSupabaseBucket, openSupabaseClient} from '../../../src/lib/store/object/supabase-bucket.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'

let standin: SupabaseStandin
beforeAll(async () => {
  standin = await startSupabaseStandin({fileSizeLimit: 200_000})
})
afterAll(async () => {
  await standin?.stop()
})

/** Lines that gzip poorly, so a few thousand make several 16 KiB parts. */
function noisyEntries(count: number): LogEntry[] {
  let state = 12345
  const next = (): string => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state.toString(36)
  }
  return Array.from({length: count}, (_, i) => entryFromBytes(i + 1, 1_700_000_000_000 + i, Buffer.from(`${next()} ${next()} ${next()} ${next()}`), true))
}

async function* iterate<T>(items: T[]): AsyncIterable<T> {
  yield* items
}

function archiveAt(url: string, env = standin.env()): BlobArchive {
  return new BlobArchive({bucket: new SupabaseBucket(openSupabaseClient(new URL(url), {from: '--archive', what: 'archive', env}))})
}

describe('Supabase archive (stand-in of the Storage API)', () => {
  it('creates the missing bucket, private, on first write', async () => {
    expect(standin.keys('fresh')).toBeUndefined()
    const archive = archiveAt('supabase://fresh/p')
    const entries = noisyEntries(3)
    await archive.put({...newJobMeta('one', 1), status: 'ended', lines: 3}, iterate(entries))
    expect(standin.keys('fresh')).toEqual(['p/one.jsonl.zst', 'p/one.jsonl.zst.idx', 'p/one.meta.json'])
    expect(standin.requests).toContain('POST bucket')
  })

  it('splits a large job into parts under the cap that readers (and cat | zstdcat) treat as one object', async () => {
    const archive = archiveAt('supabase://logs/split?part-size=16384')
    const entries = noisyEntries(5000)
    const stored = await archive.put({...newJobMeta('big', 1), status: 'ended', lines: entries.length}, iterate(entries))
    const manifest = await archive.manifest('big')
    expect(manifest!.parts.length).toBeGreaterThan(3)
    expect(manifest!.parts.map((p) => p.key).slice(0, 3)).toEqual(['big.jsonl.zst', 'big.jsonl.zst.001', 'big.jsonl.zst.002'])
    for (const part of manifest!.parts.slice(0, -1)) expect(part.size).toBe(16384)
    expect(stored.size).toBe(manifest!.parts.reduce((n, p) => n + p.size, 0))
    const back: LogEntry[] = []
    for await (const entry of archive.read('big')) back.push(entry)
    expect(Buffer.concat(back.map(rawBytes))).toEqual(Buffer.concat(entries.map(rawBytes)))
    const joined = Buffer.concat(manifest!.parts.map((p) => standin.object('logs', `split/${p.key}`)!))
    const zstdcat = execFileSync('sh', ['-c', 'zstdcat | jq -r .line'], {input: joined, maxBuffer: 64 * 1024 * 1024})
    expect(zstdcat.toString()).toBe(entries.map((e) => `${e.line}\n`).join(''))
  })

  it('maps "object over the size limit" (400 with statusCode 413) to a too-large error and writes no manifest', async () => {
    const archive = archiveAt('supabase://logs/toolarge?part-size=1048576')
    const entries = noisyEntries(12_000)
    const failure = await archive.put({...newJobMeta('huge', 1), status: 'ended', lines: entries.length}, iterate(entries)).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ObjectStoreError)
    expect((failure as ObjectStoreError).kind).toBe('too-large')
    expect((failure as Error).message).toMatch(/maximum allowed size/)
    expect(await archive.head('huge')).toBeUndefined()
  })

  it('maps a duplicate (409 in a 400) to "not written" for exclusive writes and upserts otherwise', async () => {
    const bucket = archiveAt('supabase://logs/dup').bucket
    expect(await bucket.writeBytes('k', Buffer.from('a'), {exclusive: true})).toBe(true)
    expect(await bucket.writeBytes('k', Buffer.from('b'), {exclusive: true})).toBe(false)
    expect(await bucket.writeBytes('k', Buffer.from('c'))).toBe(true)
    expect(standin.object('logs', 'dup/k')?.toString()).toBe('c')
  })

  it('treats missing objects as absent and deleting them as no error', async () => {
    const archive = archiveAt('supabase://logs/missing')
    expect(await archive.head('nope')).toBeUndefined()
    await expect(archive.delete(['nope'])).resolves.toBeUndefined()
  })

  it('refuses a missing bucket on reads, which the server answers as empty (list) or "Bucket not found" (download)', async () => {
    const missing = archiveAt('supabase://no-such-bucket/x')
    for (const read of [() => missing.list(), () => missing.head('a')]) {
      const failure = await read().catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(ObjectStoreError)
      expect((failure as ObjectStoreError).kind).toBe('missing-bucket')
      expect((failure as Error).message).toContain(`bucket no-such-bucket does not exist at ${standin.url}`)
    }
    expect(standin.keys('no-such-bucket')).toBeUndefined()
  })

  it('maps a wrong key (signature verification failed, 403 in a 400) to unauthorized, without printing the key', async () => {
    const archive = archiveAt('supabase://logs/auth', {SUPABASE_URL: standin.url, SUPABASE_SERVICE_ROLE_KEY: 'wrong-secret-key'})
    const failure = await archive.put({...newJobMeta('a', 1), status: 'ended', lines: 1}, iterate(noisyEntries(1))).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ObjectStoreError)
    expect((failure as ObjectStoreError).kind).toBe('unauthorized')
    expect((failure as Error).message).not.toContain('wrong-secret-key')
  })

  it('names the missing variable when SUPABASE_URL or the key is not set', async () => {
    await expect(openSupabaseBucket(new URL('supabase://logs'), {from: 'LOGS_ARCHIVE', what: 'archive', env: {}})).rejects.toThrow(/SUPABASE_URL/)
    const failure = await openSupabaseBucket(new URL('supabase://logs'), {from: 'LOGS_ARCHIVE', what: 'archive', env: {SUPABASE_URL: standin.url}}).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(MissingCredentialError)
    expect((failure as Error).message).toMatch(/SUPABASE_SERVICE_ROLE_KEY or SUPABASE_KEY.*LOGS_ARCHIVE|LOGS_ARCHIVE.*SUPABASE_SERVICE_ROLE_KEY/)
  })

  it('reports an unreachable server as unavailable', async () => {
    const archive = archiveAt('supabase://logs/down?retry-for=500ms', {SUPABASE_URL: 'http://127.0.0.1:9', SUPABASE_KEY: 'k'})
    const failure = await archive.put({...newJobMeta('a', 1), status: 'ended', lines: 1}, iterate(noisyEntries(1))).catch((error: unknown) => error)
    expect((failure as ObjectStoreError).kind).toBe('unavailable')
  })
})
