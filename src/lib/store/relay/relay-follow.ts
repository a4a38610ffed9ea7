/**
 * follow() over the relay's SSE stream, with the `eventsource` package.
 *
 *   EventSource ──log/status/end──▶ queue ──▶ for await (FollowEvent)
 *
 * - No retry of its own: a dropped connection, an unreachable relay or a 502/503/504
 *   (store down, too many clients, relay shutting down) is a StoreUnavailableError, and
 *   the one retry owner, Jobs.follow (../resumed-follow.ts), follows again from the last
 *   seq it delivered with the one retry policy (the package's own reconnects are not used:
 *   two owners gave up after two budgets). 400/401/403/404 are errors, and so is a 500
 *   or a `failed` event that names a damaged log (told as a direct read tells it); 204
 *   says the job ended with nothing after `after`: its metadata is asked for and the follow ends.
 * - Memory stays bounded when the consumer is slower than the stream: past `maxQueued`
 *   entries the connection is closed, and reopened from the last seq once drained.
 * - A stream that brings nothing, not even the relay's `: ping`s, for SILENT_PINGS of their
 *   intervals (the relay says it: PING_HEADER) is taken for dropped too: a connection can die
 *   without a word (the relay's host gone, a NAT or proxy that forgot it), and the follower
 *   would otherwise wait on it for ever, looking live.
 */
import {EventSource, type FetchLikeResponse} from 'eventsource'
import {fromRecord, type EntryRecord, type LogEntry} from '../../entry.js'
import {metaOfStatusEvent, sectionsMark, statusEventOf, type JobMeta, type JobStatusEvent, type Section} from '../../job.js'
import type {FollowEvent, FollowOptions} from '../types.js'
import {StoreUnavailableError} from '../../errors/index.js'
import {authHeaders, errorDetails, errorMessage, PING_HEADER, relayError, relayRequest, relayUrl, type RelayEndpoint} from './relay-http.js'

/** How often a relay that does not say (PING_HEADER: a release before it) pings. */
const DEFAULT_PING_MS = 15_000
/** A relay that says it pings more often than this (or says nothing a number) is given DEFAULT_PING_MS: silence is not judged by milliseconds. */
const MIN_PING_MS = 100
const SILENT_PINGS = 3

export interface FollowTuning {
  maxQueued?: number
}

type Item = {type: 'entries'; entries: LogEntry[]} | {type: 'meta'; meta: JobStatusEvent} | {type: 'end'; meta: JobStatusEvent} | {type: 'error'; error: Error}

export async function* followRelay(endpoint: RelayEndpoint, id: string, options: FollowOptions, tuning: FollowTuning = {}): AsyncIterable<FollowEvent> {
  const maxQueued = tuning.maxQueued ?? 10_000
  const path = `/v1/jobs/${encodeURIComponent(id)}/logs/stream`
  if (options.waitForJob === false) await relayRequest(endpoint, `/v1/jobs/${encodeURIComponent(id)}`, {job: id, signal: options.signal})

  const queue: Item[] = []
  let queued = 0
  let lastSeq = options.after
  let source: EventSource | undefined
  let failure: {status: number; message: string} | undefined
  let networkError: string | undefined
  let paused = false
  let finished = false
  /** When the stream last brought a byte (or was opened), and how often its relay pings. */
  let heardAt = 0
  let pingMs = DEFAULT_PING_MS
  let wake: (() => void) | undefined
  const notify = () => {
    wake?.()
    wake = undefined
  }
  const enqueue = (item: Item) => {
    queue.push(item)
    notify()
  }

  const fetchWithAuth = async (url: string | URL, init: Parameters<typeof fetch>[1]): Promise<FetchLikeResponse> => {
    try {
      const response = await fetch(url, {...init, headers: {...(init?.headers as Record<string, string>), ...authHeaders(endpoint)}})
      if (response.status !== 200) {
        failure = {status: response.status, message: await response.text().catch(() => '')}
        return new Response(null, {status: response.status, headers: response.headers})
      }
      const said = Number(response.headers.get(PING_HEADER))
      pingMs = said >= MIN_PING_MS ? said : DEFAULT_PING_MS
      if (!finished) watchForSilence() // at the relay's pace from now on
      return heard(response)
    } catch (error) {
      networkError = (error as {cause?: {code?: string}})?.cause?.code ?? (error as Error).message
      throw error
    }
  }

  /** The response, its body noting when each piece of it arrives (a reader around its reader: a TransformStream cost a follower at 50 000 lines/s a third more CPU). */
  const heard = (response: Response): FetchLikeResponse => {
    const {body, url, status, redirected, headers} = response
    const getReader = () => {
      const reader = body!.getReader()
      return {
        read: async () => {
          const read = await reader.read()
          heardAt = Date.now()
          return read
        },
        cancel: () => reader.cancel(),
      }
    }
    return {body: body && {getReader}, url, status, redirected, headers}
  }

  let watch: NodeJS.Timeout | undefined
  const watchForSilence = () => {
    clearTimeout(watch)
    watch = setTimeout(() => {
      const quiet = Date.now() - heardAt
      if (source && source.readyState !== source.CLOSED && quiet >= SILENT_PINGS * pingMs) {
        onError(source, `the relay sent nothing for ${(quiet / 1000).toFixed(1)} s, though it pings every ${(pingMs / 1000).toFixed(1)} s: the connection is lost`)
      }
      watchForSilence()
    }, pingMs)
    watch.unref()
  }

  const open = () => {
    failure = undefined
    networkError = undefined
    heardAt = Date.now()
    const es = new EventSource(relayUrl(endpoint, path, {after: lastSeq}), {fetch: fetchWithAuth})
    source = es
    es.addEventListener('log', (event) => {
      const entry = fromRecord(JSON.parse(event.data as string) as EntryRecord)
      if (entry.seq <= lastSeq) return
      lastSeq = entry.seq
      const last = queue.at(-1)
      if (last?.type === 'entries') last.entries.push(entry)
      else queue.push({type: 'entries', entries: [entry]})
      queued++
      if (queued >= maxQueued && !paused) {
        paused = true
        es.close()
      }
      notify()
    })
    es.addEventListener('status', (event) => enqueue({type: 'meta', meta: JSON.parse(event.data as string) as JobStatusEvent}))
    es.addEventListener('end', (event) => {
      es.close()
      enqueue({type: 'end', meta: JSON.parse(event.data as string) as JobStatusEvent})
    })
    // The relay met an error reconnecting would meet again (a damaged log): the follow ends with it.
    es.addEventListener('failed', (event) => {
      es.close()
      const data = event.data as string
      const {status} = JSON.parse(data) as {status?: unknown}
      enqueue({type: 'error', error: relayError(endpoint, typeof status === 'number' ? status : 500, errorMessage(data), id, errorDetails(data))})
    })
    es.addEventListener('error', () => onError(es))
  }

  /** `silence`: why the stream is taken for lost though no error came (watchForSilence). */
  const onError = (es: EventSource, silence?: string) => {
    if (es !== source || finished) return
    es.close()
    const status = failure?.status
    if (status === 204) {
      relayRequest<JobMeta>(endpoint, `/v1/jobs/${encodeURIComponent(id)}`, {job: id, signal: options.signal}).then(
        (meta) => enqueue({type: 'end', meta: statusEventOf(meta)}),
        (error: unknown) => enqueue({type: 'error', error: error as Error}),
      )
      return
    }
    if (status !== undefined) {
      enqueue({type: 'error', error: relayError(endpoint, status, errorMessage(failure!.message), id, errorDetails(failure!.message))})
      return
    }
    const reason = silence ?? (networkError ? `cannot reach the relay: ${networkError}` : 'the relay closed the stream')
    enqueue({type: 'error', error: new StoreUnavailableError(endpoint.name, reason)})
  }

  // Status events come without sections: fetched again when their count or closed count changed.
  let sections: Section[] | undefined
  let mark = sectionsMark({sectionCount: 0, sectionsClosed: 0})
  const withSections = async (event: JobStatusEvent): Promise<JobMeta> => {
    if (sectionsMark(event) !== mark) {
      try {
        sections = (await relayRequest<{sections: Section[]}>(endpoint, `/v1/jobs/${encodeURIComponent(id)}/sections`, {job: id, signal: options.signal})).sections
        mark = sectionsMark(event)
      } catch {
        // The sections known so far; the next status event asks again.
      }
    }
    return metaOfStatusEvent(event, sections)
  }

  const onAbort = () => notify()
  options.signal?.addEventListener('abort', onAbort)
  open()
  watchForSilence()
  try {
    while (!options.signal?.aborted) {
      const item = queue.shift()
      if (!item) {
        if (paused) {
          paused = false
          open()
        }
        await new Promise<void>((resolve) => (wake = resolve))
        continue
      }
      if (item.type === 'entries') {
        queued -= item.entries.length
        yield item
      } else if (item.type === 'error') throw item.error
      else if (item.type === 'end') {
        yield {type: 'end', meta: await withSections(item.meta)}
        return
      } else yield {type: 'meta', meta: await withSections(item.meta)}
    }
  } finally {
    finished = true
    clearTimeout(watch)
    source?.close()
    options.signal?.removeEventListener('abort', onAbort)
  }
}
