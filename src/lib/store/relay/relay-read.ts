/**
 * A job's history through a relay as one streamed answer (relay/history-stream.ts): its
 * entries (`format=ndjson`) or its stored bytes (`format=raw`), taken as they arrive while
 * the relay reads on. Only the answer's last line says it is whole; one cut before it (a
 * proxy, a restarted relay) is asked again from after the last entry received, so nothing
 * is lost or given twice.
 *
 *   request ─▶ body ─▶ entries / blocks out … last line: done
 *      ▲                      │ cut, or the relay's store down (error line, 503)
 *      └── after=last seq ◀───┘ backoff (retry.ts), reset by every entry received
 */
import type {IncomingMessage} from 'node:http'
import {fromRecord, type EntryRecord, type LogEntry} from '../../entry.js'
import {ArchiveReadError, JobDeletedError, JobNotFoundError, RelayAnswerError, StoreUnavailableError, type UnreadableBlock} from '../../errors/index.js'
import {LEVELS} from '../../level.js'
import {textLines} from '../../text-lines.js'
import {Backoff} from '../retry.js'
import type {RawBlock, RawRange, ReadRange} from '../types.js'
import {RELAY_REQUEST_TIMEOUT_MS, relayError, relayStream, type RelayEndpoint} from './relay-http.js'

type Query = Record<string, string | number | undefined>

/** What one answer holds, in order: entries or bytes, damaged archived blocks, then its end. */
type Part<T> =
  | {kind: 'data'; value: T; last: number; count: number}
  | {kind: 'unreadable'; what: string[]; blocks?: UnreadableBlock[]}
  | {kind: 'end'}
  /** Every wanted entry up to `after` has been received: a cut answer goes on after it. */
  | {kind: 'passed'; after: number}
  | {kind: 'other'}
  | {kind: 'failed'; error: Error; resumable: boolean}

/** Control lines of both formats (the relay's last line, an error, damaged blocks). */
interface ControlLine {
  cursor?: number
  passed?: number
  error?: string
  status?: number
  /** With an error: what a damaged live log's is (relay-http.ts ErrorDetails). */
  code?: string
  hints?: string[]
  unreadable?: string[]
  unreadableBlocks?: UnreadableBlock[]
}

/** Bytes a frame's head line may take: more is not a relay's answer. */
const MAX_HEAD_BYTES = 64 * 1024

/** The entries of a range in the batches they arrive in; the relay filters by the range's hints (`match`, `levels`). */
export function readEntries(endpoint: RelayEndpoint, id: string, range: ReadRange): AsyncGenerator<LogEntry[]> {
  const onlyFirst = range.tail === undefined && range.limit === undefined
  const query: Query = {
    format: 'ndjson',
    fields: 0,
    after: range.after,
    before: range.before,
    since: range.since,
    until: range.until,
    tail: range.tail,
    level: levelParam(range.levels),
    grep: onlyFirst ? range.match?.source : undefined,
    i: onlyFirst && range.match?.flags.includes('i') ? 1 : undefined,
  }
  return resumable(endpoint, id, query, range, (chunks) => entryParts(chunks, endpoint, id))
}

/** The stored bytes of a range, block by block as the relay's store keeps them. */
export function readRawBlocks(endpoint: RelayEndpoint, id: string, range: RawRange): AsyncGenerator<RawBlock> {
  return resumable(endpoint, id, {format: 'raw', after: range.after, tail: range.tail}, range, (chunks) => rawParts(chunks, endpoint, id))
}

async function* resumable<T>(
  endpoint: RelayEndpoint,
  id: string,
  query: Query,
  range: Pick<ReadRange, 'tail' | 'limit' | 'signal' | 'onUnreadable'>,
  parts: (chunks: AsyncIterable<Buffer>) => AsyncIterable<Part<T>>,
): AsyncGenerator<T> {
  const {signal} = range
  const unreadable: ArchiveReadError[] = []
  const onUnreadable = range.onUnreadable ?? ((error: ArchiveReadError) => unreadable.push(error))
  let remaining = Math.min(range.tail ?? Number.POSITIVE_INFINITY, range.limit ?? Number.POSITIVE_INFINITY)
  const backoff = new Backoff({policy: endpoint.retry, classify: (error) => (error instanceof StoreUnavailableError ? {} : undefined), signal})
  let resuming = false
  const path = `/v1/jobs/${encodeURIComponent(id)}/logs`
  for (;;) {
    if (remaining <= 0) break
    let answered = false
    let final: unknown
    try {
      const response = await relayStream(endpoint, path, {query: {...query, limit: Number.isFinite(remaining) ? remaining : undefined}, signal, job: id})
      answered = true
      checkType(response, endpoint, query.format === 'raw' ? 'application/octet-stream' : 'application/x-ndjson')
      let ended = false
      for await (const part of parts(body(response, endpoint))) {
        if (part.kind === 'end') ended = true
        else if (part.kind === 'failed') {
          if (!part.resumable) final = part.error
          throw part.error
        } else if (part.kind === 'unreadable') onUnreadable(new ArchiveReadError(id, part.what, part.blocks))
        else if (part.kind === 'passed') {
          query = {...query, after: part.after, tail: undefined}
          backoff.reset()
        } else if (part.kind === 'data') {
          yield part.value
          remaining -= part.count
          // The rest of a tail is what follows: its start is fixed by now.
          query = {...query, after: part.last, tail: undefined}
          backoff.reset()
        }
      }
      if (!ended) throw new StoreUnavailableError(endpoint.name, "the relay's answer was cut: it ended before its last line")
      break
    } catch (error) {
      // Gone between two answers: deleted (or archived where the relay does not read) while being read.
      if (resuming && error instanceof JobNotFoundError) throw new JobDeletedError(id, endpoint.name)
      // A relay that cannot be reached at first is an error at once; one that was answering is waited for.
      if (error === final || !(answered || resuming) || signal?.aborted) throw error
      await backoff.retryAfter(error)
      resuming = true
    }
  }
  if (unreadable.length > 0) throw ArchiveReadError.merged(unreadable)[0]
}

/** format=ndjson: records become entries, a batch per chunk read. */
async function* entryParts(chunks: AsyncIterable<Buffer>, endpoint: RelayEndpoint, id: string): AsyncGenerator<Part<LogEntry[]>> {
  for await (const lines of textLines(chunks)) {
    let entries: LogEntry[] = []
    for (const line of lines) {
      const record = parseLine(line, endpoint) as EntryRecord & ControlLine
      if (record.seq !== undefined) {
        entries.push(fromRecord(record))
        continue
      }
      if (entries.length > 0) yield dataPart(entries)
      entries = []
      yield control(record, endpoint, id)
    }
    if (entries.length > 0) yield dataPart(entries)
  }
}

function dataPart(entries: LogEntry[]): Part<LogEntry[]> {
  return {kind: 'data', value: entries, last: entries.at(-1)!.seq, count: entries.length}
}

/** format=raw: a head line `{"first","last","bytes"}` before each block's bytes; control lines between. */
async function* rawParts(chunks: AsyncIterable<Buffer>, endpoint: RelayEndpoint, id: string): AsyncGenerator<Part<RawBlock>> {
  const held = new HeldBytes()
  let head: {first: number; last: number; bytes: number} | undefined
  for await (const chunk of chunks) {
    held.push(chunk)
    for (;;) {
      if (head) {
        if (held.size < head.bytes) break
        yield {kind: 'data', value: {first: head.first, last: head.last, bytes: held.take(head.bytes)}, last: head.last, count: head.last - head.first + 1}
        head = undefined
        continue
      }
      const end = held.indexOf(10)
      if (end === -1) {
        if (held.size > MAX_HEAD_BYTES) throw new RelayAnswerError(endpoint.name, 'sent a frame head longer than a frame head can be')
        break
      }
      const line = parseLine(held.take(end + 1).toString('utf8', 0, end), endpoint) as ControlLine & {first?: number; last?: number; bytes?: number}
      if (line.bytes === undefined) yield control(line, endpoint, id)
      else if (Number.isSafeInteger(line.first) && Number.isSafeInteger(line.last) && Number.isSafeInteger(line.bytes) && line.bytes >= 0)
        head = {first: line.first!, last: line.last!, bytes: line.bytes}
      else throw new RelayAnswerError(endpoint.name, `sent a frame head that is not one: ${JSON.stringify(line).slice(0, 200)}`)
    }
  }
}

function control(line: ControlLine, endpoint: RelayEndpoint, id: string): Part<never> {
  // Only a store that went down is worth asking again (503); anything else would say the same again.
  if (line.error !== undefined) return {kind: 'failed', error: relayError(endpoint, line.status ?? 503, line.error, id, line), resumable: line.status === 503}
  if (line.unreadable !== undefined) return {kind: 'unreadable', what: line.unreadable, blocks: line.unreadableBlocks}
  if (line.cursor !== undefined) return {kind: 'end'}
  if (Number.isSafeInteger(line.passed)) return {kind: 'passed', after: line.passed!}
  return {kind: 'other'} // a newer relay's news: only the last line is needed to know the answer is whole
}

function parseLine(line: string, endpoint: RelayEndpoint): object {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    throw new RelayAnswerError(endpoint.name, `sent a line that is not JSON: ${JSON.stringify(line.slice(0, 200))}`)
  }
  if (value === null || typeof value !== 'object') throw new RelayAnswerError(endpoint.name, `sent a line that is not a JSON object: ${line.slice(0, 200)}`)
  return value
}

function checkType(response: IncomingMessage, endpoint: RelayEndpoint, expected: string): void {
  const type = response.headers['content-type'] ?? ''
  if (type.startsWith(expected)) return
  response.destroy()
  throw new RelayAnswerError(endpoint.name, `answered ${type || 'no content type'} where a history stream (${expected}) was asked for`)
}

/**
 * The answer's body as it arrives. A cut is a StoreUnavailableError; so is a relay silent
 * for RELAY_REQUEST_TIMEOUT_MS while the next chunk is waited for (not while the caller
 * holds one: a reader paused by its own output does not time the relay out).
 */
async function* body(response: IncomingMessage, endpoint: RelayEndpoint): AsyncGenerator<Buffer> {
  const chunks = response[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  try {
    for (;;) {
      const timer = setTimeout(() => response.destroy(new Error(`nothing received for ${RELAY_REQUEST_TIMEOUT_MS / 1000}s`)), RELAY_REQUEST_TIMEOUT_MS)
      let next: IteratorResult<Buffer>
      try {
        next = await chunks.next()
      } catch (error) {
        throw new StoreUnavailableError(endpoint.name, `the relay's answer was cut: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, error)
      } finally {
        clearTimeout(timer)
      }
      if (next.done) return
      yield next.value
    }
  } finally {
    await chunks.return?.() // left early (--head, a closed pipe): the connection goes
  }
}

/** Bytes received and not yet taken, as the chunks they came in (joined only when a take spans several). */
class HeldBytes {
  private parts: Buffer[] = []
  size = 0

  push(chunk: Buffer): void {
    this.parts.push(chunk)
    this.size += chunk.length
  }

  indexOf(byte: number): number {
    let offset = 0
    for (const part of this.parts) {
      const at = part.indexOf(byte)
      if (at !== -1) return offset + at
      offset += part.length
    }
    return -1
  }

  take(count: number): Buffer {
    const first = this.parts[0]
    let taken: Buffer
    if (first !== undefined && first.length >= count) {
      taken = first.subarray(0, count)
      if (first.length === count) this.parts.shift()
      else this.parts[0] = first.subarray(count)
    } else {
      const joined = Buffer.concat(this.parts, this.size)
      taken = joined.subarray(0, count)
      this.parts = joined.length > count ? [joined.subarray(count)] : []
    }
    this.size -= count
    return taken
  }
}

/** The `level` parameter for a levels hint: `L` for L and above, `=L` for one level; none for other sets. */
function levelParam(levels: ReadRange['levels']): string | undefined {
  if (!levels || levels.length === 0) return undefined
  const from = LEVELS.indexOf(levels[0])
  if (levels.length === LEVELS.length - from && levels.every((level, i) => level === LEVELS[from + i])) return levels[0]
  return levels.length === 1 ? `=${levels[0]}` : undefined
}
