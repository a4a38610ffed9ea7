import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {Readable} from 'node:stream'
import {gunzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {decodeEntries, encodeEntries} from '../../src/lib/archive/format.js'
import {applyRange} from '../../src/lib/archive/range.js'
import {entryFromBytes, rawBytes, type LogEntry} from '../../src/lib/entry.js'
import {collect, iterate} from '../helpers/iterables.js'

function makeEntries(count: number, start = 1_700_000_000_000): LogEntry[] {
  return Array.from({length: count}, (_, i) => entryFromBytes(i + 1, start + i * 1000, Buffer.from(`line ${i + 1}`), true, i % 10 === 0 ? 'error' : 'info', 'stdout'))
}

async function gzipOf(entries: LogEntry[]): Promise<{bytes: Buffer; stats: Awaited<ReturnType<typeof encodeEntries>['stats']>}> {
  const encoded = encodeEntries(iterate(entries))
  const chunks: Buffer[] = []
  for await (const chunk of encoded.stream as AsyncIterable<Buffer>) chunks.push(chunk)
  return {bytes: Buffer.concat(chunks), stats: await encoded.stats}
}

describe('archive object format', () => {
  it('round-trips exact bytes: invalid UTF-8, CRLF, NUL, ANSI and a final line without newline', async () => {
    const odd = [
      entryFromBytes(1, 1, Buffer.from([0x66, 0xff, 0xfe, 0x00]), true),
      entryFromBytes(2, 2, Buffer.from('crlf\r'), true, 'warn', 'stderr'),
      entryFromBytes(3, 3, Buffer.from('\u001b[31mred\u001b[0m'), true),
      entryFromBytes(4, 4, Buffer.from('no newline'), false),
    ]
    const {bytes} = await gzipOf(odd)
    const back = await collect(decodeEntries(Readable.from([bytes])))
    expect(Buffer.concat(back.map(rawBytes))).toEqual(Buffer.concat(odd.map(rawBytes)))
    expect(back.map((e) => [e.seq, e.level, e.stream])).toEqual([
      [1, undefined, undefined],
      [2, 'warn', 'stderr'],
      [3, undefined, undefined],
      [4, undefined, undefined],
    ])
  })

  it('is gzip NDJSON whose sha256 and counts the stats report (what `zcat | sha256sum` gives)', async () => {
    const entries = makeEntries(2500)
    const {bytes, stats} = await gzipOf(entries)
    const content = gunzipSync(bytes)
    expect(stats.sha256).toBe(createHash('sha256').update(content).digest('hex'))
    expect(stats.contentBytes).toBe(content.length)
    expect(stats.lines).toBe(2500)
    expect(stats.levels).toEqual({error: 250, info: 2250})
    expect([stats.firstSeq, stats.lastSeq, stats.firstTs, stats.lastTs]).toEqual([1, 2500, entries[0].ts, entries[2499].ts])
    const first = JSON.parse(content.toString().split('\n')[0]) as Record<string, unknown>
    expect(first).toEqual({seq: 1, ts: entries[0].ts, level: 'error', stream: 'stdout', line: 'line 1'})
  })

  it('is readable with zcat and jq alone', async () => {
    const {bytes} = await gzipOf(makeEntries(3))
    const lines = execFileSync('sh', ['-c', 'zcat | jq -r .line'], {input: bytes}).toString()
    expect(lines).toBe('line 1\nline 2\nline 3\n')
  })

  it('decodes pieces of one gzip stream cut at arbitrary bytes (how split parts are read)', async () => {
    const {bytes} = await gzipOf(makeEntries(1000))
    const cuts = [bytes.subarray(0, 7), bytes.subarray(7, 500), bytes.subarray(500)]
    const back = await collect(decodeEntries(Readable.from(cuts)))
    expect(back.map((e) => e.seq)).toEqual(Array.from({length: 1000}, (_, i) => i + 1))
  })

  it('surfaces an error of the entry source on the gzip stream', async () => {
    async function* failing(): AsyncIterable<LogEntry> {
      yield makeEntries(1)[0]
      throw new Error('live store went away')
    }
    const encoded = encodeEntries(failing())
    await expect(collect(encoded.stream)).rejects.toThrow('live store went away')
    await expect(encoded.stats).rejects.toThrow('live store went away')
  })

  it('reports a corrupt object as an error, not as fewer entries', async () => {
    const {bytes} = await gzipOf(makeEntries(100))
    await expect(collect(decodeEntries(Readable.from([bytes.subarray(0, bytes.length - 9)])))).rejects.toThrow()
  })
})

describe('ReadRange over an archive scan', () => {
  const entries = makeEntries(100)
  const seqs = async (range: Parameters<typeof applyRange>[1]): Promise<number[]> => (await collect(applyRange(iterate(entries), range))).map((e) => e.seq)

  it('applies after, before, since, until, limit and tail, alone and combined', async () => {
    expect(await seqs({after: 97})).toEqual([98, 99, 100])
    expect(await seqs({before: 3})).toEqual([1, 2])
    expect(await seqs({since: entries[95].ts})).toEqual([96, 97, 98, 99, 100])
    expect(await seqs({until: entries[2].ts})).toEqual([1, 2])
    expect(await seqs({limit: 2, after: 10})).toEqual([11, 12])
    expect(await seqs({tail: 3})).toEqual([98, 99, 100])
    expect(await seqs({tail: 3, before: 50})).toEqual([47, 48, 49])
    expect(await seqs({tail: 3, after: 98})).toEqual([99, 100])
    expect(await seqs({tail: 4, limit: 2})).toEqual([97, 98])
    expect(await seqs({tail: 0})).toEqual([])
    expect(await seqs({after: 100})).toEqual([])
  })

  it('stops reading once `before` is reached instead of scanning the rest', async () => {
    let pulled = 0
    async function* counted(): AsyncIterable<LogEntry> {
      for (const entry of entries) {
        pulled++
        yield entry
      }
    }
    await collect(applyRange(counted(), {before: 5}))
    expect(pulled).toBe(4)
  })
})

const range = (from: number, to: number): number[] => Array.from({length: to - from + 1}, (_, i) => from + i)

describe('seq-only ranges over record lines (parse only what is returned)', () => {
  it('gives the same entries as the general range for after, before, tail and limit', async () => {
    const {decodeSeqRange, recordLine} = await import('../../src/lib/archive/format.js')
    const entries = makeEntries(300)
    const lines = entries.map((e) => recordLine(e).slice(0, -1))
    const ranges = [{}, {after: 250}, {before: 4}, {tail: 5}, {tail: 5, before: 100}, {tail: 10, after: 295}, {limit: 3, after: 7}, {tail: 4, limit: 2}, {tail: 0}, {limit: 0}]
    for (const range of ranges) {
      const fast = (await collect(decodeSeqRange(iterate(lines), range))).map((e) => e.seq)
      const general = (await collect(applyRange(iterate(entries), range))).map((e) => e.seq)
      expect(fast, JSON.stringify(range)).toEqual(general)
    }
  })

  it('parses a tail scan only for the lines it returns', async () => {
    const {decodeSeqRange, recordLine} = await import('../../src/lib/archive/format.js')
    const lines = makeEntries(50).map((e) => recordLine(e).slice(0, -1))
    lines[10] = '{"seq":11,broken' // throws if parsed
    expect((await collect(decodeSeqRange(iterate(lines), {tail: 2}))).map((e) => e.seq)).toEqual([49, 50])
    expect((await collect(decodeSeqRange(iterate(lines), {after: 40}))).map((e) => e.seq)).toEqual(range(41, 50))
    await expect(collect(decodeSeqRange(iterate(lines), {tail: 40}))).rejects.toThrow()
  })
})

describe('--grep hint over record lines', () => {
  const tricky = [
    'plain',
    '',
    'quote " and \\ backslash',
    'tab\there',
    'ctrl \u0001 \u001b[31m',
    'unicode é 漢字 😀',
    '{"level":"error","msg":"json \\"inside\\""}',
    ',"line":"fake field',
    'ends with quote"}',
  ]

  it('takes the exact line text out of a record line without parsing the record', async () => {
    const {lineTextOf, recordLine} = await import('../../src/lib/archive/format.js')
    for (const [i, text] of tricky.entries()) {
      const record = recordLine(entryFromBytes(i + 1, 5, Buffer.from(text), i % 2 === 0, 'warn', 'stderr')).slice(0, -1)
      expect(lineTextOf(record), text).toBe(text)
    }
    const invalid = recordLine(entryFromBytes(1, 1, Buffer.from([0xff, 0x41]), true)).slice(0, -1)
    expect(lineTextOf(invalid)).toBe('\ufffdA') // what `line` holds; exact bytes stay in `bytes`
    expect(lineTextOf('{"line":"x","seq":1}')).toBeUndefined() // another writer's key order: left to the full parse
  })

  it('keeps exactly the lines the pattern matches (and any of unknown shape)', async () => {
    const {matchingLines, recordLine} = await import('../../src/lib/archive/format.js')
    const lines = tricky.map((text, i) => recordLine(entryFromBytes(i + 1, 5, Buffer.from(text), true)).slice(0, -1))
    lines.push('{"line":"other shape","seq":99}')
    for (const pattern of [/^quote/, /\t/, /"inside\\"/, /😀$/, /^$/, /"}$/, /line/]) {
      const kept = await collect(matchingLines(iterate(lines), pattern))
      const expected = [...tricky.filter((t) => pattern.test(t)).map((t) => lines[tricky.indexOf(t)]), lines.at(-1)]
      expect(kept, String(pattern)).toEqual(expected)
    }
  })
})

describe('one NDJSON encoder for the record schema', () => {
  it('recordJson says what toRecord holds, for get --output json, the relay and the archive alike', async () => {
    const {fromRecord, recordJson, toRecord} = await import('../../src/lib/entry.js')
    const {formatJson} = await import('../../src/lib/render/format-entry.js')
    const {logFrame} = await import('../../src/lib/relay/sse-frames.js')
    const {recordLine} = await import('../../src/lib/archive/format.js')
    const entries = [
      entryFromBytes(1, 1_700_000_000_000, Buffer.from('plain'), true, 'info', 'stdout'),
      entryFromBytes(2, 2, Buffer.from([0x66, 0xff, 0x00]), false),
      entryFromBytes(3, 3, Buffer.from('{"level":"error","msg":"x \\"y\\"","n":[1,{"a":null}]}'), true, 'error', 'stderr'),
      entryFromBytes(4, 4, Buffer.from('quote " \\ \t \u0001 é 😀'), true),
      entryFromBytes(5, 5, Buffer.from('java.lang.IllegalStateException: refused'), true, 'error', 'stderr', undefined, 'start'),
      entryFromBytes(6, 6, Buffer.from('\tat com.example.Pool.acquire(Pool.java:42)'), true, 'error', 'stderr', undefined, 'continuation'),
      entryFromBytes(7, 7, Buffer.from(' { "id" : 12345678901234567890, "msg":"\\u00e9" }\r'), true),
    ]
    for (const entry of entries) {
      const full = toRecord(entry)
      expect(JSON.parse(recordJson(entry, {fields: true}))).toEqual(full)
      expect(JSON.parse(formatJson(entry))).toEqual(full)
      expect(JSON.parse(formatJson(entry, 'job-1'))).toEqual({job: 'job-1', ...full})
      expect(JSON.parse(logFrame(entry).split('\n')[2].slice('data: '.length))).toEqual(full)
      // The archive leaves out `fields` (derived from `line`), and keeps `line` last.
      expect(JSON.parse(recordLine(entry))).toEqual(toRecord(entry, false))
      expect(recordLine(entry)).toMatch(/,"line":"(?:[^"\\]|\\.)*"\}\n$/)
      expect(fromRecord(JSON.parse(recordLine(entry)))).toEqual(entry)
    }
    // A JSON line's fields are its own text: an integer past 2^53 stays as it was written.
    expect(recordJson(entries[6], {fields: true})).toContain(`,"fields":{ "id" : 12345678901234567890, "msg":"\\u00e9" }}`)
  })
})
