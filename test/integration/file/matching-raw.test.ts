/**
 * The file store's raw read of the lines a LineMatcher takes (store/file/matching-raw.ts,
 * `get --output raw` with filters): its bytes are exactly the raw bytes of the entries the
 * entry filter takes from the same range — for a plain literal (the byte search alone), a
 * regex with and without a search literal, -i (a byte search in any ASCII case, or none for k and s), --exclude, --level, --stream, times, a
 * limit — over lines that are long, not UTF-8, CRLF, or pieces of a line without a newline,
 * whatever the size of the search's reads (lines across them, and longer than one).
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {rawBytes, type NewEntry} from '../../../src/lib/entry.js'
import {buildFilter, lineMatcher, type FilterSpec} from '../../../src/lib/query/filter.js'
import {FileStore} from '../../../src/lib/store/file/file-store.js'
import {JobLog} from '../../../src/lib/store/file/job-log.js'
import {matchingRaw} from '../../../src/lib/store/file/matching-raw.js'
import type {MatchedBlock, RawMatchRange} from '../../../src/lib/store/types.js'
import {collect} from '../../helpers/iterables.js'
import {seededRandom} from '../../helpers/seeded-random.js'

const LINES = 6000
let dir: string
let store: FileStore

/** A deterministic mix: lines with `needle` (or `Needle`) at the start, middle or end, long lines, invalid UTF-8, CRLF, pieces without a newline. */
function makeEntries(): NewEntry[] {
  const next = seededRandom(7)
  const random = (n: number) => Math.floor(next() * n)
  const letters = 'abcdefghij needl'
  const entries = Array.from({length: LINES}, (_, i): NewEntry => {
    const length = i % 101 === 0 ? 3000 + random(3000) : random(120)
    const bytes = Buffer.alloc(length)
    for (let at = 0; at < length; at++) bytes[at] = letters.charCodeAt(random(16))
    const word = Buffer.from(random(5) === 0 ? 'Needle' : 'needle')
    if (random(3) === 0 && length >= word.length) word.copy(bytes, [0, length - word.length, random(length - word.length + 1)][random(3)])
    if (random(13) === 0 && length > 2) bytes[1] = 0xff
    if (random(17) === 0 && length > 3) Buffer.from('é').copy(bytes, 2)
    if (random(11) === 0 && length > 0) bytes[length - 1] = 0x0d
    return {ts: 1000 + i, bytes, eol: random(19) !== 0, level: (['info', 'warn', 'error', undefined] as const)[random(4)], stream: i % 2 ? 'stderr' : 'stdout'}
  })
  // The literal across two pieces of a line (the first without a newline) is in neither.
  for (let i = 500; i < LINES; i += 500) {
    entries[i] = {...entries[i], bytes: Buffer.from('pieces: nee'), eol: false}
    entries[i + 1] = {...entries[i + 1], bytes: Buffer.from('dle  ab')}
  }
  // Lines a case-insensitive TASK takes: RE2 folds k and s beyond ASCII (U+212A, U+017F).
  for (let i = 7; i < LINES; i += 300) entries[i] = {...entries[i], bytes: Buffer.from(['a task', 'TA\u017FK done', 'ta\u212A', 'TaSk b'][((i / 300) % 4) | 0])}
  // The last line ends without a newline.
  entries[LINES - 1].eol = false
  return entries
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logs-matching-raw-'))
  store = await new FileStore(dir).init()
  await store.startJob('mix')
  const entries = makeEntries()
  for (let at = 0; at < LINES; at += 1000) await store.append('mix', entries.slice(at, at + 1000))
})
afterAll(async () => {
  await store?.close()
  rmSync(dir, {recursive: true, force: true})
})

/** The raw read with reads of `chunk` bytes, or through the store (its own read size). */
async function readMatching(range: RawMatchRange, spec: FilterSpec, chunk?: number): Promise<MatchedBlock[]> {
  if (chunk === undefined) return collect(store.readRawMatching('mix', range, lineMatcher(spec)!))
  const log = await JobLog.open(join(dir, 'jobs', 'mix'), {id: 'mix', store: store.name})
  try {
    return await collect(matchingRaw(log, (range.after ?? 0) + 1, LINES, range, lineMatcher(spec)!, chunk))
  } finally {
    await log.close()
  }
}

describe('raw read of the lines a matcher takes', () => {
  const cases: Array<[string, FilterSpec, RawMatchRange]> = [
    ['a plain literal', {grep: ['needle']}, {}],
    ['a regex with a search literal', {grep: ['needl[e] ?[a-f]']}, {}],
    ['a regex without one', {grep: ['n[e]+dle|ab c']}, {}],
    ['a literal that ignores case', {grep: ['NEEDLE'], ignoreCase: true}, {}],
    ['a regex that ignores case, with a search literal', {grep: ['NEEDL[E] ?[A-F]'], ignoreCase: true}, {}],
    ['a literal that ignores case, with k or s (no byte search)', {grep: ['TASK'], ignoreCase: true}, {}],
    ['a literal that ignores case, and an exclude', {grep: ['eedle'], exclude: ['BC'], ignoreCase: true}, {}],
    ['a literal shorter than a search', {grep: ['e ']}, {}],
    ['several patterns and excludes', {grep: ['needle', 'a'], exclude: ['b', 'ij']}, {}],
    ['a level', {level: 'warn'}, {}],
    ['a level and a stream with a literal', {level: '=error', stream: 'stderr', grep: ['needle']}, {}],
    ['a range, times and a limit', {grep: ['needle']}, {after: 1234, since: 2000, until: 6500, limit: 333}],
    ['a limit on a scan', {grep: ['[Nn]eedle$']}, {limit: 40}],
  ]
  it.each(cases)('%s', async (_what, spec, range) => {
    const filter = buildFilter(spec)!
    let expected = (await collect(store.read('mix', {after: range.after}))).filter(
      (entry) => filter(entry) && (range.since === undefined || entry.ts >= range.since) && (range.until === undefined || entry.ts < range.until),
    )
    if (range.limit !== undefined) expected = expected.slice(0, range.limit)
    expect(expected.length).toBeGreaterThan(10)
    const bytes = Buffer.concat(expected.map(rawBytes))
    for (const chunk of [undefined, 64, 4096]) {
      const blocks = await readMatching(range, spec, chunk)
      expect(Buffer.concat(blocks.map((block) => block.bytes)).equals(bytes)).toBe(true)
      expect(blocks.reduce((sum, block) => sum + block.count, 0)).toBe(expected.length)
      expect(blocks.at(-1)!.last).toBe(expected.at(-1)!.seq)
    }
  })
})
