/** The endpoints that answer in one response: job list, one job (and its deletion), a page of history, the download. */
import type {ServerResponse} from 'node:http'
import {damagedJob, type DamagedJob} from '../archive/damaged-jobs.js'
import {toRecord} from '../entry.js'
import {JOB_STATUSES, type JobMeta, type JobStatus} from '../job.js'
import type {Jobs} from '../store/jobs.js'
import {checkJobIdPrefix} from '../job-id.js'
import type {JobFilter, RemovedFrom} from '../store/types.js'
import {HttpError, badRequest, failureBody, toHttpError} from './http-error.js'
import {readPage} from './history.js'
import type {RelayLimits} from './limits.js'
import {asBadRequest, integerParam, readQuery, selectorParam} from './query-params.js'
import {drainedOrClosed} from './respond.js'

/** GET /v1/jobs: the jobs, and (as `ls` names them on stderr) the archived jobs whose manifest is damaged. */
export async function listJobs(jobs: Jobs, params: URLSearchParams): Promise<{jobs: JobMeta[]; damaged: DamagedJob[]}> {
  const damaged: DamagedJob[] = []
  const filter: JobFilter = {onDamaged: (error) => damaged.push(damagedJob(error))}
  const status = params.get('status')
  if (status) {
    if (!JOB_STATUSES.includes(status as JobStatus)) throw badRequest(`invalid status ${JSON.stringify(status)}: expected one of ${JOB_STATUSES.join(', ')}`)
    filter.status = status as JobStatus
  }
  const prefix = params.get('prefix')
  if (prefix) filter.prefix = asBadRequest(() => checkJobIdPrefix(prefix, 'prefix'))
  const selector = selectorParam(params)
  if (selector) filter.selector = selector
  return {jobs: await jobs.listJobs(filter), damaged}
}

export async function getJob(jobs: Jobs, jobId: string): Promise<JobMeta> {
  const meta = await jobs.getJob(jobId)
  if (!meta) throw new HttpError(404, `job ${jobId} not found`)
  return meta
}

/**
 * DELETE /v1/jobs/:id (write token): removes the job wherever it lives — live store,
 * archive object and manifest — and says where (`from`); `?dry-run=1` only says.
 */
export async function deleteJob(jobs: Jobs, jobId: string, params: URLSearchParams): Promise<{deleted: string; dryRun: boolean; from: RemovedFrom[]}> {
  const dryRun = ['1', 'true'].includes(params.get('dry-run') ?? '')
  const from = await jobs.remove(jobId, {dryRun})
  if (!from) throw new HttpError(404, `job ${jobId} not found`)
  return {deleted: jobId, dryRun, from}
}

/**
 * A page of history: `{job, entries, cursor, more}`. Continue with `after=cursor` (and
 * the same filters) while `more` is true. A job that does not exist is a 404. An archived
 * job with damaged blocks gives every entry that could be read and names the blocks in
 * `unreadable`, and in `unreadableBlocks` with the seqs each held (still 200: the client
 * prints what there is, then says what is missing). A damaged live log after some
 * entries: 200 with them, `more`, and the error's fields (`error`, `status` 500, `code`,
 * `hints`) as the streamed history's last line has them; the next page is the error alone (500).
 */
export async function historyPage(jobs: Jobs, limits: RelayLimits, jobId: string, params: URLSearchParams) {
  const {range, filter} = readQuery(params)
  // A larger limit is capped, not refused: `more` and `cursor` tell the client to go on.
  const limit = integerParam(params, 'limit', {min: 1}) ?? range.tail ?? limits.pageSize
  await getJob(jobs, jobId)
  const page = await readPage(jobs, jobId, range, filter, Math.min(limit, limits.maxPageSize))
  const unreadable = page.unreadable ? {unreadable: page.unreadable.what, unreadableBlocks: page.unreadable.blocks} : {}
  const damaged = page.damaged ? failureBody(toHttpError(page.damaged, jobs.live.name)) : {}
  return {job: jobId, entries: page.entries.map((entry) => toRecord(entry)), cursor: page.cursor, more: page.more, ...unreadable, ...damaged}
}

/** The whole log as the bytes the job wrote (copied as stored where the store keeps bytes), streamed with backpressure. */
export async function download(jobs: Jobs, jobId: string, response: ServerResponse, headers: Record<string, string>): Promise<void> {
  await getJob(jobs, jobId)
  const blocks = jobs.readRaw(jobId)[Symbol.asyncIterator]()
  // Read the first block before sending headers, so a store failure can still be a 503.
  let next = await blocks.next()
  response.writeHead(200, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Disposition': `attachment; filename="${jobId}.log"`,
    'Cache-Control': 'no-store',
  })
  try {
    while (!next.done) {
      if (!response.write(next.value.bytes)) await drainedOrClosed(response)
      if (response.destroyed) return
      next = await blocks.next()
    }
  } catch {
    response.destroy() // headers are gone: a cut download is the only honest signal left
    return
  } finally {
    await blocks.return?.()
  }
  response.end()
}
