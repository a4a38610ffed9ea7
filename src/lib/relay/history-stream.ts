/**
 * GET /v1/jobs/:id/logs?format=ndjson|raw — a job's history as one streamed response
 * instead of pages: what `logs get --url` reads. The same range and filters as a page
 * (`after`, `before`, `tail`, `limit` — uncapped here —, `since`, `until`, `level`, `grep`,
 * `exclude`, `i`, `stream`), read by one pass over the store and written as fast as the
 * client takes it (the next batch is read while the socket drains).
 *
 *   format=ndjson  one record per line, as `logs get -o json` prints it (`fields=0` leaves
 *                  out the parsed `fields`), then a last line `{"cursor":N,"more":false}`
 *   format=raw     the stored bytes, in frames: a line `{"first":A,"last":B,"bytes":N}`
 *                  then exactly N bytes, entries A..B as `--output raw` writes them; then
 *                  the same last line. Filters and times are refused (400): raw copies
 *                  consecutive entries.
 *
 * Damaged blocks of an archived job are told where they are met, by a line
 * `{"unreadable":[…],"unreadableBlocks":[…]}` (what a page's fields of those names say).
 * Every 10 000 entries looked at, a line `{"passed":N}` says every matching entry up to N
 * has been sent: a cut client goes on after N, and a search that finds little still
 * shows the client it is under way.
 *
 * The last line is how a client knows it has everything: a response cut before it is
 * resumed with `after=` the last entry received. A failure once the body has begun ends
 * it with `{"error":"…","status":S}` (S as the status it would have had: 410 for a job
 * deleted while it was read, 503 for a store that went down).
 */
import type {ServerResponse} from 'node:http'
import {recordJson, type LogEntry} from '../entry.js'
import {ArchiveReadError} from '../errors/index.js'
import type {Jobs} from '../store/jobs.js'
import type {RawBlock} from '../store/types.js'
import {badRequest, failureBody, toHttpError} from './http-error.js'
import {historyBatches, rawHistory, type StreamState} from './history.js'
import {flagParam, integerParam, readQuery, storeHints} from './query-params.js'
import {drainedOrClosed} from './respond.js'
import {getJob} from './read-handlers.js'
import {TextBytes} from '../text-bytes.js'

export const HISTORY_FORMATS = ['ndjson', 'raw'] as const

export async function streamHistory(jobs: Jobs, jobId: string, params: URLSearchParams, response: ServerResponse, headers: Record<string, string>): Promise<void> {
  const format = params.get('format')
  if (!HISTORY_FORMATS.includes(format as (typeof HISTORY_FORMATS)[number]))
    throw badRequest(
      `invalid format ${JSON.stringify(format)}: expected ndjson (entries, one JSON record a line) or raw (the stored bytes in frames); leave it out for a JSON page`,
    )
  const {range, filter} = readQuery(params)
  const limit = integerParam(params, 'limit', {min: 1})
  const fields = flagParam(params, 'fields', 'the parsed fields of JSON lines', true)
  if (format === 'raw' && (filter || range.since !== undefined || range.until !== undefined || range.before !== undefined))
    throw badRequest('format=raw takes after, tail and limit only (it copies consecutive entries): use format=ndjson with level, grep, exclude, stream, since, until or before')
  await getJob(jobs, jobId)
  const controller = new AbortController()
  response.once('close', () => controller.abort())
  const state: StreamState = {cursor: range.after ?? 0, more: false, unreadable: []}
  const signal = controller.signal
  const chunks =
    format === 'raw'
      ? rawFrames(rawHistory(jobs, jobId, {after: range.after, tail: range.tail, limit, signal}, state), state)
      : ndjsonLines(historyBatches(jobs, jobId, {...range, signal, ...storeHints(params, range.tail)}, filter, limit ?? Number.POSITIVE_INFINITY, state), fields, state)
  const iterator = chunks[Symbol.asyncIterator]()
  // The first chunk before the status line: a store that is down or a damaged job still gets its status.
  let next = await iterator.next()
  response.writeHead(200, {
    ...headers,
    'Content-Type': format === 'raw' ? 'application/octet-stream' : 'application/x-ndjson; charset=utf-8',
    'Cache-Control': 'no-store',
  })
  try {
    while (!next.done) {
      const written = response.write(next.value)
      // Read the next batch while the socket drains: the store and the network work at once.
      const pending = iterator.next()
      pending.catch(() => undefined) // awaited below: not an unhandled rejection while the socket drains
      if (!written) await drainedOrClosed(response)
      next = await pending
      if (response.destroyed) return
    }
  } catch (error) {
    if (response.destroyed) return
    response.end(`${JSON.stringify(failureBody(toHttpError(error, jobs.live.name)))}\n`)
    return
  } finally {
    await iterator.return?.(undefined)
  }
  response.end(`${unreadableLine(state)}${JSON.stringify({cursor: state.cursor, more: state.more})}\n`)
}

/** Damaged blocks of an archived job met since the last call, as a line (empty when none). */
function unreadableLine(state: StreamState): string {
  const [met] = ArchiveReadError.merged(state.unreadable.splice(0))
  return met ? `${JSON.stringify({unreadable: met.what, unreadableBlocks: met.blocks})}\n` : ''
}

/** A batch's lines as one buffer: encoded once (a string written to the response is measured, then encoded). */
async function* ndjsonLines(batches: AsyncIterable<LogEntry[]>, fields: boolean, state: StreamState): AsyncGenerator<Buffer> {
  for await (const batch of batches) {
    const text = new TextBytes()
    text.add(unreadableLine(state))
    for (const entry of batch) text.add(`${recordJson(entry, {fields})}\n`)
    if (state.passed !== undefined) text.add(`${JSON.stringify({passed: state.passed})}\n`)
    state.passed = undefined
    yield text.takeBytes()
  }
}

/** A frame's head line, then its bytes as the store gave them (not copied into one buffer). */
async function* rawFrames(blocks: AsyncIterable<RawBlock>, state: StreamState): AsyncGenerator<string | Buffer> {
  for await (const {first, last, bytes} of blocks) {
    yield `${unreadableLine(state)}${JSON.stringify({first, last, bytes: bytes.length})}\n`
    yield bytes
  }
}
