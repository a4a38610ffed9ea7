/**
 * Object stores failing the way the real services do (issue 13, items 9–12): transient
 * failures (502 from a gateway, 500 on a read racing an upsert, 429 with Retry-After,
 * connections reset or cut mid-body) are retried under one policy; permanent ones (a
 * wrong key) fail at once and say that access was refused; a lock left by a killed owner
 * is taken over at once on its host. s3rver sits behind a fault-injecting proxy; the
 * Supabase stand-in injects its own faults.
 */
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {hostname} from 'node:os'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BlobArchive} from '../../../src/lib/archive/blob-archive.js'
import {claimKey} from '../../../src/lib/archive/layout.js'
import type {LockRecord} from '../../../src/lib/archive/locks.js'
import type {ArchiveSummary} from '../../../src/lib/archive/archive-jobs.js'
import {ObjectStoreError} from '../../../src/lib/errors/index.js'
import type {FollowEvent} from '../../../src/lib/store/types.js'
import {ObjectLiveStore} from '../../../src/lib/archive/object-live-store.js'
import {readBytes} from '../../../src/lib/store/object/bucket.js'
import {S3Bucket, s3Client, s3Settings} from '../../../src/lib/store/object/s3-bucket.js'
import {SupabaseBucket, openSupabaseClient} from '../../../src/lib/store/object/supabase-bucket.js'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {startFaultProxy, type FaultProxy} from '../../helpers/fault-proxy.js'
import {QUICK_RETRY} from '../../helpers/quick-retry.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {readAllRaw, seedJobs} from './archive-helpers.js'
import {startTogether} from '../../helpers/start-together.js'

let home: {home: string; cleanup: () => void}
let s3: S3Server
let proxy: FaultProxy
let supabase: SupabaseStandin

beforeAll(async () => {
  home = tempHome()
  ;[s3, supabase] = await startTogether([startS3Server(), startSupabaseStandin()])
  await s3.createBucket('faults')
  proxy = await startFaultProxy(s3.endpoint)
})
afterAll(async () => {
  await Promise.all([proxy?.stop(), s3?.destroy(), supabase?.stop()])
  home?.cleanup()
})

const proxiedEnv = (): NodeJS.ProcessEnv => isolatedEnv(home.home, {...s3.env(), AWS_ENDPOINT_URL: proxy.url, AWS_EC2_METADATA_DISABLED: 'true'})
const supabaseStore = (prefix: string, env = supabase.env()) =>
  new ObjectLiveStore({bucket: new SupabaseBucket(openSupabaseClient(new URL(`supabase://live/${prefix}`), {from: 'test', what: 'live store', env, createsBucket: true}))})

describe('transient failures are retried (item 9)', () => {
  it('logs archive through a proxy answering 502 and resetting connections archives every job, byte-exact', async () => {
    const live = `file://${home.home}/live-502`
    const expected = await seedJobs(live, proxiedEnv(), 'gw', 12)
    proxy.inject({kind: 'status', status: 502}, {count: 20})
    proxy.inject({kind: 'reset'}, {count: 5})
    const served = proxy.faults.served
    const result = await runCli(['archive', '--store', live, '--archive', 's3://faults/a', '--json'], {env: proxiedEnv()})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect((JSON.parse(result.stdout) as ArchiveSummary).archived).toBe(12)
    expect(proxy.faults.served - served).toBe(25) // every injected fault was met, and retried
    const back = await readAllRaw(live, 's3://faults/a', s3.env(), [...expected.keys()])
    for (const [id, bytes] of expected) expect(back.get(id)?.equals(bytes), id).toBe(true)
  })

  it('a follower of a job pushed to Supabase goes on across 502, 500, 429 and bodies cut mid-object: every seq once', async () => {
    const writer = supabaseStore('follow')
    const reader = supabaseStore('follow')
    await writer.startJob('flaky')
    const events: FollowEvent[] = []
    const following = (async () => {
      for await (const event of reader.follow('flaky', {after: 0})) events.push(event)
    })()
    const objectGets = (method: string, path: string) => method === 'GET' && path.includes('/object/live/follow/')
    supabase.inject({kind: 'status', status: 502}, {count: 4, match: objectGets})
    supabase.inject(
      {
        kind: 'status',
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({statusCode: '500', code: 'InternalError', error: 'internal', message: 'Internal Server Error'}),
      },
      {count: 3},
    )
    supabase.inject({kind: 'status', status: 429, retryAfter: '1'}, {count: 1, match: objectGets})
    supabase.inject({kind: 'cut', afterBytes: 40}, {count: 3, match: (method, path) => objectGets(method, path) && path.endsWith('.jsonl.zst')})
    const served = supabase.faults.served
    let seq = 0
    for (let batch = 0; batch < 6; batch++) {
      const entries = Array.from({length: 300}, () => ({ts: Date.now(), bytes: Buffer.from(`line ${++seq} ${'y'.repeat(seq % 40)}`), eol: true}))
      await writer.append('flaky', entries)
    }
    await writer.endJob('flaky', {status: 'succeeded', exitCode: 0})
    await following
    const seqs = events.flatMap((e) => (e.type === 'entries' ? e.entries.map((x) => x.seq) : []))
    expect(seqs).toEqual(Array.from({length: 1800}, (_, i) => i + 1))
    expect(events.at(-1)?.type).toBe('end')
    expect(supabase.faults.served - served).toBe(11)
    await Promise.all([writer.close(), reader.close()])
  })

  it('honours Retry-After: a hint longer than the retry budget fails at once, carrying the hint (Supabase and S3)', async () => {
    const bucket = new SupabaseBucket({...openSupabaseClient(new URL('supabase://live/hint'), {from: 'test', what: 'live store', env: supabase.env()}), retry: QUICK_RETRY})
    supabase.inject({kind: 'status', status: 429, retryAfter: '30'}, {count: 1})
    const failure = await bucket.stat('k').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ObjectStoreError)
    expect(failure).toMatchObject({kind: 'unavailable', transient: true, retryAfterMs: 30_000})

    const settings = s3Settings(new URL(`s3://faults/hint?endpoint=${encodeURIComponent(proxy.url)}`), {from: 'test', what: 'archive', env: s3.env()})
    const s3Bucket = new S3Bucket({client: s3Client(settings, s3.env()), bucket: 'faults', prefix: 'hint', retry: QUICK_RETRY})
    proxy.inject(
      {
        kind: 'status',
        status: 503,
        retryAfter: '30',
        contentType: 'application/xml',
        body: '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      },
      {count: 1},
    )
    const slow = await s3Bucket.stat('k').catch((error: unknown) => error)
    expect(slow).toMatchObject({kind: 'unavailable', transient: true, retryAfterMs: 30_000})
    await s3Bucket.close()
  })
})

describe('permanent failures fail at once and say why (items 10, 11)', () => {
  it('push to Supabase with a wrong key: exit 1 at once, "access refused", names the key variables, no retries', async () => {
    const env = isolatedEnv(home.home, {SUPABASE_URL: supabase.url, SUPABASE_SERVICE_ROLE_KEY: 'wrong-key-1234'})
    const before = supabase.requests.length
    const result = await runCli(['push', '--job', 'denied', '--store', 'supabase://live/denied'], {env, input: 'a\nb\n'})
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/access refused/)
    expect(result.stderr).toMatch(/SUPABASE_SERVICE_ROLE_KEY \/ SUPABASE_KEY/)
    expect(result.stderr).not.toContain('wrong-key-1234')
    expect(supabase.requests.length - before).toBeLessThanOrEqual(3) // a 403 is not retried
  })

  it('get from Supabase with a wrong key says access was refused, not "job not found" (the download route answers 404 Bucket not found)', async () => {
    const store = supabaseStore('get')
    await store.startJob('there')
    await store.append('there', [{ts: 1, bytes: Buffer.from('hello'), eol: true}])
    await store.close()
    const env = isolatedEnv(home.home, {SUPABASE_URL: supabase.url, SUPABASE_KEY: 'not-the-key'})
    const result = await runCli(['get', 'there', '--store', 'supabase://live/get'], {env})
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/access refused/)
    expect(result.stderr).toMatch(/SUPABASE_SERVICE_ROLE_KEY \/ SUPABASE_KEY/)
    expect(result.stderr).not.toMatch(/not found/)
    const right = await runCli(['get', 'there', '--store', 'supabase://live/get'], {env: isolatedEnv(home.home, supabase.env())})
    expect([right.code, right.stdout]).toEqual([0, 'hello\n'])
  })

  it('get from S3 with an unknown access key (InvalidAccessKeyId) says access was refused and names the AWS variables', async () => {
    const env = isolatedEnv(home.home, {...s3.env(), AWS_ACCESS_KEY_ID: 'NOT-A-KEY', AWS_EC2_METADATA_DISABLED: 'true'})
    const before = proxy.forwarded
    const result = await runCli(['get', 'anything', '--store', 's3://faults/denied', '--archive', 's3://faults/denied'], {env: {...env, AWS_ENDPOINT_URL: proxy.url}})
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/access refused.*InvalidAccessKeyId|InvalidAccessKeyId.*access refused|access refused/)
    expect(result.stderr).toMatch(/AWS_ACCESS_KEY_ID/)
    expect(result.stderr).not.toMatch(/not found/)
    expect(proxy.forwarded - before).toBeLessThanOrEqual(4)
  })
})

describe('locks left by a killed owner (item 12)', () => {
  const record = (lock: Partial<LockRecord>): Buffer => Buffer.from(JSON.stringify({owner: 'old', host: hostname(), pid: 1, expiresAt: Date.now() + 3_600_000, ...lock}))

  it('on the same host: taken over at once when the owner process is gone or its pid was reused; refused while it lives', async () => {
    const archive = new BlobArchive({bucket: new S3Bucket({client: s3.client(), bucket: 'faults', prefix: 'locks'})})
    const child = spawn(process.execPath, ['-e', ''])
    await once(child, 'exit')
    await archive.bucket.writeBytes(claimKey('gone', '0a'), record({pid: child.pid}))
    expect(await archive.locks.acquire('gone', 'me')).toBe(true)

    await archive.bucket.writeBytes(claimKey('reused', '0b'), record({pid: process.pid, startedAt: Date.now() - 86_400_000}))
    expect(await archive.locks.acquire('reused', 'me')).toBe(true)

    expect(await archive.locks.acquire('alive', 'this-process')).toBe(true)
    expect(await archive.locks.acquire('alive', 'someone-else')).toBe(false)
    const held = await archive.locks.read('alive')
    expect(held).toMatchObject({owner: 'this-process', host: hostname(), pid: process.pid, startedAt: expect.any(Number)})
    await archive.close()
  })

  it('from another host: refused until its lease runs out (renewed while the owner works)', async () => {
    let now = Date.now()
    const bucket = new S3Bucket({client: s3.client(), bucket: 'faults', prefix: 'lease'})
    const locks = new BlobArchive({bucket, clock: () => now}).locks
    await bucket.writeBytes(claimKey('remote', '0c'), record({host: 'elsewhere.example', pid: 999_999, expiresAt: now + 30_000}))
    expect(await locks.acquire('remote', 'me')).toBe(false)
    now += 31_000
    expect(await locks.acquire('remote', 'me')).toBe(true)
    expect(await readBytes(bucket, claimKey('remote', '0c'))).toBeUndefined()
    await bucket.close()
  })

  it('the lock object of versions before claims (.locks/<job>.lock) counts as a claim', async () => {
    let now = Date.now()
    const bucket = new S3Bucket({client: s3.client(), bucket: 'faults', prefix: 'legacy'})
    const locks = new BlobArchive({bucket, clock: () => now}).locks
    await bucket.writeBytes('.locks/old-version.lock', record({host: 'elsewhere.example', pid: 999_999, expiresAt: now + 30_000}))
    expect(await locks.acquire('old-version', 'me')).toBe(false)
    expect(await locks.read('old-version')).toMatchObject({host: 'elsewhere.example'})
    now += 31_000
    expect(await locks.acquire('old-version', 'me')).toBe(true)
    expect(await readBytes(bucket, '.locks/old-version.lock')).toBeUndefined()
    await bucket.close()
  })
})
