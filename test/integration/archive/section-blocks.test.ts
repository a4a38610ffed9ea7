/**
 * `get --section NAME` on an archived job reads only the blocks that hold the section:
 * the block index names each block's sections, and the bytes a read cost are counted by
 * what served them — the Supabase stand-in's own counter, a counting proxy in front of
 * s3rver — and, for the file archive, shown by damaging every other block: a read that
 * touched one would fail.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BlobArchive} from '../../../src/lib/archive/blob-archive.js'
import type {IndexTable} from '../../../src/lib/archive/block-index.js'
import {encodeManifest} from '../../../src/lib/archive/manifest.js'
import {entryFromBytes, rawBytes, type LogEntry} from '../../../src/lib/entry.js'
import {newJobMeta, type JobMeta, type Section} from '../../../src/lib/job.js'
import {readBytes} from '../../../src/lib/store/object/bucket.js'
import {DirectoryBucket} from '../../../src/lib/store/object/directory-bucket.js'
import {S3Bucket} from '../../../src/lib/store/object/s3-bucket.js'
import {SupabaseBucket, openSupabaseClient} from '../../../src/lib/store/object/supabase-bucket.js'
import {isolatedEnv, runCli} from '../../helpers/cli.js'
import {startFaultProxy, type FaultProxy} from '../../helpers/fault-proxy.js'
import {iterate} from '../../helpers/iterables.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {startTogether} from '../../helpers/start-together.js'

const BLOCK = 16 * 1024
const T0 = Date.parse('2026-11-30T10:00:00Z')
const COUNT = 12_000

function section(name: string, firstSeq: number, lastSeq: number, depth = 0, parent?: string): Section {
  const s: Section = {
    name,
    title: `Step ${name}`,
    family: 'github',
    depth,
    firstSeq,
    lastSeq,
    start: T0 + firstSeq * 10,
    end: T0 + lastSeq * 10,
    lines: lastSeq - firstSeq + 1,
    levels: {},
  }
  if (parent) s.parent = parent
  return s
}

// `flaky` is nested in `test`; the job's lines outside every section are 1..10.
const SECTIONS = [section('setup', 11, 3000), section('test', 3001, 11_000), section('flaky', 6001, 6400, 1, 'test'), section('deploy', 11_001, COUNT)]

const entries: LogEntry[] = Array.from({length: COUNT}, (_, i) => {
  const seq = i + 1
  const noise = (Math.imul(seq, 0x9e3779b1) >>> 0).toString(36)
  return entryFromBytes(seq, T0 + seq * 10, Buffer.from(`line ${seq} ${noise} ${'y'.repeat(seq % 40)}`), true, 'info', 'stdout')
})

function meta(id: string): JobMeta {
  return {
    ...newJobMeta(id, T0),
    status: 'succeeded',
    exitCode: 0,
    endedAt: T0 + COUNT * 10,
    updatedAt: T0 + COUNT * 10,
    lines: COUNT,
    bytes: entries.reduce((n, e) => n + rawBytes(e).length, 0),
    sections: SECTIONS,
  }
}

const linesOf = (first: number, last: number): string =>
  entries
    .slice(first - 1, last)
    .map((e) => `${e.line}\n`)
    .join('')

let s3: S3Server
let proxy: FaultProxy
let supabase: SupabaseStandin
const dir = mkdtempSync(join(tmpdir(), 'logs-section-blocks-'))

beforeAll(async () => {
  ;[s3, supabase] = await startTogether([startS3Server(), startSupabaseStandin()])
  await s3.createBucket('logs')
  proxy = await startFaultProxy(s3.endpoint)
})

afterAll(async () => {
  await Promise.all([proxy?.stop(), s3?.destroy(), supabase?.stop()])
  rmSync(dir, {recursive: true, force: true})
})

interface Backend {
  archive: () => BlobArchive
  url: string
  env: () => NodeJS.ProcessEnv
  /** Object bytes the store has sent so far, by its own count. */
  served: () => number
}

const backends: Array<[string, Backend]> = [
  [
    's3 (s3rver, bytes counted by a proxy in front of it)',
    {
      archive: () => new BlobArchive({bucket: new S3Bucket({client: s3.client(), bucket: 'logs', prefix: 'sec'}), blockBytes: BLOCK}),
      url: 's3://logs/sec',
      env: () => ({...s3.env(), AWS_ENDPOINT_URL: proxy.url}),
      served: () => proxy.bytesServed,
    },
  ],
  [
    'supabase (stand-in, bytes counted by the stand-in)',
    {
      archive: () =>
        new BlobArchive({
          bucket: new SupabaseBucket({...openSupabaseClient(new URL('supabase://logs/sec'), {from: 'test', what: 'archive', env: supabase.env()}), partSize: 100_000}),
          blockBytes: BLOCK,
        }),
      url: 'supabase://logs/sec',
      env: () => supabase.env(),
      served: () => supabase.bytesServed(),
    },
  ],
]

/** The index table of an archived job, and the compressed bytes of the blocks that hold seqs first..last. */
async function blocksOf(archive: BlobArchive, id: string, first: number, last: number): Promise<{table: IndexTable; bytes: number; count: number; fixed: number}> {
  const manifest = (await archive.manifest(id))!
  const table = JSON.parse((await readBytes(archive.bucket, manifest.index!.key, {offset: 0, length: manifest.index!.tableBytes}))!.toString()) as IndexTable
  const holding = table.blocks.filter((b) => b.firstSeq <= last && b.lastSeq >= first)
  // What any read of the job costs besides its blocks: the index table and the manifest,
  // which `get` reads once though it looks at the job three times (for the job's sections,
  // to see that the job exists, then the reader).
  const fixed = encodeManifest(manifest).length + manifest.index!.tableBytes
  return {table, bytes: holding.reduce((n, b) => n + b.size, 0), count: holding.length, fixed}
}

describe.each(backends)('get --section on an archived job, %s', (_name, backend) => {
  it('names each block its sections in the index, and reads only the blocks of the section asked for', async () => {
    const archive = backend.archive()
    await archive.put(meta('sectioned'), iterate(entries))
    const manifest = (await archive.manifest('sectioned'))!
    const {table, bytes, count, fixed} = await blocksOf(archive, 'sectioned', 6001, 6400)
    expect(table.blocks.length).toBeGreaterThan(60)
    for (const block of table.blocks) {
      const expected = SECTIONS.filter((s) => s.firstSeq <= block.lastSeq && s.lastSeq >= block.firstSeq).map((s) => s.name)
      expect(block.sections ?? [], `block ${block.firstSeq}..${block.lastSeq}`).toEqual(expected)
    }
    expect(count).toBeLessThan(table.blocks.length / 10)
    await archive.close()

    const home = join(dir, `home-${backend.url.split(':')[0]}`)
    const env = isolatedEnv(home, {...backend.env(), LOGS_STORE: `file://${home}/live`, LOGS_ARCHIVE: backend.url})
    const read = async (args: string[]): Promise<{stdout: string; code: number | null; served: number}> => {
      const before = backend.served()
      const result = await runCli(['get', 'sectioned', ...args], {env})
      expect(result.stderr).toBe('')
      return {stdout: result.stdout, code: result.code, served: backend.served() - before}
    }

    const flaky = await read(['--section', 'flaky'])
    expect(flaky.code).toBe(0)
    expect(flaky.stdout).toBe(linesOf(6001, 6400))
    expect(flaky.served).toBeLessThanOrEqual(fixed + bytes)
    expect(flaky.served).toBeGreaterThanOrEqual(bytes)

    // By title and glob, two sections at once, and the last lines of one: still only their blocks.
    const two = await read(['--section', 'Step f*', '--section', 'deploy'])
    expect(two.stdout).toBe(linesOf(6001, 6400) + linesOf(11_001, COUNT))
    expect(two.served).toBeLessThanOrEqual(fixed + bytes + (await blocksOf(archive, 'sectioned', 11_001, COUNT)).bytes)
    const tail = await read(['--section', 'test', '-n', '3'])
    expect(tail.stdout).toBe(linesOf(10_998, 11_000))
    // With a filter `-n` reads back in pages of 4096 entries (query/get-entries.ts): one page here.
    expect(tail.served).toBeLessThanOrEqual(fixed + (await blocksOf(archive, 'sectioned', 11_000 - 4095, 11_000)).bytes)
    expect(tail.served).toBeLessThan(manifest.size / 2)

    // The reference: reading the whole job costs the whole object.
    const whole = await read([])
    expect(whole.stdout).toBe(linesOf(1, COUNT))
    expect(whole.served).toBeGreaterThanOrEqual(manifest.size)
    expect(flaky.served).toBeLessThan(whole.served / 4)
  })
})

describe('get --section on the file archive', () => {
  it('never touches the blocks outside the section: damaged, they do not stop it', async () => {
    const root = join(dir, 'file-archive')
    const archive = new BlobArchive({bucket: new DirectoryBucket(root), blockBytes: BLOCK})
    await archive.put(meta('sectioned'), iterate(entries))
    const {table} = await blocksOf(archive, 'sectioned', 6001, 6400)
    const object = join(root, 'sectioned.jsonl.zst')
    const data = readFileSync(object)
    let damaged = 0
    for (const block of table.blocks) {
      if (block.sections?.includes('flaky')) continue
      data.fill(0x55, block.offset + 10, block.offset + block.size - 8)
      damaged++
    }
    writeFileSync(object, data)
    expect(damaged).toBeGreaterThan(table.blocks.length * 0.9)

    const home = join(dir, 'home-file')
    const env = isolatedEnv(home, {LOGS_STORE: `file://${home}/live`, LOGS_ARCHIVE: `file://${root}`})
    const flaky = await runCli(['get', 'sectioned', '--section', 'flaky'], {env})
    expect(flaky.stderr).toBe('')
    expect(flaky.code).toBe(0)
    expect(flaky.stdout).toBe(linesOf(6001, 6400))
    const head = await runCli(['get', 'sectioned', '--section', 'flaky', '--head', '2'], {env})
    expect(head.stdout).toBe(linesOf(6001, 6002))
    // The damage is real: a read that needs the other blocks names them and exits 1.
    const setup = await runCli(['get', 'sectioned', '--section', 'setup'], {env})
    expect(setup.code).toBe(1)
    expect(setup.stderr).toMatch(/job sectioned: block \d+ .*could not be read/)
  })
})
