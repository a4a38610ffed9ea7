/**
 * HTTP calls to a relay with the library's error types: unreachable or 5xx →
 * StoreUnavailableError (push then spools and retries), 400 → UsageError, 401/403 →
 * RelayAuthError, 404 → JobNotFoundError, 410 → JobDeletedError (deleted while the relay read it), 409 → OutOfOrderError (a pipelined batch the relay
 * refused: the one before it failed), a 500 that names a damaged job's `code` → that DamagedError
 * (DamagedLogError, DamagedManifestError). The token never appears in a message.
 */
import {
  DamagedLogError,
  DamagedManifestError,
  type DamagedError,
  JobDeletedError,
  JobNotFoundError,
  LogsError,
  OutOfOrderError,
  RelayAuthError,
  StoreUnavailableError,
  UsageError,
} from '../../errors/index.js'
import type {IncomingMessage} from 'node:http'
import {sendRequest} from '../http-request.js'
import type {RetryPolicy} from '../retry.js'

export interface RelayEndpoint {
  /** The relay's base URL (no trailing slash, no credentials). */
  base: string
  token?: string
  /** For messages. */
  name: string
  /** How long a read or follow waits for a relay that stopped answering (`?retry-for=` on its URL). */
  retry?: RetryPolicy
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE'
  query?: Record<string, string | number | string[] | undefined>
  headers?: Record<string, string>
  body?: string | Uint8Array<ArrayBuffer>
  signal?: AbortSignal
  /** Job id for 404 messages. */
  job?: string
}

/** How long one request to the relay may take, answer body included, before it counts as unreachable. */
export const RELAY_REQUEST_TIMEOUT_MS = 60_000

/**
 * The header of a relay's event stream that says how often it sends a `: ping` comment (ms),
 * so that a follower can tell a quiet job from a connection lost without a word (relay-follow.ts).
 */
export const PING_HEADER = 'Logs-Ping-Ms'

export function relayUrl(endpoint: RelayEndpoint, path: string, query: RequestOptions['query'] = {}): URL {
  const url = new URL(`${endpoint.base}${path}`)
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue
    if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, item)
    else url.searchParams.set(key, String(value))
  }
  return url
}

export function authHeaders(endpoint: RelayEndpoint): Record<string, string> {
  return endpoint.token ? {Authorization: `Bearer ${endpoint.token}`} : {}
}

/** Sends a request; returns the parsed JSON body of a 2xx answer, throws typed errors otherwise. */
export async function relayRequest<T>(endpoint: RelayEndpoint, path: string, options: RequestOptions = {}): Promise<T> {
  const url = relayUrl(endpoint, path, options.query)
  // A relay that accepts and never answers must not hold the caller forever.
  const timeout = AbortSignal.timeout(RELAY_REQUEST_TIMEOUT_MS)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
  const {status, text} = await exchange(url, options, {...authHeaders(endpoint), ...options.headers}, signal).catch((error: unknown) => {
    throw unreachable(endpoint, error, options.signal, timeout.aborted)
  })
  if (status >= 200 && status < 300) {
    try {
      return JSON.parse(text) as T
    } catch {
      throw new StoreUnavailableError(endpoint.name, `the relay answered ${status} with something that is not JSON; is ${endpoint.name} a logs relay?`)
    }
  }
  throw relayError(endpoint, status, errorMessage(text), options.job, errorDetails(text))
}

/**
 * A GET whose answer is read as it comes (the streamed history, relay-read.ts): resolves
 * with a 2xx answer once its headers are in, throws typed errors otherwise. The timeout
 * covers the wait for the headers only: the body is as long as the log.
 */
export async function relayStream(endpoint: RelayEndpoint, path: string, options: Pick<RequestOptions, 'query' | 'signal' | 'job'>): Promise<IncomingMessage> {
  const headersDue = new AbortController()
  const timer = setTimeout(() => headersDue.abort(), RELAY_REQUEST_TIMEOUT_MS)
  const signal = options.signal ? AbortSignal.any([options.signal, headersDue.signal]) : headersDue.signal
  let response: IncomingMessage
  try {
    response = await sendRequest(relayUrl(endpoint, path, options.query), {headers: authHeaders(endpoint), signal})
  } catch (error) {
    throw unreachable(endpoint, error, options.signal, headersDue.signal.aborted)
  } finally {
    clearTimeout(timer)
  }
  const status = response.statusCode ?? 0
  if (status >= 200 && status < 300) return response
  const parts: Buffer[] = []
  try {
    for await (const part of response) parts.push(part as Buffer)
  } catch (error) {
    throw unreachable(endpoint, Object.assign(error as Error, {answered: true}), options.signal, false)
  }
  const text = Buffer.concat(parts).toString('utf8')
  throw relayError(endpoint, status, errorMessage(text), options.job, errorDetails(text))
}

/** A request that failed on the network (or timed out) as the error push and get tell; the caller's own abort as it is. */
function unreachable(endpoint: RelayEndpoint, error: unknown, signal: AbortSignal | undefined, timedOut: boolean): unknown {
  if (signal?.aborted) return error
  const reason = timedOut ? `no answer within ${RELAY_REQUEST_TIMEOUT_MS / 1000}s` : networkReason(error)
  const where = (error as {answered?: boolean}).answered ? "the relay's answer was cut" : 'cannot reach the relay'
  return new StoreUnavailableError(endpoint.name, `${where}: ${reason}`, error)
}

/**
 * One request and its whole answer (node:http on keep-alive connections, ../http-request.ts:
 * an append is one write of a ready body and one small JSON answer, and fetch's streams
 * cost push a good share of its CPU); an error after the answer began is marked `answered`.
 */
async function exchange(url: URL, options: RequestOptions, headers: Record<string, string>, signal: AbortSignal): Promise<{status: number; text: string}> {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? Buffer.from(options.body) : options.body
  const response = await sendRequest(url, {method: options.method ?? 'GET', headers, body, signal})
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    response.on('data', (part: Buffer) => parts.push(part))
    response.on('error', (error: Error) => reject(Object.assign(error, {answered: true})))
    response.on('aborted', () => reject(Object.assign(new Error('connection closed'), {answered: true})))
    response.on('end', () => resolve({status: response.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8')}))
  })
}

/** What a relay's error answer says beside its message: a damaged job's `code` and `hints` (errors/damaged-error.ts). */
export interface ErrorDetails {
  code?: string
  hints?: string[]
}

/** The damaged errors by the `code` a relay names them with, rebuilt as the class a direct read throws. */
const DAMAGED = new Map<string, new (job: string, message: string, hints: string[]) => DamagedError>([
  [DamagedLogError.code, DamagedLogError],
  [DamagedManifestError.code, DamagedManifestError],
])

export function relayError(endpoint: RelayEndpoint, status: number, message: string, job?: string, details: ErrorDetails = {}): LogsError {
  // The relay read a damaged log or archive manifest: told as a direct read tells it, same class, message and hints.
  const Damaged = status === 500 && job ? DAMAGED.get(details.code ?? '') : undefined
  if (Damaged) return new Damaged(job!, message, details.hints ?? [])
  if (status === 401 || status === 403) return new RelayAuthError(endpoint.name, status, message)
  if (status === 404 && job) return new JobNotFoundError(job, endpoint.name)
  if (status === 410 && job) return new JobDeletedError(job, endpoint.name)
  if (status === 400) return new UsageError(`the relay at ${endpoint.name} rejected the request: ${message}`)
  if (status === 409) return new OutOfOrderError(`the relay at ${endpoint.name}`, message)
  // Sending it again cannot help: a refusal, not an outage (push fails at once, the lines stay spooled).
  if (status === 413)
    return new UsageError(`the relay at ${endpoint.name} rejected the request as too large: ${message}`, [
      'lower --max-line-bytes to the line limit the relay names; a proxy in front of the relay may limit request bodies too (push sends up to a few MiB per request)',
    ])
  return new StoreUnavailableError(endpoint.name, `the relay answered ${status}: ${message}`)
}

export function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as {error?: unknown}
    if (typeof body.error === 'string') return body.error
  } catch {
    // not our JSON error (a proxy's HTML page): fall through to a short excerpt
  }
  return text.slice(0, 200).trim() || 'no details'
}

export function errorDetails(text: string): ErrorDetails {
  try {
    const {code, hints} = JSON.parse(text) as ErrorDetails
    return {code: typeof code === 'string' ? code : undefined, hints: Array.isArray(hints) ? hints.filter((hint) => typeof hint === 'string') : undefined}
  } catch {
    return {}
  }
}

function networkReason(error: unknown): string {
  const own = (error as {code?: string})?.code
  if (own && own !== 'ABORT_ERR') return own
  const cause = (error as {cause?: {code?: string; message?: string}})?.cause
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error)
}
