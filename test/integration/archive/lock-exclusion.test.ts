import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BucketLocks} from '../../../src/lib/archive/locks.js'
import type {ObjectBucket} from '../../../src/lib/store/object/bucket.js'
import {DirectoryBucket} from '../../../src/lib/store/object/directory-bucket.js'
import {S3Bucket} from '../../../src/lib/store/object/s3-bucket.js'
import {SupabaseBucket, openSupabaseClient} from '../../../src/lib/store/object/supabase-bucket.js'
import {VercelBlobBucket} from '../../../src/lib/store/object/vercel-blob-bucket.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {startVercelBlobStandin, type VercelBlobStandin} from '../../helpers/vercel-blob-standin.js'
import {startTogether} from '../../helpers/start-together.js'

// Several writers contend for one job's lock at once, each from its own BucketLocks (as
// separate processes would). On stores whose "create if absent" is not exclusive under a race
// (s3rver ignores If-None-Match; Supabase checks the key before the body is in), a lock taken
// by write-then-read-back let two writers in together: 19 times in 541 takings on s3rver.
let s3: S3Server
let supabase: SupabaseStandin
let blob: VercelBlobStandin
const dir = mkdtempSync(join(tmpdir(), 'logs-locks-'))
beforeAll(async () => {
  ;[s3, supabase, blob] = await startTogether([startS3Server(), startSupabaseStandin(), startVercelBlobStandin()])
  await s3.createBucket('locks')
  Object.assign(process.env, blob.env(), {VERCEL_BLOB_RETRIES: '0'}) // the SDK reads its API base from the process environment
})
afterAll(async () => {
  await Promise.all([s3?.destroy(), supabase?.stop(), blob?.stop()])
  rmSync(dir, {recursive: true, force: true})
})

const backends: Array<[string, () => ObjectBucket]> = [
  ['s3rver', () => new S3Bucket({client: s3.client(), bucket: 'locks', prefix: 'p'})],
  ['supabase (stand-in)', () => new SupabaseBucket(openSupabaseClient(new URL('supabase://locks/p'), {from: 'test', what: 'archive', env: supabase.env(), createsBucket: true}))],
  ['vercel blob (stand-in)', () => new VercelBlobBucket({token: blob.token, prefix: 'p'})],
  ['directory', () => new DirectoryBucket(dir)],
]

describe.each(backends)('the job lock on %s', (_name, open) => {
  it('a writer that found the job free, but whose claim lands after another took the lock, does not get it', async () => {
    const bucket = open()
    let atWrite!: () => void
    const writing = new Promise<void>((resolve) => (atWrite = resolve))
    let letWrite!: () => void
    const gate = new Promise<void>((resolve) => (letWrite = resolve))
    const late = new Proxy(bucket, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown
        if (typeof value !== 'function') return value
        if (property !== 'writeBytes') return value.bind(target) as unknown
        return async (...args: unknown[]) => {
          atWrite()
          await gate
          return (value as (...a: unknown[]) => Promise<boolean>).apply(target, args)
        }
      },
    })
    const lateTaking = new BucketLocks(late).acquire('raced', 'late')
    await writing // it looked and found no one
    const first = new BucketLocks(bucket)
    expect(await first.acquire('raced', 'first')).toBe(true)
    letWrite()
    expect(await lateTaking).toBe(false)
    expect(await first.read('raced')).toMatchObject({owner: 'first'})
    await first.release('raced', 'first')
    await bucket.close()
  })

  it('is never held by two writers at once, and every writer gets it', async () => {
    const bucket = open()
    const takings = 100
    let inside = 0
    let together = 0
    let taken = 0
    const byWriter = new Map<string, number>()
    await Promise.all(
      ['a', 'b', 'c'].map(async (writer) => {
        const locks = new BucketLocks(bucket)
        while (taken < takings) {
          if (!(await locks.acquire('job', writer))) {
            await sleep(2 + Math.random() * 8)
            continue
          }
          inside++
          taken++
          byWriter.set(writer, (byWriter.get(writer) ?? 0) + 1)
          if (inside > 1) together++
          await sleep(Math.random() * 5)
          inside--
          await locks.release('job', writer)
        }
      }),
    )
    expect({together, writers: byWriter.size}).toEqual({together: 0, writers: 3})
    const left: string[] = []
    for await (const object of bucket.list('.locks/')) left.push(object.key)
    expect(left).toEqual([])
    await bucket.close()
  })
})
