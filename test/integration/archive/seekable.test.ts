/**
 * Archive format 2 (README, "Archive format"): blocks of zstd frames + a block index.
 * Reads fetch only the blocks they need — counted by what the Supabase stand-in served —
 * the object is one zstd stream of `get --output json` records (read by the `zstd` tool), a damaged block is
 * named after every other entry was given, and an index that lies is not trusted.
 */
import {mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execFileSync} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BlobArchive} from '../../../src/lib/archive/blob-archive.js'
import type {IndexTable} from '../../../src/lib/archive/block-index.js'
import {encodeEntries} from '../../../src/lib/archive/format.js'
import {encodeManifest, MANIFEST_FORMAT} from '../../../src/lib/archive/manifest.js'
import {entryFromBytes, rawBytes, type LogEntry} from '../../../src/lib/entry.js'
import {newJobMeta, type JobMeta} from '../../../src/lib/job.js'
import {ArchiveReadError} from '../../../src/lib/errors/index.js'
import {readBytes} from '../../../src/lib/store/object/bucket.js'
import {DirectoryBucket} from '../../../src/lib/store/object/directory-bucket.js'
import {S3Bucket} from '../../../src/lib/store/object/s3-bucket.js'
import {SupabaseBucket, openSupabaseClient} from '../../../src/lib/store/object/supabase-bucket.js'
import {runCli, isolatedEnv} from '../../helpers/cli.js'
import {collect, iterate} from '../../helpers/iterables.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {startTogether} from '../../helpers/start-together.js'

const BLOCK = 16 * 1024

function endedMeta(id: string, list: LogEntry[]): JobMeta {
  return {
    ...newJobMeta(id, T0),
    status: 'failed',
    exitCode: 3,
    endedAt: T0 + 1000,
    updatedAt: T0 + 1000,
    lines: list.length,
    bytes: list.reduce((n, e) => n + rawBytes(e).length, 0),
  }
}
const T0 = Date.parse('2026-11-30T10:00:00Z')

/** 20 000 entries (~1.3 MB of NDJSON, ~80 blocks); 10 errors; `needle-<seq>` tokens once per 1000 lines. */
function bigJob(count = 20_000): LogEntry[] {
  return Array.from({length: count}, (_, i) => {
    const seq = i + 1
    const error = seq % 2000 === 0
    const noise = (Math.imul(seq, 0x9e3779b1) >>> 0).toString(36)
    const text = error ? `ERROR disk full at ${seq}` : `INFO step ${seq} ${seq % 1000 === 0 ? `needle-${seq}` : 'ok'} request ${noise} ${'x'.repeat(seq % 30)}`
    return entryFromBytes(seq, T0 + i * 10, Buffer.from(text), true, error ? 'error' : 'info', 'stdout')
  })
}

let s3: S3Server
let supabase: SupabaseStandin
const dir = mkdtempSync(join(tmpdir(), 'logs-seekable-'))
const entries = bigJob()

beforeAll(async () => {
  ;[s3, supabase] = await startTogether([startS3Server(), startSupabaseStandin()])
  await s3.createBucket('logs')
})

afterAll(async () => {
  await Promise.all([s3?.destroy(), supabase?.stop()])
  rmSync(dir, {recursive: true, force: true})
})

const backends: Array<[string, () => BlobArchive]> = [
  ['file', () => new BlobArchive({bucket: new DirectoryBucket(join(dir, 'archive')), blockBytes: BLOCK})],
  ['s3 (s3rver)', () => new BlobArchive({bucket: new S3Bucket({client: s3.client(), bucket: 'logs', prefix: 'seek'}), blockBytes: BLOCK})],
  // A small part size: blocks then straddle Supabase's part objects.
  [
    'supabase (stand-in)',
    () =>
      new BlobArchive({
        bucket: new SupabaseBucket({...openSupabaseClient(new URL('supabase://logs/seek'), {from: 'test', what: 'archive', env: supabase.env()}), partSize: 100_000}),
        blockBytes: BLOCK,
      }),
  ],
]

const seqs = (list: LogEntry[]): number[] => list.map((e) => e.seq)

describe.each(backends)('archive format 2 on %s', (_name, open) => {
  it('reads every range through the index with the same answers as a scan', async () => {
    const archive = open()
    const stored = await archive.put(endedMeta('seek', entries), iterate(entries))
    const manifest = (await archive.manifest('seek'))!
    expect(manifest.index?.blocks).toBeGreaterThan(50)
    expect(stored.meta.lines).toBe(20_000)

    const all = await collect(archive.read('seek'))
    expect(Buffer.concat(all.map(rawBytes)).equals(Buffer.concat(entries.map(rawBytes)))).toBe(true)
    expect(seqs(await collect(archive.read('seek', {tail: 3})))).toEqual([19_998, 19_999, 20_000])
    expect(seqs(await collect(archive.read('seek', {after: 12_345, limit: 2})))).toEqual([12_346, 12_347])
    expect(seqs(await collect(archive.read('seek', {after: 100, before: 104})))).toEqual([101, 102, 103])
    expect(seqs(await collect(archive.read('seek', {since: T0 + 5000 * 10, until: T0 + 5003 * 10})))).toEqual([5001, 5002, 5003])
    expect(seqs(await collect(archive.read('seek', {levels: ['error']})))).toEqual(Array.from({length: 10}, (_, i) => (i + 1) * 2000))
    expect(seqs(await collect(archive.read('seek', {levels: ['error'], tail: 2})))).toEqual([18_000, 20_000])
    const match = /needle-7000\b/
    expect(seqs((await collect(archive.read('seek', {match}))).filter((e) => match.test(e.line)))).toEqual([7000])
    await archive.close()
  })

  it('is one zstd stream of `get --output json` records, which `zstd -d` reads', async () => {
    const archive = open()
    const manifest = (await archive.manifest('seek'))!
    const object = Buffer.concat(await Promise.all(manifest.parts.map(async (p) => Buffer.concat(await collect((await archive.bucket.readStream(p.key))!)))))
    const lines = execFileSync('zstd', ['-dcq'], {input: object, maxBuffer: 1 << 30})
      .toString('utf8')
      .trimEnd()
      .split('\n')
    expect(lines).toHaveLength(20_000)
    expect(JSON.parse(lines[1999])).toEqual({seq: 2000, ts: T0 + 1999 * 10, level: 'error', stream: 'stdout', line: 'ERROR disk full at 2000'})
    await archive.close()
  })
})

describe('archive format 2 on supabase (stand-in), by the bytes it served', () => {
  it('fetches only the blocks a read needs (bytes counted by the stand-in)', async () => {
    const archive = backends[2][1]()
    if (!(await archive.manifest('seek'))) await archive.put(endedMeta('seek', entries), iterate(entries))
    const manifest = (await archive.manifest('seek'))!
    const served = async (read: () => Promise<unknown>): Promise<number> => {
      const before = supabase.bytesServed()
      await read()
      return supabase.bytesServed() - before
    }
    const objectReads = (since: number): number => supabase.downloads.slice(since).filter((d) => /^logs\/seek\/seek\.jsonl\.zst(\.\d{3})? /.test(d)).length
    const before = supabase.downloads.length
    const whole = await served(() => collect(archive.read('seek')))
    expect(whole).toBeGreaterThanOrEqual(manifest.size)
    // Neighbouring blocks come in one ranged read per run of 2 MiB of NDJSON (and per part they straddle), not one each.
    expect(objectReads(before)).toBeLessThanOrEqual(manifest.parts.length + 1)
    expect(manifest.index!.blocks).toBeGreaterThan(50)
    const downloads = supabase.downloads.length
    const tail = await served(() => collect(archive.read('seek', {tail: 100})))
    // The manifest, then the index table and the object's tail side by side: one ranged read of the object.
    const keys = supabase.downloads.slice(downloads).map((d) => d.split(' ')[0])
    expect(keys[0]).toBe('logs/seek/seek.meta.json')
    expect(keys).toHaveLength(3)
    expect(keys).toContain('logs/seek/seek.jsonl.zst.idx')
    expect(keys.filter((key) => /^logs\/seek\/seek\.jsonl\.zst(\.\d{3})?$/.test(key))).toHaveLength(1)
    const after = await served(() => collect(archive.read('seek', {after: 15_000, limit: 1})))
    const errors = await served(() => collect(archive.read('seek', {levels: ['error']})))
    const grep = await served(() => collect(archive.read('seek', {match: /needle-7000\b/})))
    const absent = await served(() => collect(archive.read('seek', {match: /no such token anywhere/})))
    // Each is the manifest, the index table (and for --grep the filters) plus the blocks it needs.
    const table = JSON.parse((await readBytes(archive.bucket, manifest.index!.key, {offset: 0, length: manifest.index!.tableBytes}))!.toString()) as IndexTable
    const block = Math.max(...table.blocks.map((b) => b.size))
    const fixed = encodeManifest(manifest).length + manifest.index!.tableBytes
    const filters = manifest.index!.size - manifest.index!.tableBytes
    expect(tail).toBeLessThanOrEqual(fixed + 2 * block) // 100 lines may straddle two blocks
    expect(after).toBeLessThanOrEqual(fixed + block)
    expect(errors).toBeLessThanOrEqual(fixed + 10 * block)
    expect(grep).toBeLessThanOrEqual(fixed + filters + 3 * block)
    expect(absent).toBeLessThanOrEqual(fixed + filters) // the filters rule out every block
    for (const bytes of [tail, after, errors]) expect(bytes).toBeLessThan(whole / 4)
    await archive.close()
  })
})

describe('a reading command on supabase (stand-in), by the downloads it served', () => {
  it("reads the job's manifest once, however often the command looks at the job", async () => {
    const archive = backends[2][1]()
    if (!(await archive.manifest('seek'))) await archive.put(endedMeta('seek', entries), iterate(entries))
    await archive.close()
    const home = join(dir, 'home-once')
    const env = isolatedEnv(home, {...supabase.env(), LOGS_STORE: `file://${home}/live`, LOGS_ARCHIVE: 'supabase://logs/seek'})
    const lines = (first: number, last: number): string =>
      seqs(entries.slice(first - 1, last))
        .map((seq) => `${entries[seq - 1].line}\n`)
        .join('')
    // To see that the job exists, then to read it, then (--exit-code) for its status.
    for (const [args, stdout, code] of [
      [['-n', '3'], lines(19_998, 20_000), 0],
      [['-n', '3', '--exit-code'], lines(19_998, 20_000), 3],
      [['--after', '12345', '--head', '2'], lines(12_346, 12_347), 0],
    ] as Array<[string[], string, number]>) {
      const before = supabase.downloads.length
      const result = await runCli(['get', 'seek', ...args], {env})
      expect(result.stdout).toBe(stdout)
      expect(result.code).toBe(code)
      const downloads = supabase.downloads.slice(before)
      expect(
        downloads.filter((d) => d.startsWith('logs/seek/seek.meta.json')),
        downloads.join('\n'),
      ).toHaveLength(1)
      // --head reads on past its last line to see whether a multi-line record goes on: from the table and block it has.
      expect(downloads.filter((d) => d.startsWith('logs/seek/seek.jsonl.zst.idx'))).toHaveLength(1)
      if (args.includes('--head')) expect(downloads.filter((d) => /^logs\/seek\/seek\.jsonl\.zst(\.\d{3})? /.test(d))).toHaveLength(1)
    }
  })
})

describe('damage', () => {
  const fileArchive = (root: string): BlobArchive => new BlobArchive({bucket: new DirectoryBucket(root), blockBytes: BLOCK})

  async function archived(root: string, id: string): Promise<{archive: BlobArchive; table: IndexTable; tableBytes: number}> {
    const archive = fileArchive(root)
    await archive.put(endedMeta(id, entries), iterate(entries))
    const manifest = (await archive.manifest(id))!
    const table = JSON.parse(
      readFileSync(join(root, `${id}.jsonl.zst.idx`))
        .subarray(0, manifest.index!.tableBytes)
        .toString(),
    ) as IndexTable
    return {archive, table, tableBytes: manifest.index!.tableBytes}
  }

  it('a corrupt block: every other entry is read, then the job and the block are named', async () => {
    const root = join(dir, 'corrupt')
    const {archive, table} = await archived(root, 'broken')
    const block = table.blocks[5]
    const object = join(root, 'broken.jsonl.zst')
    const data = readFileSync(object)
    data.fill(0x55, block.offset + 20, block.offset + 60)
    writeFileSync(object, data)
    const got: LogEntry[] = []
    const failure = await (async () => {
      for await (const entry of archive.read('broken')) got.push(entry)
    })().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ArchiveReadError)
    expect((failure as Error).message).toMatch(new RegExp(`job broken: block 5 \\(bytes ${block.offset}\\.\\.\\d+, seq ${block.firstSeq}\\.\\.${block.lastSeq}\\)`))
    expect(got).toHaveLength(20_000 - block.lines)
    expect(got.some((e) => e.seq >= block.firstSeq && e.seq <= block.lastSeq)).toBe(false)

    // Through the CLI: the entries on stdout, the block named on stderr, exit 1.
    const home = join(dir, 'home-corrupt')
    const result = await runCli(['get', 'broken', '--after', String(block.firstSeq - 3), '--head', '5'], {
      env: isolatedEnv(home, {LOGS_STORE: `file://${home}/live`, LOGS_ARCHIVE: `file://${root}`}),
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/job broken: block 5 .*could not be read/)
    // The first five it can read: the two entries before the block, then three after it.
    expect(
      result.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => Number(/^INFO step (\d+)/.exec(line)?.[1])),
    ).toEqual([block.firstSeq - 2, block.firstSeq - 1, block.lastSeq + 1, block.lastSeq + 2, block.lastSeq + 3])
  })

  it('a truncated object: the blocks it still holds are read, the missing ones named', async () => {
    const root = join(dir, 'truncated')
    const {archive, table} = await archived(root, 'cut')
    const last = table.blocks.at(-1)!
    truncateSync(join(root, 'cut.jsonl.zst'), last.offset + 10)
    const got: LogEntry[] = []
    const failure = await (async () => {
      for await (const entry of archive.read('cut', {after: 19_000})) got.push(entry)
    })().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ArchiveReadError)
    expect((failure as Error).message).toMatch(new RegExp(`block ${table.blocks.length - 1} .*truncated`))
    expect(got.at(-1)?.seq).toBe(last.firstSeq - 1)

    // -n reads the object's tail beside the index (read-ahead): come short, it is read again block by block.
    const tail: LogEntry[] = []
    const cut = await (async () => {
      for await (const entry of archive.read('cut', {tail: last.lines + 3})) tail.push(entry)
    })().catch((error: unknown) => error)
    expect(cut).toBeInstanceOf(ArchiveReadError)
    expect((cut as Error).message).toMatch(new RegExp(`block ${table.blocks.length - 1} .*truncated`))
    // The last N entries it could read: those before the missing block.
    expect(seqs(tail)).toEqual(Array.from({length: last.lines + 3}, (_, i) => last.firstSeq - last.lines - 3 + i))
  })

  it('a corrupt block inside what -n and --head read ahead: the other entries are given, the block named', async () => {
    const root = join(dir, 'corrupt-ends')
    const {archive, table} = await archived(root, 'ends')
    const object = join(root, 'ends.jsonl.zst')
    const data = readFileSync(object)
    const [first, second] = table.blocks
    const [previous, last] = table.blocks.slice(-2)
    for (const block of [first, last]) data.fill(0x55, block.offset + 20, block.offset + 60)
    writeFileSync(object, data)
    const read = async (range: {tail?: number; limit?: number}): Promise<{got: LogEntry[]; failure: unknown}> => {
      const got: LogEntry[] = []
      const failure = await (async () => {
        for await (const entry of archive.read('ends', range)) got.push(entry)
      })().catch((error: unknown) => error)
      return {got, failure}
    }
    const tail = await read({tail: last.lines + 2})
    expect((tail.failure as Error).message).toMatch(new RegExp(`job ends: block ${table.blocks.length - 1} \\(bytes ${last.offset}\\.\\.`))
    expect(seqs(tail.got)).toEqual(Array.from({length: last.lines + 2}, (_, i) => previous.lastSeq - last.lines - 1 + i))
    const head = await read({limit: first.lines + 2})
    expect((head.failure as Error).message).toMatch(new RegExp(`job ends: block 0 \\(bytes 0\\.\\.`))
    // The first N it can read: from the blocks after the broken one.
    expect(seqs(head.got)).toEqual(Array.from({length: first.lines + 2}, (_, i) => second.firstSeq + i))
  })

  it('an index that disagrees with its data is reported and the object scanned instead', async () => {
    const root = join(dir, 'lying')
    const {archive, table, tableBytes} = await archived(root, 'liar')
    const indexFile = join(root, 'liar.jsonl.zst.idx')
    const original = readFileSync(indexFile)
    // Same length, different numbers: the table still parses and lines up, the data does not.
    const lie = (from: string, to: string): void => {
      const text = original.subarray(0, tableBytes).toString()
      expect(text).toContain(from)
      writeFileSync(indexFile, Buffer.concat([Buffer.from(text.replace(from, to)), original.subarray(tableBytes)]))
    }
    const block = table.blocks[3]
    lie(`"bytes":${block.bytes},`, `"bytes":${String(block.bytes + 1).padStart(String(block.bytes).length, '1')},`)
    const warnings: string[] = []
    const read = await collect(archive.read('liar', {after: block.firstSeq + 1, limit: 3, onWarning: (m) => warnings.push(m)}))
    expect(seqs(read)).toEqual([block.firstSeq + 2, block.firstSeq + 3, block.firstSeq + 4])
    expect(warnings).toEqual([expect.stringMatching(/job liar: block seq \d+\.\.\d+ holds \d+ bytes, its index says \d+; reading the whole archived object instead/)])

    lie('"firstSeq":1,', '"firstSeq":2,')
    warnings.length = 0
    expect(seqs(await collect(archive.read('liar', {tail: 2, onWarning: (m) => warnings.push(m)})))).toEqual([19_999, 20_000])
    expect(warnings).toEqual([expect.stringMatching(/job liar: block 0 of its index holds seq 2\.\./)])

    // --level finds a block's few lines of that level by their bytes, as many as the index counts.
    // The second block with an error lies: the scan goes on after the first block's error, not from the start again.
    const withError = table.blocks.filter((b) => b.levels.error === 1)[1]
    const levels = JSON.stringify(withError.levels)
    expect(levels).toContain('"error":1')
    lie(levels, levels.replace('"error":1', '"error":2'))
    warnings.length = 0
    const errors = await collect(archive.read('liar', {levels: ['error'], onWarning: (m) => warnings.push(m)}))
    expect(seqs(errors.filter((e) => e.level === 'error'))).toEqual(Array.from({length: 10}, (_, i) => (i + 1) * 2000))
    expect(new Set(seqs(errors)).size).toBe(errors.length) // levels are a hint (callers filter), seqs must not repeat
    expect(warnings).toEqual([expect.stringMatching(/job liar: block seq \d+\.\.\d+ holds 1 lines of level error, its index says 2; reading the whole archived object instead/)])
  })

  it('--level reads the level field alone: a line that quotes a level, a JSON line, a level pair of a block', async () => {
    const quoting: LogEntry[] = Array.from({length: 2000}, (_, i) => {
      const seq = i + 1
      if (seq % 400 === 0) return entryFromBytes(seq, T0 + i, Buffer.from(`{"level":"error","msg":"json ${seq}"}`), true, 'error', 'stdout')
      if (seq % 400 === 200) return entryFromBytes(seq, T0 + i, Buffer.from(`WARN saw "level":"error" in ${seq}`), true, 'warn', 'stderr')
      return entryFromBytes(seq, T0 + i, Buffer.from(`INFO "level":"error" quoted at ${seq}`), true, 'info', 'stdout')
    })
    const archive = fileArchive(join(dir, 'quoting'))
    await archive.put(endedMeta('quoting', quoting), iterate(quoting))
    const manifest = (await archive.manifest('quoting'))!
    expect(manifest.index?.blocks).toBeGreaterThan(5)
    const warnings: string[] = []
    const onWarning = (m: string): number => warnings.push(m)
    expect(seqs(await collect(archive.read('quoting', {levels: ['error'], onWarning})))).toEqual([400, 800, 1200, 1600, 2000])
    expect(seqs(await collect(archive.read('quoting', {levels: ['warn', 'error'], onWarning})))).toEqual(quoting.filter((e) => e.level !== 'info').map((e) => e.seq))
    expect(seqs(await collect(archive.read('quoting', {levels: ['warn', 'error'], tail: 3, onWarning})))).toEqual([1600, 1800, 2000])
    expect(warnings).toEqual([])
  })

  it('a block whose filter is of a kind the reader does not know is read, never ruled out by it', async () => {
    const root = join(dir, 'kinds')
    const {archive, tableBytes} = await archived(root, 'kinds')
    const indexFile = join(root, 'kinds.jsonl.zst.idx')
    const original = readFileSync(indexFile)
    const needle = /needle-7000\b/
    const found = async () => seqs((await collect(archive.read('kinds', {match: needle}))).filter((e) => needle.test(e.line)))
    expect(await found()).toEqual([7000])
    // Filters that say "absent" to everything: trusted under their own kind, ignored under one the reader does not know.
    const table = original.subarray(0, tableBytes).toString()
    expect(table).toContain('"kind":"line-4gram-bloom-1"')
    writeFileSync(indexFile, Buffer.concat([Buffer.from(table), Buffer.alloc(original.length - tableBytes)]))
    expect(await found()).toEqual([])
    // A literal of 3 bytes is shorter than the 4-grams such a filter holds: it cannot say "absent" to it.
    const errors = (await collect(archive.read('kinds', {match: /ERR/}))).filter((e) => e.line.startsWith('ERROR'))
    expect(seqs(errors)).toEqual(Array.from({length: 10}, (_, i) => (i + 1) * 2000))
    writeFileSync(
      indexFile,
      Buffer.concat([Buffer.from(table.replaceAll('"kind":"line-4gram-bloom-1"', '"kind":"future-filter-kind-9"')), Buffer.alloc(original.length - tableBytes)]),
    )
    expect(await found()).toEqual([7000])
  })

  it('`logs archive` writes blocks on worker threads that read back exactly (built CLI)', async () => {
    const home = join(dir, 'home-workers')
    const cliEnv = isolatedEnv(home, {LOGS_STORE: `file://${home}/live`, LOGS_ARCHIVE: `file://${home}/archive`})
    const input = Array.from({length: 40_000}, (_, i) => `line ${i + 1} ${(Math.imul(i, 0x9e3779b1) >>> 0).toString(36)} ${i % 4000 === 0 ? 'ERROR bad' : 'INFO fine'}\n`).join('')
    expect((await runCli(['push', '--job', 'threads'], {input, env: cliEnv})).code).toBe(0)
    const archived = await runCli(['archive', '--job', 'threads'], {env: cliEnv})
    expect(archived.code, archived.stderr).toBe(0)
    const manifest = JSON.parse(readFileSync(join(home, 'archive', 'threads.meta.json'), 'utf8')) as {index: {blocks: number}}
    expect(manifest.index.blocks).toBeGreaterThan(3)
    const got = await runCli(['get', 'threads', '--output', 'raw'], {env: cliEnv})
    expect(got.stdout).toBe(input)
    const errors = await runCli(['get', 'threads', '--level', 'error', '-n', '2'], {env: cliEnv})
    expect(errors.stdout).toMatch(/^line 32001 .*ERROR bad\nline 36001 .*ERROR bad\n$/)
  })

  it('reads objects of format 1 (one gzip stream, no index) as before', async () => {
    const root = join(dir, 'format1')
    const bucket = new DirectoryBucket(root)
    const encoded = encodeEntries(iterate(entries))
    const objects = await bucket.writeStream('old.jsonl.gz', encoded.stream)
    const stats = await encoded.stats
    const meta = endedMeta('old', entries)
    await bucket.writeBytes(
      'old.meta.json',
      encodeManifest({
        format: MANIFEST_FORMAT,
        id: 'old',
        parts: objects.map(({key, size}) => ({key, size})),
        size: objects[0].size,
        compressedSha256: '',
        sha256: stats.sha256,
        contentBytes: stats.contentBytes,
        lines: stats.lines,
        archivedAt: Date.now(),
        meta,
      }),
    )
    const archive = new BlobArchive({bucket})
    expect(seqs(await collect(archive.read('old', {tail: 2})))).toEqual([19_999, 20_000])
    expect(seqs(await collect(archive.read('old', {levels: ['error'], after: 17_000})))).toContain(18_000)
    expect(await collect(archive.read('old'))).toHaveLength(20_000)
  })
})
