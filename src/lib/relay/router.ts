/**
 * Request → handler, per the HTTP API table of CLI.md. Everything under /v1 is
 * authenticated (reads need a read or write token, POST a write token); /healthz is open
 * (it tells nothing but "up"); /metrics needs read access. Other paths belong to the web
 * viewer (serveWeb), which guards itself: its pages are static, its data comes from /v1.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {sectionsReport} from '../structure/job-sections.js'
import {StoreUnavailableError} from '../errors/index.js'
import {isJobId} from '../job-id.js'
import type {Jobs} from '../store/jobs.js'
import type {Auth} from './auth.js'
import type {Cors} from './cors.js'
import type {FollowHub} from './hub.js'
import {HttpError, badRequest, toHttpError} from './http-error.js'
import {handleIngest} from './ingest-handler.js'
import type {IngestOrder} from './ingest-order.js'
import type {IngestStructure} from './ingest-structure.js'
import type {IngestMasking} from './ingest-masking.js'
import type {RelayLimits} from './limits.js'
import type {RelayMetrics} from './metrics.js'
import {deleteJob, download, getJob, historyPage, listJobs} from './read-handlers.js'
import {manyLogs} from './many-logs.js'
import {streamHistory} from './history-stream.js'
import {sendError, sendJson} from './respond.js'
import {handleStream} from './stream-handler.js'
import type {SseWriter} from './sse-writer.js'

export interface RouterContext {
  jobs: Jobs
  auth: Auth
  cors: Cors
  hub: FollowHub
  limits: RelayLimits
  metrics: RelayMetrics
  /** Sections, phase and progress of the jobs pushed to the relay. */
  structure: IngestStructure
  masking: IngestMasking
  /** Pipelined ingest requests of one writer, in order. */
  order: IngestOrder
  writers: Set<SseWriter>
  log: (message: string) => void
  serveWeb: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>
}

const JOB_PATH = /^\/v1\/jobs\/([^/]+)(?:(\/logs(?:\/(stream|download))?)|\/(sections))?\/?$/

export async function route(context: RouterContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://relay.invalid')
  const path = url.pathname
  const method = request.method ?? 'GET'
  const corsHeaders = context.cors.headers(request)
  response.once('finish', () => context.metrics.response(response.statusCode))
  try {
    if (method === 'OPTIONS' && (path.startsWith('/v1/') || path === '/metrics')) {
      response.writeHead(204, {...corsHeaders, ...context.cors.preflight(request)})
      response.end()
      return
    }
    if (path === '/healthz') return await health(context, request, response, method)
    if (path === '/metrics') {
      allow(method, ['GET'])
      context.auth.check(request, 'read')
      const text = context.metrics.render({clients: context.hub.clients, readers: context.hub.readers, followersByJob: context.hub.followersByJob()})
      response.writeHead(200, {...corsHeaders, 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store'})
      response.end(text)
      return
    }
    if (path === '/v1' || path.startsWith('/v1/')) return await api(context, request, response, url, method, corsHeaders)
    if (await context.serveWeb(request, response)) return
    throw new HttpError(404, `no such endpoint: ${method} ${path}`)
  } catch (error) {
    const httpError = toHttpError(error, context.jobs.live.name)
    if (httpError.status === 503 && !(error instanceof HttpError)) context.metrics.storeError()
    if (httpError.status >= 500 && path !== '/healthz') context.log(`${method} ${path}: ${httpError.message}`)
    sendError(response, httpError, corsHeaders)
  }
}

async function api(context: RouterContext, request: IncomingMessage, response: ServerResponse, url: URL, method: string, corsHeaders: Record<string, string>): Promise<void> {
  const {auth, limits} = context
  // The request's own view: an archived job's manifest is read once per request, not once per look at the job.
  const jobs = context.jobs.snapshot()
  const params = url.searchParams
  if (url.pathname === '/v1/jobs' || url.pathname === '/v1/jobs/') {
    allow(method, ['GET'])
    auth.check(request, 'read')
    return sendJson(response, 200, await listJobs(jobs, params), corsHeaders)
  }
  if (url.pathname === '/v1/logs' || url.pathname === '/v1/logs/') {
    allow(method, ['GET'])
    auth.check(request, 'read')
    return manyLogs(jobs, limits, params, response, corsHeaders)
  }
  const match = JOB_PATH.exec(url.pathname)
  if (!match) throw new HttpError(404, `no such endpoint: ${method} ${url.pathname}`)
  const [, rawId, logs, sub, sections] = match
  let jobId: string
  try {
    jobId = decodeURIComponent(rawId)
  } catch {
    throw badRequest(`invalid job id ${JSON.stringify(rawId)}: bad percent-encoding`)
  }
  // Auth first, so an unauthenticated client learns nothing, not even which ids are valid.
  // PUT appends like POST: `curl -T -` (upload a file or stdin) sends PUT.
  const write = method === 'POST' || method === 'PUT' || method === 'DELETE'
  allow(method, sub || sections ? ['GET'] : logs ? ['GET', 'POST', 'PUT'] : ['GET', 'DELETE'])
  auth.check(request, write ? 'write' : 'read')
  if (!isJobId(jobId)) throw badRequest(`invalid job id ${JSON.stringify(jobId)}: ids are 1-128 characters of letters, digits, '.', '_' and '-', starting with a letter or digit`)

  if (sections) return sendJson(response, 200, sectionsReport(await getJob(jobs, jobId)), corsHeaders)
  if (!logs && method === 'DELETE') return sendJson(response, 200, await deleteJob(jobs, jobId, params), corsHeaders)
  if (!logs) return sendJson(response, 200, await getJob(jobs, jobId), corsHeaders)
  if (sub === 'stream') return handleStream({...context, jobs}, request, response, jobId, params, corsHeaders)
  if (sub === 'download') return download(jobs, jobId, response, corsHeaders)
  if (write)
    return sendJson(
      response,
      200,
      await handleIngest(jobs.live, limits, context.metrics, context.structure, context.masking, context.order, request, jobId, params, (id) => jobs.archivedRun(id)),
      corsHeaders,
    )
  if (params.has('format')) return streamHistory(jobs, jobId, params, response, corsHeaders)
  return sendJson(response, 200, await historyPage(jobs, limits, jobId, params), corsHeaders)
}

/** How long /healthz waits for a store: a load balancer gives a check a few seconds. */
const HEALTH_TIMEOUT_MS = 3000

/** Each store's check in flight: checks that come while one waits share it, so a store that hangs does not pile them up. */
const checking = new WeakMap<object, Promise<unknown>>()

/**
 * Open to anyone (load balancers), so a failure says only "store unavailable": the store's
 * address, user and the driver's message go to the relay's log and to write-token holders.
 * Both stores are asked — a relay whose archive is down fails every read of an archived job
 * and every job list — each once, without waiting out the retry bound: a store that has not
 * answered within HEALTH_TIMEOUT_MS is down as far as a load balancer is concerned.
 */
async function health(context: RouterContext, request: IncomingMessage, response: ServerResponse, method: string): Promise<void> {
  allow(method, ['GET', 'HEAD'])
  const {live, archive} = context.jobs
  try {
    await Promise.all([answers(live, () => live.getJob('healthz')), archive && answers(archive, () => archive.head('healthz', {fresh: true}))])
  } catch (error) {
    const detailed = toHttpError(error, context.jobs.live.name)
    context.metrics.storeError()
    context.log(`healthz: ${detailed.message}`)
    throw context.auth.allows(request, 'write') ? detailed : new HttpError(detailed.status, 'store unavailable')
  }
  sendJson(response, 200, {ok: true})
}

async function answers(store: {name: string}, ask: () => Promise<unknown>): Promise<void> {
  let asking = checking.get(store)
  if (!asking) {
    asking = ask().finally(() => checking.delete(store))
    checking.set(store, asking)
  }
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreUnavailableError(store.name, `no answer within ${HEALTH_TIMEOUT_MS / 1000} s`)), HEALTH_TIMEOUT_MS)
  })
  try {
    await Promise.race([asking, late])
  } finally {
    clearTimeout(timer)
  }
}

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method)) throw new HttpError(405, `method ${method} not allowed here; use ${methods.join(' or ')}`, {Allow: methods.join(', ')})
}
