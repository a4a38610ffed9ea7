/**
 * POST /v1/jobs/:id/logs — append a body's lines, streamed: the body is parsed chunk by
 * chunk and appended in batches, so a never-ending `curl -T-` upload works with bounded
 * memory. Query: `start=1` (start/reopen even with an empty body), `label=k=v`…,
 * `stream=stdout|stderr` (text bodies), `end=1` with `exit-code=N` or `status=S`.
 *
 * Sections, phase and progress are recorded here, as push records them (ingest-structure.ts),
 * and secrets in text and NDJSON bodies and in labels are masked (ingest-masking.ts). A
 * chunk body's frames (push --url) stay packed on their way: the store appends them as
 * they came (appendPacked), with no entry made per line.
 *
 * Batches are cut by content only (lines, bytes; a chunk body between frames), never by
 * timing: a retried body is cut the same way.
 *
 * Exactly once: headers `Logs-Writer` + `Logs-Batch` carry the client's AppendToken. A body
 * appended in several store batches gives batch i of request B the token B·2^16 + i, and its
 * last batch B·2^16 + LAST_SUB_BATCH — deterministic, since batches are cut by entry count and
 * bytes — so a retried request is skipped batch by batch by the store behind the relay.
 *
 * In order: `Logs-After: P` (the writer's previous request, 0 before its first) lets a client
 * keep several requests in flight. The request waits for P if P is being handled here
 * (ingest-order.ts), and its batches carry `after` — P's last batch, then each its own
 * previous one — so the store applies them only right after P and refuses them otherwise
 * (409): nothing of a request is applied before its predecessor is whole.
 */
import type {IncomingMessage} from 'node:http'
import {byteLength, type NewEntry, type Stream} from '../entry.js'
import {EXIT_CODE_FORMS, parseExitCode} from '../exit-code.js'
import {endStatus, isEnded, JOB_STATUSES, type ContinuedRun, type JobMeta, type JobStatus} from '../job.js'
import {continuedBase} from '../store/continued-job.js'
import {joinPacked, unpackEntries, type PackedEntries} from '../store/packed-entries.js'
import type {AppendResult, AppendToken, LiveStore} from '../store/types.js'
import {OutOfOrderError} from '../errors/index.js'
import {counted} from '../render/counted.js'
import {HttpError, badRequest} from './http-error.js'
import {IngestParser, type BodyFormat} from './ingest-parser.js'
import type {IngestOrder} from './ingest-order.js'
import type {IngestStructure} from './ingest-structure.js'
import type {IngestMasking} from './ingest-masking.js'
import type {LineMasker} from '../mask/masker.js'
import type {RelayLimits} from './limits.js'
import type {RelayMetrics} from './metrics.js'

export interface IngestResult {
  first: number
  last: number
  lines: number
  duplicate?: boolean
  job?: JobMeta
}

const SUB_BATCHES = 65_536
/** The sub-batch index of a request's last store batch, whatever their number: what its successor's first names as `after`. */
const LAST_SUB_BATCH = SUB_BATCHES - 1
const INGEST_BATCH_BYTES = 4 * 1024 * 1024
const MAX_CLIENT_BATCH = 2 ** 36

export async function handleIngest(
  live: LiveStore,
  limits: RelayLimits,
  metrics: RelayMetrics,
  structure: IngestStructure,
  masking: IngestMasking,
  order: IngestOrder,
  request: IncomingMessage,
  jobId: string,
  params: URLSearchParams,
  /** The archived run a job new to the live store continues (`push --url` after `logs archive`, as push into the store itself). */
  archivedRun?: (jobId: string) => Promise<ContinuedRun | undefined>,
): Promise<IngestResult> {
  const token = appendToken(request)
  const endAs = endParams(params)
  const format = bodyFormat(request, params)
  const stream = streamParam(params)
  const masker = format === 'chunk' ? undefined : masking.forJob(jobId)
  const labels = labelParams(params, masker)
  const declared = Number(request.headers['content-length'] ?? 0)
  if (declared > limits.maxBodyBytes) throw tooLarge(limits, 0)

  let started = false
  /** Lines of an archived run the job continues: the live store numbers the lines after them from 1, the answer in the job's numbers. */
  let base = 0
  const ensureStarted = async (): Promise<void> => {
    if (started) return
    started = true
    const meta = await live.getJob(jobId)
    // A request after the writer's first for a job the store has not got: its predecessor was never applied here. Refused before a job is made of it.
    if (!meta && token?.after) throw OutOfOrderError.of(live.name, token, undefined)
    const continues = meta ? undefined : await archivedRun?.(jobId)
    base = continues?.lines ?? continuedBase(meta)
    if (!meta || isEnded(meta.status) || params.get('start') === '1' || labels) await live.startJob(jobId, {...(labels && {labels}), ...(continues && {continues})})
  }

  const parser = new IngestParser({format, maxLineBytes: limits.maxLineBytes, stream, masker})
  const result: IngestResult = {first: 0, last: -1, lines: 0}
  // The batch being gathered: entries of a text or NDJSON body, or frames of a chunk body.
  let batch: NewEntry[] = []
  let frames: PackedEntries[] = []
  let batchLines = 0
  let batchBytes = 0
  let batchIndex = 0
  let received = 0
  let inOrder = false
  const full = () => batchLines >= limits.ingestBatchEntries || batchBytes >= INGEST_BATCH_BYTES
  const flush = async (last: boolean): Promise<void> => {
    if (batchLines === 0) return
    await ensureStarted()
    const entries = batch
    const packed = frames.length > 0 ? joinPacked(frames) : undefined
    batch = []
    frames = []
    batchLines = 0
    batchBytes = 0
    if (batchIndex >= LAST_SUB_BATCH) throw new HttpError(413, `body too large for one batch: send at most ${LAST_SUB_BATCH * limits.ingestBatchEntries} lines per request`)
    if (token?.after !== undefined && !inOrder) {
      inOrder = true
      await order.turn(jobId, token.writer, token.after)
    }
    const subToken = token && storeToken(token, batchIndex, last)
    batchIndex++
    const appended = await inClientNumbers(live.name, token, () => (packed ? appendPacked(live, jobId, packed, subToken) : live.append(jobId, entries, subToken)))
    if (result.first === 0 && appended.first > 0) result.first = appended.first
    if (appended.last >= appended.first) result.last = appended.last
    if (appended.duplicate) result.duplicate = true
    result.lines += packed?.count ?? entries.length
    if (appended.duplicate) return
    if (packed) {
      structure.observePacked(jobId, appended.first, packed)
      metrics.linesIn += packed.count
      // A chunk's data is its lines joined by one newline.
      for (const chunk of packed.chunks) metrics.bytesIn += chunk.data.length - (chunk.count - 1)
    } else {
      structure.observe(jobId, appended.first, entries)
      metrics.linesIn += entries.length
      for (const entry of entries) metrics.bytesIn += byteLength(entry)
    }
  }

  const done = token ? order.start(jobId, token.writer, token.batch) : () => {}
  let applied = false
  try {
    // destroyOnReturn false: on a 413 the socket must stay up long enough to carry the answer.
    for await (const chunk of request.iterator({destroyOnReturn: false}) as AsyncIterable<Buffer>) {
      received += chunk.length
      if (received > limits.maxBodyBytes) throw tooLarge(limits, result.lines)
      // A full batch waits for one more entry (frame), so the body's last batch is known as the last.
      if (format === 'chunk') {
        for (const frame of parser.pushFrames(chunk)) {
          if (full()) await flush(false)
          frames.push(frame)
          batchLines += frame.count
          batchBytes += frame.size
        }
        continue
      }
      for (const entry of parser.push(chunk)) {
        if (full()) await flush(false)
        batch.push(entry)
        batchLines++
        batchBytes += byteLength(entry)
      }
    }
    for (const entry of parser.end()) {
      batch.push(entry)
      batchLines++
    }
    await flush(true)
    applied = true
  } catch (error) {
    // A bad line partway through a streamed body: the batches before it are stored, and the answer says how many lines.
    if (error instanceof HttpError && error.status === 400 && result.lines > 0) throw partlyAppended(error, result.lines)
    throw error
  } finally {
    done(applied)
  }
  await ensureStarted()
  if (endAs) {
    masking.end(jobId)
    await structure.end(jobId, endAs.status === 'failed')
    result.job = await live.endJob(jobId, endAs)
  }
  if (result.first > 0) result.first += base
  if (result.last > 0) result.last += base
  return result
}

/** A packed batch into the store as it is, where the store takes one (file, Redis); as entries elsewhere. */
function appendPacked(live: LiveStore, jobId: string, packed: PackedEntries, token: AppendToken | undefined): Promise<AppendResult> {
  return live.appendPacked ? live.appendPacked(jobId, packed, token) : live.append(jobId, unpackEntries(packed), token)
}

/** `append`, whose refusal as out of order (409) names the client's requests, not the store's sub-batches of them. */
async function inClientNumbers(where: string, token: AppendToken | undefined, append: () => Promise<AppendResult>): Promise<AppendResult> {
  try {
    return await append()
  } catch (error) {
    if (!(error instanceof OutOfOrderError) || !token) throw error
    // 0, a writer's first request's `after`, is none of its requests.
    const applied = error.applied === 0 ? undefined : error.applied
    throw OutOfOrderError.of(where, token, applied, (batch) => `${Math.floor(batch / SUB_BATCHES)}${batch % SUB_BATCHES === LAST_SUB_BATCH ? '' : ' (in part)'}`)
  }
}

/** The store's token for batch `index` of a request (see the top of this file). */
function storeToken(token: AppendToken, index: number, last: boolean): AppendToken {
  const batch = token.batch * SUB_BATCHES + (last ? LAST_SUB_BATCH : index)
  if (token.after === undefined) return {writer: token.writer, batch}
  const after = index > 0 ? token.batch * SUB_BATCHES + index - 1 : token.after === 0 ? 0 : token.after * SUB_BATCHES + LAST_SUB_BATCH
  return {writer: token.writer, batch, after}
}

function tooLarge(limits: RelayLimits, appended: number): HttpError {
  const partial = appended > 0 ? ` ${appendedBefore(appended)}` : ''
  return new HttpError(413, `body too large: the limit is ${limits.maxBodyBytes} bytes per request${partial}; send smaller requests`, {Connection: 'close'})
}

function partlyAppended(error: HttpError, appended: number): HttpError {
  return new HttpError(error.status, `${error.message} ${appendedBefore(appended)}`, error.headers, error.body)
}

function appendedBefore(lines: number): string {
  return `(the first ${counted(lines, 'line')} ${lines === 1 ? 'was' : 'were'} appended)`
}

function appendToken(request: IncomingMessage): AppendToken | undefined {
  const writer = request.headers['logs-writer']
  const batch = request.headers['logs-batch']
  const after = request.headers['logs-after']
  if (writer === undefined && batch === undefined && after === undefined) return undefined
  if (writer === undefined) throw badRequest(`missing Logs-Writer header: ${batch === undefined ? 'Logs-After' : 'Logs-Batch'} needs it (the writer whose requests are numbered)`)
  if (typeof writer !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(writer)) throw badRequest('invalid Logs-Writer header: 1-128 letters, digits, ".", "_", ":" or "-"')
  const whole = (value: unknown): value is string => typeof value === 'string' && /^\d+$/.test(value) && Number(value) < MAX_CLIENT_BATCH
  if (!whole(batch)) throw badRequest(`invalid Logs-Batch header: a whole number below ${MAX_CLIENT_BATCH}`)
  if (after === undefined) return {writer, batch: Number(batch)}
  if (!whole(after) || Number(after) >= Number(batch))
    throw badRequest('invalid Logs-After header: the Logs-Batch of the previous request, a whole number below this Logs-Batch (0 before the first)')
  return {writer, batch: Number(batch), after: Number(after)}
}

/**
 * `end=1` with `exit-code=N` or `status=S`: how the job ends; undefined without `end=1`.
 * `exit-code` and `status` are checked either way, and refused without `end=1` rather than
 * ignored (the job would go on running while the client thinks it ended).
 */
function endParams(params: URLSearchParams): {status: JobStatus; exitCode?: number} | undefined {
  const end = params.get('end') === '1' || params.get('end') === 'true'
  const text = params.get('exit-code')
  let exitCode: number | undefined
  if (text !== null && text !== '') {
    exitCode = parseExitCode(text)
    if (exitCode === undefined) throw badRequest(`invalid exit-code ${JSON.stringify(text)}: expected ${EXIT_CODE_FORMS}`)
  }
  const status = params.get('status') || undefined
  if (status !== undefined && (!JOB_STATUSES.includes(status as JobStatus) || status === 'running'))
    throw badRequest(`invalid status ${JSON.stringify(status)}: expected one of ${JOB_STATUSES.filter((s) => s !== 'running').join(', ')}`)
  if (!end) {
    const given = [exitCode !== undefined && 'exit-code', status !== undefined && 'status'].filter(Boolean)
    const one = given.length === 1
    if (given.length > 0)
      throw badRequest(
        `${given.join(' and ')} ${one ? 'is' : 'are'} only taken with end=1, which ends the job: add end=1, or leave ${one ? 'it' : 'them'} out to append and keep the job running`,
      )
    return undefined
  }
  if (status === undefined) return endStatus(exitCode)
  return exitCode === undefined ? {status: status as JobStatus} : {status: status as JobStatus, exitCode}
}

function bodyFormat(request: IncomingMessage, params: URLSearchParams): BodyFormat {
  const format = params.get('format')
  if (format === 'ndjson' || format === 'text' || format === 'chunk') return format
  if (format) throw badRequest(`invalid format ${JSON.stringify(format)}: expected text, ndjson or chunk`)
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
  return /^application\/(x-)?(ndjson|jsonl|jsonlines)$/.test(type) ? 'ndjson' : 'text'
}

function streamParam(params: URLSearchParams): Stream | undefined {
  const stream = params.get('stream')
  if (stream === null || stream === '') return undefined
  if (stream !== 'stdout' && stream !== 'stderr') throw badRequest(`invalid stream ${JSON.stringify(stream)}: expected stdout or stderr`)
  return stream
}

/** Labels, masked as the lines are (`masker`: not for a chunk body, which push masked already, labels included). */
function labelParams(params: URLSearchParams, masker: LineMasker | undefined): Record<string, string> | undefined {
  const all = params.getAll('label').map((label) => masker?.maskText(label) ?? label)
  if (all.length === 0) return undefined
  const labels: Record<string, string> = {}
  for (const label of all) {
    const index = label.indexOf('=')
    if (index <= 0) throw badRequest(`invalid label ${JSON.stringify(label)}: expected key=value`)
    labels[label.slice(0, index)] = label.slice(index + 1)
  }
  return labels
}
