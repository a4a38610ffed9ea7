/**
 * History reads: a range of a job's lines, forward with `XRANGE` from the first wanted
 * sequence number, or backward with `XREVRANGE` for a tail — never a scan of the whole
 * stream for either. A time bound is turned into a sequence bound by binary search when
 * the job's timestamps are known to be in order (the append script records when they
 * are not; then the range is filtered line by line instead).
 */
import type {LogEntry} from '../../entry.js'
import type {RawBlock, RawRange, ReadRange, StoredChunks} from '../types.js'
import type {RedisClient} from './failures.js'
import {decodeChunk, rawLines} from './codec.js'
import type {JobKeys} from './keys.js'

/** Stream entries fetched per round trip (each holds up to a few hundred lines). */
const PAGE = 32

export type RawStreamEntry = [Buffer, Buffer[]]

/** A chunk of lines, or a marker (end of job, metadata changed) that holds none. */
export type StreamItem = {kind: 'lines'; id: string; lines: LogEntry[]} | {kind: 'marker'; id: string}

export function parseStreamEntry([rawId, fields]: RawStreamEntry): StreamItem {
  const id = rawId.toString()
  const [seqText, marker] = id.split('-')
  if (marker !== '0') return {kind: 'marker', id}
  const {index, data} = chunkFields(id, fields)
  return {kind: 'lines', id, lines: decodeChunk(Number(seqText), index, data)}
}

function chunkFields(id: string, fields: Buffer[]): {index: Buffer; data: Buffer} {
  let index: Buffer | undefined
  let data: Buffer | undefined
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i].toString()
    if (name === 'i') index = fields[i + 1]
    else if (name === 'd') data = fields[i + 1]
  }
  if (!index || !data) throw new Error(`stream entry ${id} has no lines (written by another program?)`)
  return {index, data}
}

/**
 * The reads below stop at the lines the job's metadata counted when they began, all of
 * which are in the stream then (appends add both in one script); a stream that ends before
 * them was deleted under the read (`logs rm`, `logs gc`, or `logs archive` moving the job):
 * `gone()` says so, rather than the read ending early as if the job were shorter.
 */
export type Gone = () => Error

export async function* readRange(client: RedisClient, keys: JobKeys, range: ReadRange, gone: Gone): AsyncIterable<LogEntry> {
  const [linesText, unordered] = await client.hmget(keys.meta, 'lines', 'unordered')
  if (linesText === null) return
  let from = Math.max((range.after ?? 0) + 1, await firstStoredSeq(client, keys))
  let to = Math.min(Number(linesText), range.before === undefined ? Number.POSITIVE_INFINITY : range.before - 1)
  const {since, until} = range
  if (unordered === null) {
    if (since !== undefined && from <= to) from = await firstSeqAtOrAfter(client, keys, since, from, to)
    if (until !== undefined && from <= to) to = (await firstSeqAtOrAfter(client, keys, until, from, to)) - 1
  }
  if (from > to) return
  const wanted = (entry: LogEntry) => entry.seq >= from && entry.seq <= to && (since === undefined || entry.ts >= since) && (until === undefined || entry.ts < until)
  const source = range.tail === undefined ? forward(client, keys, from, to, wanted, gone, range.signal) : backward(client, keys, from, to, range.tail, wanted, gone, range.signal)
  let left = range.limit ?? Number.POSITIVE_INFINITY
  if (left <= 0) return
  for await (const entry of source) {
    yield entry
    if (--left <= 0) return
  }
}

/**
 * The raw bytes of a range of consecutive lines, stream entry by stream entry. A tail or
 * a limit is a sequence interval here: the stream holds every seq from its first to `lines`.
 */
export async function* readRawRange(client: RedisClient, keys: JobKeys, range: RawRange, gone: Gone): AsyncIterable<RawBlock> {
  const linesText = await client.hget(keys.meta, 'lines')
  if (linesText === null) return
  let from = Math.max((range.after ?? 0) + 1, await firstStoredSeq(client, keys))
  let to = Number(linesText)
  if (range.tail !== undefined) from = Math.max(from, to - range.tail + 1)
  if (range.limit !== undefined) to = Math.min(to, from + range.limit - 1)
  let start = `${from}-0`
  while (from <= to) {
    range.signal?.throwIfAborted()
    const page = (await client.xrangeBuffer(keys.log, start, '+', 'COUNT', PAGE)) as RawStreamEntry[]
    for (const [rawId, fields] of page) {
      const id = rawId.toString()
      const [seqText, marker] = id.split('-')
      if (marker !== '0') continue
      const {index, data} = chunkFields(id, fields)
      const block = rawLines(Number(seqText), index, data, from, to)
      if (!block) continue
      yield block
      from = block.last + 1
    }
    if (page.length < PAGE) {
      if (from <= to) throw gone()
      return
    }
    start = `(${page.at(-1)![0].toString()}`
  }
}

/**
 * Every line of a job as stored, not decoded: the chunks of a page of stream entries at a
 * time, their fields joined (the archive decodes them on worker threads). Up to `lines`,
 * as readRange reads.
 */
export async function* readStoredChunks(client: RedisClient, keys: JobKeys): AsyncIterable<StoredChunks> {
  const linesText = await client.hget(keys.meta, 'lines')
  if (linesText === null) return
  const to = Number(linesText)
  let start = '-'
  for (;;) {
    const page = (await client.xrangeBuffer(keys.log, start, '+', 'COUNT', PAGE)) as RawStreamEntry[]
    const indexes: Buffer[] = []
    const data: Buffer[] = []
    const chunks: number[] = []
    let indexEnd = 0
    let dataEnd = 0
    for (const [rawId, fields] of page) {
      const id = rawId.toString()
      const [seqText, marker] = id.split('-')
      if (marker !== '0' || Number(seqText) > to) continue
      const chunk = chunkFields(id, fields)
      indexes.push(chunk.index)
      data.push(chunk.data)
      indexEnd += chunk.index.length
      dataEnd += chunk.data.length
      chunks.push(Number(seqText), indexEnd, dataEnd)
    }
    if (chunks.length > 0) yield {kind: 'redis', index: Buffer.concat(indexes), data: Buffer.concat(data), chunks: Float64Array.from(chunks)}
    if (page.length < PAGE) return
    start = `(${page.at(-1)![0].toString()}`
  }
}

async function* forward(client: RedisClient, keys: JobKeys, from: number, to: number, wanted: (e: LogEntry) => boolean, gone: Gone, signal?: AbortSignal): AsyncIterable<LogEntry> {
  let start = `${from}-0`
  let seen = from - 1
  for (;;) {
    signal?.throwIfAborted()
    const page = (await client.xrangeBuffer(keys.log, start, '+', 'COUNT', PAGE)) as RawStreamEntry[]
    for (const raw of page) {
      const item = parseStreamEntry(raw)
      if (item.kind === 'marker') continue
      for (const entry of item.lines) {
        if (entry.seq > to) return
        seen = entry.seq
        if (wanted(entry)) yield entry
      }
    }
    if (page.length < PAGE) {
      if (seen < to) throw gone()
      return
    }
    start = `(${page.at(-1)![0].toString()}`
  }
}

async function* backward(
  client: RedisClient,
  keys: JobKeys,
  from: number,
  to: number,
  tail: number,
  wanted: (e: LogEntry) => boolean,
  gone: Gone,
  signal?: AbortSignal,
): AsyncIterable<LogEntry> {
  if (tail <= 0) return
  const containing = (await client.xrangeBuffer(keys.log, `${to}-0`, '+', 'COUNT', 1)) as RawStreamEntry[]
  if (containing.length === 0) throw gone()
  let end = containing[0][0].toString()
  const picked: LogEntry[] = []
  let lowest = to + 1
  for (;;) {
    signal?.throwIfAborted()
    const page = (await client.xrevrangeBuffer(keys.log, end, `${from}-0`, 'COUNT', PAGE)) as RawStreamEntry[]
    for (const raw of page) {
      const item = parseStreamEntry(raw)
      if (item.kind === 'marker') continue
      if (item.lines.length > 0) lowest = Math.min(lowest, item.lines[0].seq)
      for (let i = item.lines.length - 1; i >= 0; i--) {
        const entry = item.lines[i]
        if (!wanted(entry)) continue
        picked.push(entry)
        if (picked.length >= tail) return yield* picked.reverse()
      }
    }
    if (page.length < PAGE) {
      if (lowest > from) throw gone()
      return yield* picked.reverse()
    }
    end = `(${page.at(-1)![0].toString()}`
  }
}

/** The first seq still in the stream (lines before it were trimmed by `maxlen`). */
async function firstStoredSeq(client: RedisClient, keys: JobKeys): Promise<number> {
  const first = (await client.xrangeBuffer(keys.log, '-', '+', 'COUNT', 1)) as RawStreamEntry[]
  if (first.length === 0) return 1
  const item = parseStreamEntry(first[0])
  return item.kind === 'lines' ? item.lines[0].seq : 1
}

/**
 * The smallest seq in [lo, hi] whose ts ≥ target, or hi + 1 — by binary search over the
 * stream (one `XRANGE … COUNT 1` per step), valid because timestamps are in order.
 */
export async function firstSeqAtOrAfter(client: RedisClient, keys: JobKeys, target: number, lo: number, hi: number): Promise<number> {
  let low = lo
  let high = hi + 1
  while (low < high) {
    const mid = Math.floor((low + high) / 2)
    const page = (await client.xrangeBuffer(keys.log, `${mid}-0`, '+', 'COUNT', 1)) as RawStreamEntry[]
    const item = page.length === 0 ? undefined : parseStreamEntry(page[0])
    if (!item || item.kind === 'marker') return high // the stream ends before mid: nothing stored from here on
    const lines = item.lines.filter((entry) => entry.seq >= low && entry.seq < high)
    const at = lines.findIndex((entry) => entry.ts >= target)
    if (at === -1) low = lines.length > 0 ? lines.at(-1)!.seq + 1 : mid + 1
    else if (at > 0 || lines[0].seq === low) return lines[at].seq
    else high = lines[0].seq
  }
  return low
}
