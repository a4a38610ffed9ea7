/**
 * HTTP calls to a relay with the library's error types: unreachable or 5xx →
 * StoreUnavailableError (push then spools and retries), 400 → UsageError, 401/403 →
 * RelayAuthError, 404 → JobNotFoundError, 409 → OutOfOrderError (a pipelined batch the relay
 * refused: the one before it failed). The token never appears in a message.
 */
import {JobNotFoundError, LogsError, OutOfOrderError, RelayAuthError, StoreUnavailableError, UsageError} from '../../errors/index.js'

export interface RelayEndpoint {
  /** The relay's base URL (no trailing slash, no credentials). */
  base: string
  token?: string
  /** For messages. */
  name: string
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
  // fetch has no timeout of its own: a relay that accepts and never answers would hold the caller forever.
  const timeout = AbortSignal.timeout(RELAY_REQUEST_TIMEOUT_MS)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
  let response: Response
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers: {...authHeaders(endpoint), ...options.headers},
      body: options.body,
      signal,
    })
  } catch (error) {
    if (options.signal?.aborted) throw error
    throw new StoreUnavailableError(endpoint.name, `cannot reach the relay: ${networkReason(error)}`, error)
  }
  const text = await response.text().catch((error: unknown) => {
    throw new StoreUnavailableError(endpoint.name, `the relay's answer was cut: ${networkReason(error)}`, error)
  })
  if (response.ok) {
    try {
      return JSON.parse(text) as T
    } catch {
      throw new StoreUnavailableError(endpoint.name, `the relay answered ${response.status} with something that is not JSON; is ${endpoint.name} a logs relay?`)
    }
  }
  throw relayError(endpoint, response.status, errorMessage(text), options.job)
}

export function relayError(endpoint: RelayEndpoint, status: number, message: string, job?: string): LogsError {
  if (status === 401 || status === 403) return new RelayAuthError(endpoint.name, status, message)
  if (status === 404 && job) return new JobNotFoundError(job, endpoint.name)
  if (status === 400) return new UsageError(`the relay at ${endpoint.name} rejected the request: ${message}`)
  if (status === 409) return new OutOfOrderError(`the relay at ${endpoint.name}`, message)
  if (status === 413) return new LogsError(`the relay at ${endpoint.name} rejected the request as too large: ${message}`)
  return new StoreUnavailableError(endpoint.name, `the relay answered ${status}: ${message}`)
}

function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as {error?: unknown}
    if (typeof body.error === 'string') return body.error
  } catch {
    // not our JSON error (a proxy's HTML page): fall through to a short excerpt
  }
  return text.slice(0, 200).trim() || 'no details'
}

function networkReason(error: unknown): string {
  if ((error as Error)?.name === 'TimeoutError') return `no answer within ${RELAY_REQUEST_TIMEOUT_MS / 1000}s`
  const cause = (error as {cause?: {code?: string; message?: string}})?.cause
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error)
}
