/**
 * The relay's HTTP API as the page uses it (CLI.md, "The relay's HTTP API"). Auth rides on
 * the HttpOnly `logs_token` cookie set by /login, so no token ever appears in a URL or in
 * this script. A 401 sends the user to the login form and back.
 */

import type {JobMeta, JobStatus, JobStatusEvent, Section} from '../../src/lib/job.js'
import type {Level} from '../../src/lib/level.js'

export type {JobMeta, JobStatus, JobStatusEvent, Level, Section}

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

/** A damaged block of an archived job (src/lib/errors/archive-read-error.ts): its phrase and the seqs it held. */
export interface UnreadableBlock {
  what: string
  firstSeq: number
  lastSeq: number
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
  /** Damaged blocks of an archived job met on this page ("block 19 (bytes …, seq …) could not be read: …"). */
  unreadable?: string[]
  /** The same blocks with the seqs they held: rows no later request can fill. */
  unreadableBlocks?: UnreadableBlock[]
  /** A live log damaged after `cursor` (the page's `error` field): the entries before it are here, none after it will come. */
  failure?: RelayFailure
}

/**
 * An error asking again would meet again (src/lib/relay/http-error.ts failureBody): the
 * stream's `failed` event, a history page's `error` field, a 500 whose `code` is damaged-log.
 */
export interface RelayFailure {
  error: string
  status?: number
  code?: string
  hints?: string[]
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The relay's answer when it named the kind of failure (`code`). */
    readonly failure?: RelayFailure,
  ) {
    super(message)
  }
}

/** A live log cut short: no request for the lines after the damage will get them. */
export function isDamagedLog(error: unknown): error is HttpError & {failure: RelayFailure} {
  return error instanceof HttpError && error.failure?.code === 'damaged-log'
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
    let failure: RelayFailure | undefined
    try {
      const body = (await response.json()) as Partial<RelayFailure>
      if (body.error) message = body.error
      if (body.error && body.code) failure = {...body, error: body.error, status: response.status}
    } catch {
      // not JSON: keep the status line as the message
    }
    throw new HttpError(response.status, message, failure)
  }
  return response.json()
}

export async function listJobs(signal?: AbortSignal): Promise<JobMeta[]> {
  return ((await getJson('/v1/jobs', signal)) as {jobs: JobMeta[]}).jobs
}

export async function getJob(id: string, signal?: AbortSignal): Promise<JobMeta> {
  return (await getJson(jobPath(id), signal)) as JobMeta
}

/** The job's sections (status events carry only their count: JobStatusEvent). */
export async function getSections(id: string, signal?: AbortSignal): Promise<Section[]> {
  return ((await getJson(`${jobPath(id)}/sections`, signal)) as {sections: Section[]}).sections
}

/** One page of history: `{entries, cursor, more}`; continue with `after=cursor` while `more`. */
export async function getHistory(id: string, query: HistoryQuery, signal?: AbortSignal): Promise<HistoryPage> {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value))
  const body = (await getJson(`${jobPath(id)}/logs?${params}`, signal)) as {
    entries: EntryRecord[]
    cursor: number
    more: boolean
    unreadable?: string[]
    unreadableBlocks?: UnreadableBlock[]
  } & Partial<RelayFailure>
  const {unreadable, unreadableBlocks, error, status, code, hints} = body
  return {
    entries: body.entries,
    cursor: body.cursor,
    done: !body.more,
    ...(unreadable ? {unreadable, unreadableBlocks} : {}),
    ...(error ? {failure: {error, status, code, hints}} : {}),
  }
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
