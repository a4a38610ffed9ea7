/**
 * `push --store s3://…|supabase://…`: the object-store LiveStore against s3rver and the
 * Supabase stand-in — the shared LiveStore contract, chunk objects and their assembly —
 * and the CLI end to end (push with a short --flush-interval, get from chunks and from the
 * final object, zstdcat-readable result).
 */
import {execFileSync} from 'node:child_process'
import {readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {chunkDir} from '../../../src/lib/archive/chunk-layout.js'
import {rawBytes, type LogEntry, type NewEntry} from '../../../src/lib/entry.js'
import {packEntries} from '../../../src/lib/store/packed-entries.js'
import {readBytes} from '../../../src/lib/store/object/bucket.js'
import {ObjectLiveStore} from '../../../src/lib/archive/object-live-store.js'
import {archiveJobs} from '../../../src/lib/archive/archive-jobs.js'
import {BlobArchive} from '../../../src/lib/archive/blob-archive.js'
import {Jobs} from '../../../src/lib/store/jobs.js'
import {DirectoryBucket} from '../../../src/lib/store/object/directory-bucket.js'
import {S3Bucket} from '../../../src/lib/store/object/s3-bucket.js'
import {SupabaseBucket, openSupabaseClient} from '../../../src/lib/store/object/supabase-bucket.js'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {countedBucket} from '../../helpers/follower-waiting.js'
import {describeLiveStoreContract} from '../../helpers/live-store-contract.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {seededRandom} from '../../helpers/seeded-random.js'
import {waitUntil} from '../../helpers/wait.js'
import {startTogether} from '../../helpers/start-together.js'

let s3: S3Server
let supabase: SupabaseStandin
let home: {home: string; cleanup: () => void}

beforeAll(async () => {
  home = tempHome()
  ;[s3, supabase] = await startTogether([startS3Server(), startSupabaseStandin()])
  await s3.createBucket('live')
  supabase.seed('live', []) // the bucket a push creates as it opens the store (OpenContext createsBucket)
})
afterAll(async () => {
  await Promise.all([s3?.destroy(), supabase?.stop()])
  home?.cleanup()
})

// A follower of a job that does not exist yet polls: it is waiting once it looks into the bucket again.
let s3Bucket: ReturnType<typeof countedBucket<S3Bucket>>
describeLiveStoreContract(
  'object store on s3rver',
  async () => {
    s3Bucket = countedBucket(new S3Bucket({client: s3.client(), bucket: 'live', prefix: 'contract'}))
    return new ObjectLiveStore({bucket: s3Bucket.bucket})
  },
  () => s3Bucket.untilPolled(),
)
let supabaseBucket: ReturnType<typeof countedBucket<SupabaseBucket>>
describeLiveStoreContract(
  'object store on the Supabase stand-in',
  async () => {
    supabaseBucket = countedBucket(new SupabaseBucket(openSupabaseClient(new URL('supabase://live/contract'), {from: 'test', what: 'live store', env: supabase.env()})))
    return new ObjectLiveStore({bucket: supabaseBucket.bucket})
  },
  () => supabaseBucket.untilPolled(),
)

describe('object live store: chunks and assembly', () => {
  it('writes one chunk object per append, assembles them into the archive layout at the end and deletes them', async () => {
    const bucket = new S3Bucket({client: s3.client(), bucket: 'live', prefix: 'assembly'})
    const store = new ObjectLiveStore({bucket})
    await store.startJob('chunked')
    await store.append('chunked', [
      {ts: 1, bytes: Buffer.from('a'), eol: true},
      {ts: 2, bytes: Buffer.from('b'), eol: true},
    ])
    await store.append('chunked', [{ts: 3, bytes: Buffer.from([0xff, 0x00]), eol: false}])
    const keys = async (prefix: string): Promise<string[]> => {
      const out: string[] = []
      for await (const object of bucket.list(prefix)) out.push(object.key)
      return out.sort()
    }
    expect(await keys(chunkDir('chunked'))).toEqual([
      '.chunks/chunked/000000000001-000000000002.jsonl.gz',
      '.chunks/chunked/000000000003-000000000003.jsonl.gz',
      '.chunks/chunked/meta.json',
    ])
    const ended = await store.endJob('chunked', {status: 'succeeded', exitCode: 0})
    expect(ended.location).toMatchObject({kind: 'archived', url: 's3://live/assembly/chunked.jsonl.zst'})
    expect(await keys(chunkDir('chunked'))).toEqual([])
    expect(await keys('chunked')).toEqual(['chunked.jsonl.zst', 'chunked.jsonl.zst.idx', 'chunked.meta.json'])
    const lines: string[] = []
    for await (const entry of store.read('chunked')) lines.push(entry.line)
    expect(lines).toEqual(['a', 'b', '\ufffd\u0000'])

    // pushing to an ended job appends: seqs continue after the assembled object
    await store.startJob('chunked')
    const next = await store.append('chunked', [{ts: 4, bytes: Buffer.from('c'), eol: true}])
    expect(next).toEqual({first: 4, last: 4})
    const seqs: number[] = []
    for await (const entry of store.read('chunked', {after: 1})) seqs.push(entry.seq)
    expect(seqs).toEqual([2, 3, 4])
    await store.endJob('chunked', {status: 'ended'})
    const all: string[] = []
    for await (const entry of store.read('chunked')) all.push(`${entry.seq}:${entry.line}`)
    expect(all).toEqual(['1:a', '2:b', '3:\ufffd\u0000', '4:c'])
    await store.close()
  })

  it("appendPacked stores a shipper's packed batch as its entries: fields, record marks, counts, masked, times; a re-sent token is a duplicate", async () => {
    const store = new ObjectLiveStore({bucket: new S3Bucket({client: s3.client(), bucket: 'live', prefix: 'packed'})})
    await store.startJob('packed')
    // More lines than one chunk of the codec holds (256), so the batch spans several.
    const entries: NewEntry[] = Array.from({length: 600}, (_, i) => ({
      ts: 1000 + Math.floor(i / 7),
      bytes: i === 5 ? Buffer.from([0x66, 0xff, 0x00]) : Buffer.from(`line ${i}`),
      eol: i !== 599,
      level: i % 3 === 0 ? 'error' : undefined,
      stream: i % 2 === 0 ? 'stderr' : 'stdout',
      masked: i % 100 === 0 ? 2 : undefined,
      record: i === 10 ? 'start' : i === 11 || i === 12 ? 'continuation' : undefined,
    }))
    const token = {writer: 'w', batch: 600}
    expect(await store.appendPacked('packed', packEntries(entries), token)).toEqual({first: 1, last: 600})
    expect(await store.appendPacked('packed', packEntries(entries), token)).toMatchObject({duplicate: true})
    const meta = await store.getJob('packed')
    expect(meta).toMatchObject({lines: 600, firstTs: 1000, lastTs: 1000 + Math.floor(599 / 7), levels: {error: 200}, masked: 12})
    expect(meta!.bytes).toBe(entries.reduce((sum, e) => sum + e.bytes.length + (e.eol ? 1 : 0), 0))
    const got: LogEntry[] = []
    for await (const entry of store.read('packed')) got.push(entry)
    expect(got.map((e) => [e.seq, e.ts, rawBytes(e).toString('latin1'), e.level, e.stream, e.record])).toEqual(
      entries.map((e, i) => [i + 1, e.ts, Buffer.concat([e.bytes, Buffer.from(e.eol ? '\n' : '')]).toString('latin1'), e.level, e.stream, e.record]),
    )
    await store.close()
  })
  // The shipper keeps its next append queued behind the one being written (appendWindow): it
  // runs under the lock already held and with the metadata already known, 2 requests (chunk,
  // metadata) instead of 7 (the lock taken: list, write its claim, list; the metadata
  // read; chunk; metadata; the lock released: delete its claim).
  it('appends queued behind one another run under one taking of the lock, the metadata read once', async () => {
    const requests: string[] = []
    const s3Bucket = new S3Bucket({client: s3.client(), bucket: 'live', prefix: 'held'})
    const bucket = new Proxy(s3Bucket, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          if (property === 'writeBytes' || property === 'readStream' || property === 'writeStream')
            requests.push(`${String(property)} ${String(args[0])}${(args[2] as {exclusive?: boolean} | undefined)?.exclusive ? ' exclusive' : ''}`)
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    })
    const store = new ObjectLiveStore({bucket})
    await store.startJob('held')
    requests.length = 0
    const appends = Array.from({length: 6}, (_, batch) =>
      store.appendPacked('held', packEntries([{ts: batch, bytes: Buffer.from(`line ${batch + 1}`), eol: true}]), {writer: 'w', batch: batch + 1, after: batch}),
    )
    expect(await Promise.all(appends)).toEqual(Array.from({length: 6}, (_, i) => ({first: i + 1, last: i + 1})))
    // The last append is answered once the lock is released: a push that exits then leaves none behind.
    const left: string[] = []
    for await (const object of s3Bucket.list('.locks/')) left.push(object.key)
    expect(left).toEqual([])
    expect(requests.filter((r) => r.startsWith('writeBytes .locks/'))).toEqual([expect.stringMatching(/^writeBytes \.locks\/held\.[0-9a-f]+\.claim$/)])
    expect(requests.filter((r) => r === 'readStream .chunks/held/meta.json')).toHaveLength(1)
    expect(requests.filter((r) => r.startsWith('writeStream .chunks/held/'))).toHaveLength(6)
    const lines: string[] = []
    for await (const entry of store.read('held')) lines.push(`${entry.seq}:${entry.line}`)
    expect(lines).toEqual(Array.from({length: 6}, (_, i) => `${i + 1}:line ${i + 1}`))
    await store.close()
  })
})

describe('archive from an object live store', () => {
  it('moves assembled jobs into another archive, and leaves them alone when the archive is the same store', async () => {
    const store = new ObjectLiveStore({bucket: new S3Bucket({client: s3.client(), bucket: 'live', prefix: 'moving'})})
    await store.startJob('pushed')
    await store.append('pushed', [{ts: 1, bytes: Buffer.from('x'), eol: true}])
    await store.endJob('pushed', {status: 'succeeded', exitCode: 0})
    const same = await archiveJobs({live: store, archive: store.archive})
    expect(same.jobs).toEqual([expect.objectContaining({id: 'pushed', result: 'skipped', reason: 'already in this archive'})])
    const elsewhere = new BlobArchive({bucket: new DirectoryBucket(join(home.home, 'moved-archive'))})
    const moved = await archiveJobs({live: store, archive: elsewhere})
    expect(moved.jobs).toEqual([expect.objectContaining({id: 'pushed', result: 'archived'})])
    expect(await store.getJob('pushed')).toBeUndefined()
    const jobs = new Jobs({live: store, archive: elsewhere})
    const lines: string[] = []
    for await (const entry of jobs.read('pushed')) lines.push(entry.line)
    expect(lines).toEqual(['x'])
    expect((await jobs.getJob('pushed'))?.location).toMatchObject({kind: 'archived', url: expect.stringMatching(/^file:.*moved-archive\/pushed\.jsonl\.zst$/)})
  })
})

describe('logs push --store s3://… (buffered, end to end)', () => {
  const env = (): NodeJS.ProcessEnv => isolatedEnv(home.home, {...s3.env(), AWS_EC2_METADATA_DISABLED: 'true'})

  it('flushes chunks while the input is open, writes one zstdcat-readable object at EOF, and get reads both byte for byte', async () => {
    const store = 's3://live/pushed'
    const first = Buffer.from('first line\n\u001b[31mred\u001b[0m\r\n')
    const second = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from('\nlast without newline')])
    const push = startCli(['push', '--job', 'buffered', '--store', store, '--flush-interval', '200ms', '--exit-code', '0'], {env: env()})
    const pushed = collect(push)
    push.stdin!.write(first)
    let midway: Buffer | undefined
    for (let i = 0; i < 100 && !midway; i++) {
      await new Promise((r) => setTimeout(r, 100))
      const got = await runCli(['get', 'buffered', '--store', store, '--output', 'raw'], {env: env()})
      if (got.code === 0 && got.stdoutBytes.length > 0) midway = got.stdoutBytes
    }
    expect(midway?.equals(first)).toBe(true) // read from chunk objects while the job runs
    push.stdin!.end(second)
    const done = await pushed
    expect(done.stderr).toBe('')
    expect(done.code).toBe(0)
    const got = await runCli(['get', 'buffered', '--store', store, '--output', 'raw'], {env: env()})
    expect(got.stdoutBytes.equals(Buffer.concat([first, second]))).toBe(true)
    const object = await readBytes(new S3Bucket({client: s3.client(), bucket: 'live', prefix: 'pushed'}), 'buffered.jsonl.zst')
    expect(execFileSync('sh', ['-c', 'zstdcat | jq -r .seq'], {input: object}).toString()).toBe('1\n2\n3\n4\n')
    const shown = JSON.parse((await runCli(['ls', '--json', '--store', store, '--archive', store], {env: env()})).stdout) as Array<{id: string; status: string}>
    expect(shown).toEqual([expect.objectContaining({id: 'buffered', status: 'succeeded'})])
  })

  it('after push is killed (-9) with lines not yet flushed, the next push delivers them first: nothing read is lost', async () => {
    const store = 's3://live/killed'
    const push = startCli(['push', '--job', 'killed', '--store', store, '--flush-interval', '1h'], {env: env()})
    const exited = collect(push)
    push.stdin!.write('one\ntwo\n')
    const spool = join(env().XDG_STATE_HOME!, 'logs', 'spool')
    for (let i = 0; i < 200 && spooledBytes(spool) < 8; i++) await new Promise((r) => setTimeout(r, 50))
    expect(spooledBytes(spool)).toBeGreaterThanOrEqual(8)
    push.kill('SIGKILL')
    expect((await exited).signal).toBe('SIGKILL')
    const next = await runCli(['push', '--job', 'killed', '--store', store, '--exit-code', '0'], {env: env(), input: 'three\n'})
    expect(next.code).toBe(0)
    const got = await runCli(['get', 'killed', '--store', store, '--output', 'raw'], {env: env()})
    expect(got.stdout).toBe('one\ntwo\nthree\n')
  })
})

describe('logs push --store supabase://…?part-size= (chunks stored as parts)', () => {
  const env = (): NodeJS.ProcessEnv => isolatedEnv(home.home, supabase.env())

  it('a chunk object bigger than the part size is stored as parts, and read back whole while the job runs and after it ends', async () => {
    const store = 'supabase://live/small-parts?part-size=4096'
    const random = seededRandom(5)
    const lines = (from: number, n: number) => Array.from({length: n}, (_, i) => `line ${from + i} ${Math.floor(random() * 2 ** 48).toString(36)}\n`).join('')
    const first = Buffer.from(lines(0, 2000))
    const second = Buffer.from(lines(2000, 2000))
    const push = startCli(['push', '--job', 'parted', '--store', store, '--flush-interval', '100ms', '--exit-code', '0'], {env: env()})
    const pushed = collect(push)
    push.stdin!.write(first)
    const read = () => runCli(['get', 'parted', '--store', store, '--output', 'raw'], {env: env()})
    const midway = await waitUntil(
      async () => {
        const got = await read()
        return got.stdoutBytes.length >= first.length ? got : undefined
      },
      {what: 'the first lines read from the chunk objects'},
    )
    expect(midway.stderr).toBe('')
    expect(midway.stdoutBytes.equals(first)).toBe(true)
    expect(supabase.keys('live')!.some((key) => /^small-parts\/\.chunks\/parted\/.*\.jsonl\.gz\.001$/.test(key))).toBe(true)
    push.stdin!.end(second)
    const done = await pushed
    expect(done.stderr).toBe('')
    expect(done.code).toBe(0)
    const got = await read()
    expect(got.stdoutBytes.equals(Buffer.concat([first, second]))).toBe(true)
  })
})

/** Bytes in spool log files (the push pipeline's local spool, before any flush). */
function spooledBytes(dir: string): number {
  let total = 0
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, {withFileTypes: true})) {
      const child = join(path, entry.name)
      if (entry.isDirectory()) walk(child)
      else if (entry.name === 'log') total += statSync(child).size
    }
  }
  try {
    walk(dir)
  } catch {
    return 0
  }
  return total
}

describe('the Supabase live store: jobs whose ids differ only in case', () => {
  const cases = async (store: ObjectLiveStore) => {
    for (const [id, word] of [
      ['Build-1', 'upper'],
      ['build-1', 'lower'],
    ]) {
      await store.startJob(id)
      const [one, two] = [1, 2].map((n) => ({ts: n, bytes: Buffer.from(`${word} ${n}`), eol: true}))
      // Chunks of other names: Build-1's 1-1 and 2-2, build-1's 1-2.
      if (word === 'upper') for (const entry of [one, two]) await store.append(id, [entry])
      else await store.append(id, [one, two])
    }
    const lines = async (id: string) => {
      const out: string[] = []
      for await (const entry of store.read(id)) out.push(`${entry.seq}:${entry.line}`)
      return out
    }
    return {lines}
  }

  // The folder listing matches `.chunks/Build-1` case-insensitively and names what it finds
  // relative to it: Build-1 found build-1's chunk as `.chunks/Build-1/…1-…2`, and failed to read it.
  it('each reads its own chunks while running, and its own object once assembled: objects are listed by full key, case-sensitively (list-v2)', async () => {
    const requests = supabase.requests.length
    const store = new ObjectLiveStore({bucket: new SupabaseBucket(openSupabaseClient(new URL('supabase://live/cases'), {from: 'test', what: 'live store', env: supabase.env()}))})
    const {lines} = await cases(store)
    expect(await lines('Build-1')).toEqual(['1:upper 1', '2:upper 2'])
    expect(await lines('build-1')).toEqual(['1:lower 1', '2:lower 2'])
    expect((await store.listJobs()).map((job) => job.id).sort()).toEqual(['Build-1', 'build-1'])
    await store.endJob('Build-1', {status: 'ended'})
    expect(await lines('Build-1')).toEqual(['1:upper 1', '2:upper 2'])
    expect(await lines('build-1')).toEqual(['1:lower 1', '2:lower 2'])
    expect(supabase.requests.slice(requests)).not.toContain('POST list')
    await store.close()
  })

  it('a server without list-v2 (before storage v1.19) is listed folder by folder, after one request that finds it missing', async () => {
    const old = await startSupabaseStandin({listV2: false})
    try {
      old.seed('live', [])
      const store = new ObjectLiveStore({bucket: new SupabaseBucket(openSupabaseClient(new URL('supabase://live/old'), {from: 'test', what: 'live store', env: old.env()}))})
      await store.startJob('job-1')
      await store.append('job-1', [{ts: 1, bytes: Buffer.from('one'), eol: true}])
      await store.append('job-1', [{ts: 2, bytes: Buffer.from('two'), eol: true}])
      const lines: string[] = []
      for await (const entry of store.read('job-1')) lines.push(entry.line)
      expect(lines).toEqual(['one', 'two'])
      expect(old.requests.filter((request) => request === 'POST list-v2')).toHaveLength(1)
      expect(old.requests).toContain('POST list')
      await store.close()
    } finally {
      await old.stop()
    }
  })
})
