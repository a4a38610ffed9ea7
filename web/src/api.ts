/**
 * The relay's HTTP API as the page uses it (CLI.md, "The relay's HTTP API"). Auth rides on
 * the HttpOnly `logs_token` cookie set by /login, so no token ever appears in a URL or in
 * this script. A 401 sends the user to the login form and back.
 */

import type {JobMeta, JobStatus} from '../../src/lib/job.js'
import type {Level} from '../../src/lib/level.js'

export type {JobMeta, JobStatus, Level}

/**
 * One entry as the relay sends it: src/lib/entry.ts's EntryRecord, restated because that
 * module needs Node's Buffer, which the page's type-check does not have.
 */
export interface EntryRecord {
  seq: number
  ts: number
  level: Level | null
  stream: 'stdout' | 'stderr' | null
  line: string
  partial?: true
}

export interface HistoryQuery {
  after?: number
  limit?: number
  tail?: number
  level?: string
  grep?: string
}

export interface HistoryPage {
  entries: EntryRecord[]
  /** The sequence number to continue after (past the last entry scanned, not just the last matched). */
  cursor: number
  /** True when the range holds nothing more after `cursor` (for now: a running job grows). */
  done: boolean
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export function jobPath(id: string): string {
  return `/v1/jobs/${encodeURIComponent(id)}`
}

export function loginUrl(): string {
  return `/login?next=${encodeURIComponent(location.pathname + location.hash)}`
}

async function getJson(path: string, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(path, {headers: {accept: 'application/json'}, credentials: 'same-origin', signal})
  if (response.status === 401) {
    location.assign(loginUrl())
    throw new HttpError(401, 'a token is needed')
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`
    try {
      const body = (await response.json()) as {error?: string}
      if (body.error) message = body.error
    } catch {
      // not JSON: keep the status line as the message
    }
    throw new HttpError(response.status, message)
  }
  return response.json()
}

/** Accepts the list bare or wrapped (`{jobs: [...]}`): the relay's envelope is its choice. */
export async function listJobs(signal?: AbortSignal): Promise<JobMeta[]> {
  const body = (await getJson('/v1/jobs', signal)) as JobMeta[] | {jobs: JobMeta[]}
  return Array.isArray(body) ? body : body.jobs
}

export async function getJob(id: string, signal?: AbortSignal): Promise<JobMeta> {
  const body = (await getJson(jobPath(id), signal)) as JobMeta | {job: JobMeta}
  return 'job' in body ? body.job : body
}

export async function getHistory(id: string, query: HistoryQuery, signal?: AbortSignal): Promise<HistoryPage> {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value))
  const body = (await getJson(`${jobPath(id)}/logs?${params}`, signal)) as Record<string, unknown>
  const entries = (Array.isArray(body) ? body : (body.entries as EntryRecord[] | undefined)) ?? []
  const last = entries.length > 0 ? entries[entries.length - 1].seq : (query.after ?? 0)
  const cursor = pickNumber(body, ['cursor', 'next', 'nextAfter', 'after']) ?? last
  const more = body.more ?? body.hasMore
  const done = typeof more === 'boolean' ? !more : query.limit === undefined || entries.length < query.limit
  return {entries, cursor: Math.max(cursor, last), done}
}

function pickNumber(body: Record<string, unknown>, keys: string[]): number | undefined {
  for (const key of keys) {
    const value = body[key]
    if (typeof value === 'number' && Number.isFinite(value)) return value
    if (value && typeof value === 'object' && typeof (value as {after?: unknown}).after === 'number') {
      return (value as {after: number}).after
    }
  }
  return undefined
}

/** A case-insensitive regular expression (the relay's `grep` is a JS RegExp) for a plain search term. */
export function caseInsensitivePattern(term: string): string {
  let source = ''
  for (const char of term) {
    const lower = char.toLowerCase()
    const upper = char.toUpperCase()
    if (lower !== upper && lower.length === 1 && upper.length === 1) source += `[${lower}${upper}]`
    else source += char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
  }
  return source
}
