/**
 * A Supabase Storage object, or a range of it, downloaded over node:http
 * (../http-request.ts) instead of through storage-js: downloads are all that `get`, `tail`
 * and `sections` ask of a Supabase archive, and storage-js's fetch would cost such a
 * command more CPU than the rest of its work. The request is the one storage-js sends
 * (`GET <url>/object/<bucket>/<key>` with `apikey` and a bearer token). An error answer
 * becomes the HttpAnswerError storage-js's error would have told ./failure.ts: the status
 * its JSON body reports (the server answers 400 with the real one in `statusCode`,
 * SUPABASE-STORAGE.md), or its non-numeric code, its message and any Retry-After.
 */
import type {IncomingMessage} from 'node:http'
import {sendRequest} from '../http-request.js'
import {parseRetryAfter} from '../retry.js'
import {answered} from './answered-fetch.js'
import {HttpAnswerError} from './hinted-fetch.js'

export interface SupabaseEndpoint {
  /** The Storage API's base URL: `$SUPABASE_URL/storage/v1`. */
  url: string
  /** The key sent as `apikey` and as the bearer token. */
  key: string
}

/** The object's body (206 for a range); rejects with an HttpAnswerError on an error answer, with the network's error when there is none. */
export async function downloadObject(endpoint: SupabaseEndpoint, path: string, range?: string): Promise<IncomingMessage> {
  const headers: Record<string, string> = {apikey: endpoint.key, Authorization: `Bearer ${endpoint.key}`}
  if (range) headers.Range = range
  const url = new URL(`${endpoint.url}/object/${path}`)
  const answer = await answered((signal) => sendRequest(url, {headers, signal}))
  const status = answer.statusCode ?? 0
  if (status >= 200 && status < 300) return answer
  const text = await textOf(answer)
  let body: {statusCode?: string | number; code?: string; message?: unknown; error?: unknown} = {}
  try {
    body = JSON.parse(text) as typeof body
  } catch {
    // not the API's JSON (a gateway's page): the HTTP status says what there is to say
  }
  // As storage-js derives its StorageApiError's statusCode.
  const reported = String(body.statusCode || body.code || status)
  const numeric = /^\d{3}$/.test(reported)
  const message = [body.message, body.error].find((m): m is string => typeof m === 'string') ?? (text.slice(0, 200).trim() || answer.statusMessage || `HTTP ${status}`)
  const error = new HttpAnswerError(numeric ? Number(reported) : status, parseRetryAfter(header(answer, 'retry-after')), message)
  if (!numeric) error.code = reported
  throw error
}

function header(answer: IncomingMessage, name: string): string | null {
  const value = answer.headers[name]
  return (Array.isArray(value) ? value[0] : value) ?? null
}

async function textOf(answer: IncomingMessage): Promise<string> {
  const parts: Buffer[] = []
  try {
    for await (const part of answer as AsyncIterable<Buffer>) parts.push(part)
  } catch {
    // a body cut short: what arrived is enough for a message
  }
  return Buffer.concat(parts).toString('utf8')
}
