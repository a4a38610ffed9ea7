/**
 * `vercel-blob://` (issue 15) against the Blob API stand-in (test/helpers/vercel-blob-standin.ts),
 * through the real @vercel/blob SDK: the LiveStore contract of buffered pushes, the CLI
 * end to end (push, get byte-exact, archive), the token, private and public stores,
 * exclusive creates, multipart, list pagination, ranges, size limits, injected failures.
 */
import {randomBytes} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BlobArchive} from '../../../src/lib/archive/blob-archive.js'
import {ObjectLiveStore} from '../../../src/lib/archive/object-live-store.js'
import {entryFromBytes} from '../../../src/lib/entry.js'
import {ObjectStoreError} from '../../../src/lib/errors/index.js'
import {newJobMeta} from '../../../src/lib/job.js'
import {readBytes} from '../../../src/lib/store/object/bucket.js'
import {VercelBlobBucket} from '../../../src/lib/store/object/vercel-blob-bucket.js'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {collect, iterate} from '../../helpers/iterables.js'
import {countedBucket} from '../../helpers/follower-waiting.js'
import {describeLiveStoreContract} from '../../helpers/live-store-contract.js'
import {QUICK_RETRY} from '../../helpers/quick-retry.js'
import {startVercelBlobStandin, type VercelBlobStandin} from '../../helpers/vercel-blob-standin.js'
import {readAllRaw, seedJobs} from './archive-helpers.js'

let blob: VercelBlobStandin
let home: {home: string; cleanup: () => void}

beforeAll(async () => {
  home = tempHome()
  blob = await startVercelBlobStandin({maxBlobSize: 64 * 1024 * 1024})
  Object.assign(process.env, blob.env(), {VERCEL_BLOB_RETRIES: '0'}) // the SDK reads its API base from the process environment
})
afterAll(async () => {
  await blob?.stop()
  home?.cleanup()
})

const bucket = (prefix: string, extra: Partial<ConstructorParameters<typeof VercelBlobBucket>[0]> = {}) => new VercelBlobBucket({token: blob.token, prefix, ...extra})
const env = (extra: NodeJS.ProcessEnv = {}) => isolatedEnv(home.home, {...blob.env(), ...extra})

let contractBucket: ReturnType<typeof countedBucket<VercelBlobBucket>>
describeLiveStoreContract(
  'object store on the Vercel Blob stand-in',
  async () => {
    contractBucket = countedBucket(bucket('contract'))
    return new ObjectLiveStore({bucket: contractBucket.bucket})
  },
  // A follower of a job that does not exist yet polls: it is waiting once it looks into the bucket again.
  () => contractBucket.untilPolled(),
)

describe('vercel-blob:// from the command line', () => {
  it('push buffers into private blobs, get reads them byte for byte, and the ended job is one zcat-readable blob', async () => {
    const input = Buffer.concat([Buffer.from('one\n'), Buffer.from([0xff, 0x00, 0x1b]), Buffer.from('[31mred\r\nlast')])
    const pushed = await runCli(['push', '--job', 'vb-1', '--store', 'vercel-blob://live/cli', '--exit-code', '0'], {env: env(), input})
    expect([pushed.code, pushed.stderr]).toEqual([0, ''])
    expect(blob.pathnames()).toEqual(expect.arrayContaining(['live/cli/vb-1.jsonl.zst', 'live/cli/vb-1.meta.json']))
    const got = await runCli(['get', 'vb-1', '--store', 'vercel-blob://live/cli', '--archive', 'vercel-blob://live/cli', '--output', 'raw'], {env: env()})
    expect(got.code).toBe(0)
    expect(got.stdoutBytes.equals(input)).toBe(true)
  })

  it('archive moves jobs from a file live store into Vercel Blob, byte-exact', async () => {
    const live = `file://${home.home}/live-vb`
    const expected = await seedJobs(live, env(), 'vba', 5)
    const result = await runCli(['archive', '--store', live, '--archive', 'vercel-blob://arch', '--json'], {env: env()})
    expect([result.code, result.stderr]).toEqual([0, ''])
    const back = await readAllRaw(live, 'vercel-blob://arch', env(), [...expected.keys()])
    for (const [id, bytes] of expected) expect(back.get(id)?.equals(bytes), id).toBe(true)
  })

  it('gc deletes archived jobs past retention and rm deletes one, from the Blob store', async () => {
    const live = `file://${home.home}/live-vb-gc`
    const archive = 'vercel-blob://gcrm'
    await seedJobs(live, env(), 'old', 2, {endedAt: Date.now() - 10 * 86_400_000})
    await seedJobs(live, env(), 'new', 2)
    expect((await runCli(['archive', '--store', live, '--archive', archive], {env: env()})).code).toBe(0)
    const under = () =>
      [
        ...new Set(
          blob
            .pathnames()
            .filter((p) => p.startsWith('gcrm/') && !p.startsWith('gcrm/.'))
            .map((p) => p.slice(5).split('.')[0]),
        ),
      ].sort()
    expect(under()).toEqual(['new-1', 'new-2', 'old-1', 'old-2'])
    const gc = await runCli(['gc', '--store', live, '--archive', archive, '--older-than', '7d'], {env: env()})
    expect(gc.code).toBe(0)
    expect(under()).toEqual(['new-1', 'new-2'])
    const rm = await runCli(['rm', 'new-1', '--store', live, '--archive', archive], {env: env()})
    expect(rm.code).toBe(0)
    expect(under()).toEqual(['new-2'])
    expect((await runCli(['get', 'new-1', '--store', live, '--archive', archive], {env: env()})).code).toBe(1)
  })

  it('a missing token is a usage error (exit 2) naming BLOB_READ_WRITE_TOKEN', async () => {
    const result = await runCli(['get', 'x', '--store', 'vercel-blob://live'], {env: env({BLOB_READ_WRITE_TOKEN: ''})})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/BLOB_READ_WRITE_TOKEN/)
  })

  it('takes the token from the config file (blobToken) when the environment has none', async () => {
    const config = join(home.home, 'blob-config.json')
    writeFileSync(config, JSON.stringify({blobToken: blob.token}))
    const fromFile = env({BLOB_READ_WRITE_TOKEN: '', LOGS_CONFIG: config})
    const pushed = await runCli(['push', '--job', 'configured', '--store', 'vercel-blob://live/configured'], {env: fromFile, input: 'from the config\n'})
    expect(pushed).toMatchObject({code: 0, stderr: ''})
    const got = await runCli(['get', 'configured', '--store', 'vercel-blob://live/configured'], {env: fromFile})
    expect(got).toMatchObject({code: 0, stdout: 'from the config\n'})
    writeFileSync(config, JSON.stringify({blobToken: 42}))
    const bad = await runCli(['get', 'configured', '--store', 'vercel-blob://live/configured'], {env: fromFile})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/blobToken must be a non-empty string/)
  })

  it('a wrong token: access refused, exit 1, names BLOB_READ_WRITE_TOKEN, never prints the token', async () => {
    const wrong = `vercel_blob_rw_${blob.storeId}_notthesecret`
    const result = await runCli(['push', '--job', 'denied', '--store', 'vercel-blob://live/denied'], {env: env({BLOB_READ_WRITE_TOKEN: wrong}), input: 'a\n'})
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/access refused.*BLOB_READ_WRITE_TOKEN/)
    expect(result.stderr).not.toContain('notthesecret')
  })

  it('a public store is written only with ?access=public, which warns that public blobs are readable by anyone', async () => {
    const open = await startVercelBlobStandin({access: 'public'})
    try {
      const refused = await runCli(['push', '--job', 'p', '--store', 'vercel-blob://pub'], {env: env(open.env()), input: 'a\n'})
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/private access on a public store/)
      const allowed = await runCli(['push', '--job', 'p', '--store', 'vercel-blob://pub?access=public', '--exit-code', '0'], {env: env(open.env()), input: 'a\n'})
      expect(allowed.code).toBe(0)
      expect(allowed.stderr).toMatch(/public blobs, readable by anyone who has their URL/)
    } finally {
      await open.stop()
    }
  })
})

describe('Vercel Blob bucket', () => {
  it('creates exclusively with allowOverwrite: false and overwrites otherwise', async () => {
    const b = bucket('excl')
    expect(await b.writeBytes('k', Buffer.from('a'), {exclusive: true})).toBe(true)
    expect(await b.writeBytes('k', Buffer.from('b'), {exclusive: true})).toBe(false)
    expect(await b.writeBytes('k', Buffer.from('c'))).toBe(true)
    expect(blob.blob('excl/k')?.toString()).toBe('c')
  })

  // The stand-in's CDN serves an overwritten blob's previous version for a minute to a read
  // without cache=0 (Vercel's changelog); metadata, manifests and lock claims are overwritten.
  it('reads the latest write of an overwritten blob, whole and by range, past the CDN', async () => {
    const b = bucket('fresh')
    await b.writeBytes('meta.json', Buffer.from('{"lines":1}'))
    expect((await readBytes(b, 'meta.json'))?.toString()).toBe('{"lines":1}')
    await b.writeBytes('meta.json', Buffer.from('{"lines":2}'))
    expect((await readBytes(b, 'meta.json'))?.toString()).toBe('{"lines":2}')
    expect((await readBytes(b, 'meta.json', {offset: 9, length: 1}))?.toString()).toBe('2')
  })

  it('uploads a big stream as a multipart upload of 8 MiB parts and reads ranges of it', async () => {
    const data = randomBytes(20 * 1024 * 1024 + 123)
    const before = blob.requests.length
    const stored = await bucket('mpu').writeStream('big', Readable.from([data.subarray(0, 1000), data.subarray(1000)]))
    expect(stored).toEqual([{key: 'big', size: data.length}])
    expect(blob.requests.slice(before).filter((r) => r === 'POST /mpu')).toHaveLength(5) // create, 3 parts, complete
    expect(blob.blob('mpu/big')?.equals(data)).toBe(true)
    expect((await readBytes(bucket('mpu'), 'big', {offset: 9_000_000, length: 1000}))?.equals(data.subarray(9_000_000, 9_001_000))).toBe(true)
  })

  it('lists with cursor pagination and deletes; a deleted blob reads as absent', async () => {
    const b = bucket('page', {listPageSize: 3})
    for (let i = 0; i < 7; i++) await b.writeBytes(`k${i}`, Buffer.from(String(i)))
    expect((await collect(b.list(''))).map((o) => o.key).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6'])
    await b.delete(['k0', 'k1', 'gone'])
    expect(await b.readStream('k0')).toBeUndefined()
    expect(await b.stat('k2')).toMatchObject({key: 'k2', size: 1})
  })

  it('retries 503, 429 with Retry-After, resets and a download cut part-way; the archive stays byte-exact', async () => {
    const archive = new BlobArchive({bucket: bucket('flaky')})
    const entries = Array.from({length: 600}, (_, i) => entryFromBytes(i + 1, 1000 + i, Buffer.from(`line ${i + 1}`), true)) // blocks under the size that goes to worker threads (not built under vitest)
    blob.inject(
      {kind: 'status', status: 503, contentType: 'application/json', body: JSON.stringify({error: {code: 'service_unavailable', message: 'down'}})},
      {count: 3, match: (m, p) => p.startsWith('/api/blob')},
    )
    blob.inject(
      {kind: 'status', status: 429, retryAfter: '1', contentType: 'application/json', body: JSON.stringify({error: {code: 'rate_limited', message: 'slow down'}})},
      {count: 1, match: (m, p) => p.startsWith('/api/blob')},
    )
    blob.inject({kind: 'reset'}, {count: 2, match: (m, p) => p.startsWith('/api/blob')})
    blob.inject({kind: 'cut', afterBytes: 100}, {count: 2, match: (m, p) => m === 'GET' && p.startsWith('/blob/') && p.endsWith('.jsonl.zst')})
    const served = blob.faults.served
    await archive.put({...newJobMeta('flaky', 1000), status: 'succeeded', exitCode: 0, endedAt: 5000, lines: entries.length}, iterate(entries))
    const back = await collect(archive.read('flaky'))
    expect(back.map((e) => e.seq)).toEqual(entries.map((e) => e.seq))
    expect(blob.faults.served - served).toBe(8)
  })

  it('a Blob API that accepts a request and never answers: each call is bounded, retried, and fails as transient once the retries run out', async () => {
    const quick = bucket('hung', {answerTimeoutMs: 300, retry: QUICK_RETRY})
    await quick.writeBytes('k', Buffer.from('kept'))
    const served = blob.faults.served
    blob.inject({kind: 'silence'}, {count: 1, match: (m, p) => p.startsWith('/api/blob')})
    expect(await quick.stat('k')).toMatchObject({key: 'k', size: 4}) // the hung head, then a retry that is answered
    expect(blob.faults.served - served).toBe(1)
    blob.inject({kind: 'silence'}, {match: (m, p) => p.startsWith('/api/blob')})
    try {
      for (const call of [() => quick.writeBytes('k2', Buffer.from('x')), () => quick.stat('k'), () => collect(quick.list(''))]) {
        const error = await call().catch((caught: unknown) => caught)
        expect(error).toMatchObject({kind: 'unavailable', transient: true, message: expect.stringMatching(/no answer within 0\.3\d*s \(TimeoutError\)/)})
      }
    } finally {
      blob.faults.clear()
    }
  })

  it('a blob over the size limit fails at once as too large; a wrong token as access refused', async () => {
    const small = await startVercelBlobStandin({maxBlobSize: 100})
    try {
      process.env.VERCEL_BLOB_API_URL = small.env().VERCEL_BLOB_API_URL
      const tooLarge = await new VercelBlobBucket({token: small.token, prefix: 'x', retry: QUICK_RETRY}).writeBytes('k', Buffer.alloc(101)).catch((error: unknown) => error)
      expect(tooLarge).toMatchObject({kind: 'too-large', transient: false})
      const denied = await new VercelBlobBucket({token: blob.token, prefix: 'x', retry: QUICK_RETRY}).stat('k').catch((error: unknown) => error)
      expect(denied).toBeInstanceOf(ObjectStoreError)
      expect(denied).toMatchObject({kind: 'unauthorized', transient: false})
    } finally {
      process.env.VERCEL_BLOB_API_URL = blob.env().VERCEL_BLOB_API_URL
      await small.stop()
    }
  })
})
