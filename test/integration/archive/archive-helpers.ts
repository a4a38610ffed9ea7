/** Seeding live stores with jobs and reading them back, for the archive CLI tests. */
import {entryFromBytes, rawBytes, type LogEntry, type NewEntry} from '../../../src/lib/entry.js'
import {newJobMeta, type JobMeta} from '../../../src/lib/job.js'
import {Jobs} from '../../../src/lib/store/jobs.js'
import {openArchive, openLiveStore} from '../../../src/lib/open/open-store.js'
import type {LiveStore} from '../../../src/lib/store/types.js'
import {join} from 'node:path'
import {ROOT} from '../../helpers/cli.js'

export const ODD_BYTES = Buffer.from([0x66, 0xff, 0xfe, 0x00, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x0d])

/** A job's input: numbered lines, one invalid-UTF-8/NUL/ANSI/CR line, an error line, a last line without newline. */
export function jobInput(id: string, lines: number): NewEntry[] {
  const ts = Date.now() - 60_000
  const entries: NewEntry[] = Array.from({length: lines}, (_, i) => ({ts: ts + i, bytes: Buffer.from(`${id} line ${i + 1}`), eol: true, stream: i % 3 ? 'stdout' : 'stderr'}))
  entries.push({ts, bytes: ODD_BYTES, eol: true}, {ts, bytes: Buffer.from('ERROR it broke'), eol: true, level: 'error'}, {ts, bytes: Buffer.from('no newline'), eol: false})
  return entries
}

export function expectedRaw(entries: NewEntry[]): Buffer {
  return Buffer.concat(entries.map((e) => (e.eol ? Buffer.concat([e.bytes, Buffer.from('\n')]) : e.bytes)))
}

export async function withLive<T>(url: string, env: NodeJS.ProcessEnv, fn: (live: LiveStore) => Promise<T>): Promise<T> {
  const live = await openLiveStore({value: url, from: 'test'}, env)
  try {
    return await fn(live)
  } finally {
    await live.close()
  }
}

/** Creates ended jobs `${prefix}-1..count` and returns each one's expected raw output. */
export async function seedJobs(url: string, env: NodeJS.ProcessEnv, prefix: string, count: number, options: {endedAt?: number} = {}): Promise<Map<string, Buffer>> {
  const expected = new Map<string, Buffer>()
  await withLive(url, env, async (live) => {
    for (let i = 1; i <= count; i++) {
      const id = `${prefix}-${i}`
      const input = jobInput(id, 5 + (i % 7) * 40)
      await live.startJob(id, {labels: {n: String(i)}})
      await live.append(id, input.slice(0, 3))
      await live.append(id, input.slice(3))
      await live.endJob(id, {status: i % 5 ? 'succeeded' : 'failed', exitCode: i % 5 ? 0 : 2})
      if (options.endedAt) await live.updateJob(id, {endedAt: options.endedAt, updatedAt: options.endedAt})
      expected.set(id, expectedRaw(input))
    }
  })
  return expected
}

/** Reads every job through the Jobs facade (the code path `get` uses) and returns its raw bytes. */
export async function readAllRaw(liveUrl: string, archiveUrl: string, env: NodeJS.ProcessEnv, ids: string[]): Promise<Map<string, Buffer>> {
  const jobs = new Jobs({live: await openLiveStore({value: liveUrl, from: 'test'}, env), archive: await openArchive({value: archiveUrl, from: 'test'}, env)})
  try {
    const out = new Map<string, Buffer>()
    for (const id of ids) {
      const chunks: Buffer[] = []
      for await (const entry of jobs.read(id)) chunks.push(rawBytes(entry))
      out.set(id, Buffer.concat(chunks))
    }
    return out
  } finally {
    await jobs.close()
  }
}

const T0 = Date.parse('2026-11-30T10:00:00Z')

/** `count` entries from `ts0`, 10 ms apart: `INFO step <seq> …` lines of ~110 bytes of NDJSON, for BlobArchive.put. */
export function stepJob(count: number, ts0 = T0): LogEntry[] {
  return Array.from({length: count}, (_, i) => {
    const text = `INFO step ${i + 1} ${(Math.imul(i + 1, 0x9e3779b1) >>> 0).toString(36)} ${'x'.repeat(i % 40)}`
    return entryFromBytes(i + 1, ts0 + i * 10, Buffer.from(text), true, 'info', 'stdout')
  })
}

/** The metadata of a job that succeeded with these entries. */
export function endedMeta(id: string, entries: LogEntry[]): JobMeta {
  return {
    ...newJobMeta(id, entries[0]?.ts ?? T0),
    status: 'succeeded',
    exitCode: 0,
    endedAt: entries.at(-1)?.ts ?? T0,
    updatedAt: entries.at(-1)?.ts ?? T0,
    lines: entries.length,
    bytes: entries.reduce((n, e) => n + rawBytes(e).length, 0),
  }
}

/** A job archived by the version before zstd (gzip members, format 2), as it wrote it: test/fixtures/archive-gzip-v2 (6003 lines, 2 blocks). */
export const GZIP_FIXTURE = join(ROOT, 'test', 'fixtures', 'archive-gzip-v2')

/**
 * The same job (as `node24-zstd`) archived on Node 24 by the version whose zstd frames declared
 * no content size (node:zlib's streaming compress), as it wrote it: test/fixtures/archive-zstd-node24.
 */
export const ZSTD_NODE24_FIXTURE = join(ROOT, 'test', 'fixtures', 'archive-zstd-node24')

/** The fixture's line of a seq, as it was pushed. */
export function fixtureLine(seq: number): string {
  const step = seq - 1
  if (seq === 1) return '::group::Build'
  if (seq === 6002) return '::endgroup::'
  if (seq === 6003) return 'done'
  return step % 1000 === 0 ? `ERROR step ${step} failed: disk full on worker-${step % 7}` : `INFO step ${step} processed item ${step} of the nightly build in ${step % 97}ms`
}

/** The fixture's raw log, as it was pushed. */
export const fixtureRaw = (): Buffer => Buffer.from(Array.from({length: 6003}, (_, i) => `${fixtureLine(i + 1)}\n`).join(''))
