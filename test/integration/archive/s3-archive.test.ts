/**
 * What S3 requires and s3rver does not check: part sizes (asserted on the requests we
 * send), abort on failure and lifecycle rules (against a recorded request contract,
 * since s3rver answers 405/501 to those), pagination, conditional lock writes.
 */
import {randomBytes} from 'node:crypto'
import {Readable} from 'node:stream'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {readBytes} from '../../../src/lib/store/object/bucket.js'
import {ObjectStoreError} from '../../../src/lib/errors/index.js'
import {S3Bucket} from '../../../src/lib/store/object/s3-bucket.js'
import {MIN_PART_SIZE} from '../../../src/lib/store/object/s3-upload.js'
import {QUICK_RETRY} from '../../helpers/quick-retry.js'
import {startS3ContractServer} from '../../helpers/s3-contract-server.js'
import {recordS3Requests, startS3Server, type S3Server} from '../../helpers/s3-server.js'

let s3: S3Server
beforeAll(async () => {
  s3 = await startS3Server()
  await s3.createBucket('parts')
})
afterAll(async () => {
  await s3?.destroy()
})

/** A stream of `size` random bytes in odd-sized chunks, as gzip output arrives. */
function randomStream(size: number, chunk = 1_000_003): {stream: Readable; data: Buffer} {
  const data = randomBytes(size)
  const pieces: Buffer[] = []
  for (let at = 0; at < size; at += chunk) pieces.push(data.subarray(at, at + chunk))
  return {stream: Readable.from(pieces), data}
}

describe('S3 multipart upload (s3rver; part sizes asserted on the requests sent)', () => {
  it('sends every part but the last at exactly the part size (never under 5 MiB) and stores the bytes intact', async () => {
    const client = s3.client()
    const requests = recordS3Requests(client)
    const bucket = new S3Bucket({client, bucket: 'parts', prefix: 'mp', partSize: MIN_PART_SIZE})
    const {stream, data} = randomStream(2 * MIN_PART_SIZE + 1234567)
    const [stored] = await bucket.writeStream('big.jsonl.gz', stream)
    expect(stored.size).toBe(data.length)
    const parts = requests.filter((r) => r.command === 'UploadPartCommand')
    expect(parts.map((p) => p.bodyBytes)).toEqual([MIN_PART_SIZE, MIN_PART_SIZE, 1234567])
    for (const part of parts.slice(0, -1)) expect(part.bodyBytes).toBeGreaterThanOrEqual(MIN_PART_SIZE)
    expect(requests.map((r) => r.command)).toContain('CompleteMultipartUploadCommand')
    expect((await readBytes(bucket, 'big.jsonl.gz'))?.equals(data)).toBe(true)
  })

  it('sends a body smaller than one part as a single PutObject with a Buffer body', async () => {
    const client = s3.client()
    const requests = recordS3Requests(client)
    const bucket = new S3Bucket({client, bucket: 'parts', prefix: 'mp'})
    const {stream, data} = randomStream(300_000, 4096)
    await bucket.writeStream('small.jsonl.gz', stream)
    expect(requests.map((r) => r.command)).toEqual(['PutObjectCommand'])
    expect(requests[0].bodyBytes).toBe(data.length)
    expect((await readBytes(bucket, 'small.jsonl.gz'))?.equals(data)).toBe(true)
  })

  it('refuses a part size under 5 MiB before sending anything', () => {
    const bucket = new S3Bucket({client: s3.client(), bucket: 'parts', prefix: 'mp', partSize: MIN_PART_SIZE - 1})
    return expect(bucket.writeStream('x', Readable.from([Buffer.alloc(10)]))).rejects.toThrow(/5 MiB/)
  })

  it('lists past the first page with ListObjectsV2 continuation tokens', async () => {
    const client = s3.client()
    const requests = recordS3Requests(client)
    const bucket = new S3Bucket({client, bucket: 'parts', prefix: 'page', listPageSize: 3})
    for (let i = 0; i < 8; i++) await bucket.writeBytes(`k${i}`, Buffer.from(String(i)))
    const keys: string[] = []
    for await (const object of bucket.list('')) keys.push(object.key)
    expect(keys.sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'])
    const lists = requests.filter((r) => r.command === 'ListObjectsV2Command')
    expect(lists).toHaveLength(3)
    expect(lists[1].input.ContinuationToken).toBeTruthy()
  })

  it('reports an unreachable endpoint as an unavailable object store', async () => {
    s3.client().destroy()
    const bucket = new S3Bucket({client: (await import('../../helpers/s3-server.js')).s3rverClient('http://127.0.0.1:9'), bucket: 'parts', prefix: '', retry: QUICK_RETRY})
    const failure = await bucket.writeBytes('k', Buffer.from('x')).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ObjectStoreError)
    expect((failure as ObjectStoreError).kind).toBe('unavailable')
  })
})

describe('S3 request contract (recorded responses; s3rver cannot serve these calls)', () => {
  it('contract: retries a part that keeps failing with 500, then aborts the multipart upload, after in-flight parts settle', async () => {
    const server = await startS3ContractServer({failParts: [2]})
    try {
      const bucket = new S3Bucket({client: server.client(), bucket: 'b', prefix: 'logs', partSize: MIN_PART_SIZE, retry: QUICK_RETRY})
      const failure = await bucket.writeStream('job.jsonl.gz', randomStream(3 * MIN_PART_SIZE + 10).stream).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(ObjectStoreError)
      const aborts = server.find('DELETE', 'uploadId')
      expect(aborts).toHaveLength(1)
      expect(aborts[0].path).toBe('/b/logs/job.jsonl.gz')
      expect(aborts[0].query.get('uploadId')).toBe('upload-1')
      expect(server.find('POST', 'uploadId')).toHaveLength(0) // never completed
      expect(server.find('PUT', 'partNumber').filter((p) => p.query.get('partNumber') === '2').length).toBeGreaterThan(3) // 500 is transient: retried under the policy, past the SDK's own 3 attempts
      const lastPartAt = Math.max(...server.requests.map((r, i) => (r.query.has('partNumber') ? i : -1)))
      expect(server.requests.indexOf(aborts[0])).toBeGreaterThan(lastPartAt)
      const parts = server.find('PUT', 'partNumber')
      const lastNumber = Math.max(...parts.map((p) => Number(p.query.get('partNumber'))))
      for (const part of parts.filter((p) => Number(p.query.get('partNumber')) < lastNumber)) expect(part.body.length).toBe(MIN_PART_SIZE)
    } finally {
      await server.stop()
    }
  })

  it('contract: aborts the upload when the source stream fails mid-way', async () => {
    const server = await startS3ContractServer()
    try {
      const bucket = new S3Bucket({client: server.client(), bucket: 'b', prefix: '', partSize: MIN_PART_SIZE})
      async function* failing(): AsyncIterable<Buffer> {
        yield randomBytes(MIN_PART_SIZE + 100)
        yield randomBytes(MIN_PART_SIZE)
        throw new Error('live store connection lost')
      }
      await expect(bucket.writeStream('job.jsonl.gz', Readable.from(failing()))).rejects.toThrow('live store connection lost')
      expect(server.find('DELETE', 'uploadId')).toHaveLength(1)
    } finally {
      await server.stop()
    }
  })

  it('contract: lists multipart uploads and aborts the stale ones', async () => {
    const day = 86_400_000
    const server = await startS3ContractServer({
      uploads: [
        {key: 'logs/old.jsonl.gz', uploadId: 'u-old', initiated: new Date(Date.now() - 2 * day)},
        {key: 'logs/new.jsonl.gz', uploadId: 'u-new', initiated: new Date()},
      ],
    })
    try {
      const bucket = new S3Bucket({client: server.client(), bucket: 'b', prefix: 'logs'})
      const stale = await bucket.staleUploads(Date.now() - day)
      expect(stale.map((u) => [u.key, u.uploadId])).toEqual([['old.jsonl.gz', 'u-old']])
      expect(server.find('GET', 'uploads')[0].query.get('prefix')).toBe('logs/')
      await bucket.abortUpload('old.jsonl.gz', 'u-old')
      const abort = server.find('DELETE', 'uploadId')[0]
      expect([abort.path, abort.query.get('uploadId')]).toEqual(['/b/logs/old.jsonl.gz', 'u-old'])
    } finally {
      await server.stop()
    }
  })

  it('contract: installs a lifecycle rule (expiry + abort incomplete uploads) and keeps other rules', async () => {
    const server = await startS3ContractServer({
      lifecycleRulesXml: '<Rule><ID>someone-else</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>',
    })
    try {
      const bucket = new S3Bucket({client: server.client(), bucket: 'b', prefix: 'logs'})
      expect(await bucket.applyLifecycle(7)).toBe('logs-retention-logs')
      const [put] = server.find('PUT', 'lifecycle')
      const xml = put.body.toString()
      expect(xml).toContain('<ID>someone-else</ID>')
      expect(xml).toMatch(/<ID>logs-retention-logs<\/ID>/)
      expect(xml).toMatch(/<Prefix>logs\/<\/Prefix>/)
      expect(xml).toMatch(/<Expiration><Days>7<\/Days><\/Expiration>/)
      expect(xml).toMatch(/<AbortIncompleteMultipartUpload><DaysAfterInitiation>1<\/DaysAfterInitiation><\/AbortIncompleteMultipartUpload>/)
      expect(put.headers['content-md5'] ?? put.headers['x-amz-checksum-crc32'] ?? put.headers['x-amz-sdk-checksum-algorithm']).toBeTruthy()
    } finally {
      await server.stop()
    }
  })

  it('contract: creates lock objects with If-None-Match: * and treats 412 as "taken"', async () => {
    const server = await startS3ContractServer()
    try {
      const bucket = new S3Bucket({client: server.client(), bucket: 'b', prefix: 'logs'})
      expect(await bucket.writeBytes('.locks/j.lock', Buffer.from('{}'), {exclusive: true})).toBe(true)
      expect(server.requests.at(-1)?.headers['if-none-match']).toBe('*')
      expect(await bucket.writeBytes('.locks/j.lock', Buffer.from('{}'), {exclusive: true})).toBe(false)
      expect(await bucket.writeBytes('.locks/j.lock', Buffer.from('{}'))).toBe(true)
      expect(server.requests.at(-1)?.headers['if-none-match']).toBeUndefined()
    } finally {
      await server.stop()
    }
  })
})
