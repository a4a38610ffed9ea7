/**
 * GET /v1/logs?jobs=a,b,build-*: the entries of several jobs, live or archived, as
 * streamed NDJSON — each record that of `logs get --output json` plus its `job` — merged
 * by time (ties by job, then seq) or, with `by-job=1`, one job after another. It is what
 * `logs get a b 'build-*' -o json` prints, through the same code (query/get-selected.ts).
 *
 * Parameters: `jobs` (ids and globs, comma-separated or repeated), `l`/`labelSelector`,
 * `after`, `since`, `until`, `tail` (the last N), `limit` (the first N), `level`, `grep`,
 * `exclude`, `i`, `stream`, `by-job`. Everything is checked before the status line, so bad
 * input is a 400 and an unknown job a 404; a failure after the first line ends the stream
 * with a last line as the streamed history's (`{"error": "…", "status": …}`, a damaged log's
 * with its `code` and `hints`).
 */
import type {ServerResponse} from 'node:http'
import {TooManyJobsError} from '../errors/index.js'
import {buildFilter, levelHint, requiredPattern} from '../query/filter.js'
import {getSelectedEntries, type JobEntry} from '../query/get-selected.js'
import {formatJson} from '../render/format-entry.js'
import type {Jobs} from '../store/jobs.js'
import {TextBytes} from '../text-bytes.js'
import {badRequest, failureBody, toHttpError} from './http-error.js'
import type {RelayLimits} from './limits.js'
import {asBadRequest, filterSpec, flagParam, integerParam, readQuery, targetsParams} from './query-params.js'
import {drainedOrClosed} from './respond.js'

export async function manyLogs(jobs: Jobs, limits: RelayLimits, params: URLSearchParams, response: ServerResponse, headers: Record<string, string>): Promise<void> {
  const {targets, given} = targetsParams(params, limits.maxQueryJobs)
  const {range} = readQuery(params)
  const spec = filterSpec(params)
  const byJob = flagParam(params, 'by-job', 'one job after another')
  const controller = new AbortController()
  response.once('close', () => controller.abort())
  const batches = getSelectedEntries(jobs, {
    targets,
    byJob,
    after: range.after,
    since: range.since,
    until: range.until,
    tail: range.tail,
    head: integerParam(params, 'limit'),
    filter: asBadRequest(() => buildFilter(spec)),
    match: asBadRequest(() => requiredPattern(spec)),
    levels: levelHint(spec),
    maxJobs: limits.maxQueryJobs,
    ruledOut: jobs.archive?.ruledOut?.bind(jobs.archive),
    signal: controller.signal,
  })[Symbol.asyncIterator]()
  // The first batch before the status line: bad input, an unknown job or a store that is down still get their status.
  let next = await batches.next().catch((error: unknown) => {
    if (!(error instanceof TooManyJobsError)) throw error
    throw badRequest(
      `${given.join(' and ')} ${given.length === 1 ? 'selects' : 'select'} ${error.count} jobs, more than the ${error.max} one query may read: narrow the globs or the label selector, or add an id prefix`,
    )
  })
  response.writeHead(200, {...headers, 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store'})
  try {
    while (!next.done) {
      if (!response.write(ndjson(next.value))) await drainedOrClosed(response)
      if (response.destroyed) return
      next = await batches.next()
    }
  } catch (error) {
    if (!response.destroyed) response.write(`${JSON.stringify(failureBody(toHttpError(error, jobs.live.name)))}\n`)
  } finally {
    await batches.return?.(undefined)
  }
  response.end()
}

function ndjson(batch: JobEntry[]): string | Buffer {
  const text = new TextBytes()
  for (const {job, entry} of batch) text.add(formatJson(entry, job))
  return text.take()
}
