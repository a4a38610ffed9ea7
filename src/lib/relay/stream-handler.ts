/**
 * GET /v1/jobs/:id/logs/stream — one follower.
 *
 *   1. resume point: Last-Event-ID, else `after`, else the start of `tail=N`, else 0;
 *   2. catch up: read the history after the resume point in one streamed read, a batch
 *      per write, waiting for the socket (a slow client only slows itself), until
 *      reaching the feed's position;
 *   3. attach to the job's feed (synchronously after the check, so nothing falls in
 *      between) and receive live batches; entries at or below what was sent are skipped,
 *      so there is no gap and no duplicate;
 *   4. `end` → send it and close; feed failure → close without `end` (the client
 *      reconnects with Last-Event-ID), or, for an error a reconnect would meet again (a
 *      damaged log, a job deleted meanwhile), a `failed` event then close; client gone →
 *      release the lease.
 *
 * A damaged block of an archived job is gone past, as `logs get` prints all it can: an
 * `unreadable` event names it in its place (its `id:` the block's last seq), the entries
 * after it follow, and the stream ends as a finished job's does. A damaged live log ends
 * the stream after the entries before it, with a `failed` event. A reconnect
 * (Last-Event-ID) to a job that ended with nothing after that id is answered 204, which
 * tells an EventSource to stop reconnecting.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Jobs} from '../store/jobs.js'
import type {EntryFilter} from '../query/filter.js'
import type {LogEntry} from '../entry.js'
import type {JobMeta} from '../job.js'
import {ArchiveReadError, DamagedLogError, JobDeletedError, type UnreadableBlock} from '../errors/index.js'
import {HttpError, badRequest, failureBody, toHttpError} from './http-error.js'
import type {FeedBatch, FeedSubscriber, JobFeed} from './job-feed.js'
import type {FollowHub} from './hub.js'
import {historyBatches, readPage, type HistoryPage, type StreamState} from './history.js'
import type {RelayLimits} from './limits.js'
import type {RelayMetrics} from './metrics.js'
import {filterParams, integerParam} from './query-params.js'
import {commentFrame, endFrame, failedFrame, logFrame, statusFrame, unreadableFrame} from './sse-frames.js'
import {SseWriter} from './sse-writer.js'

export interface StreamContext {
  jobs: Jobs
  hub: FollowHub
  limits: RelayLimits
  metrics: RelayMetrics
  log: (message: string) => void
  /** Followers still streaming, so shutdown can close them. */
  writers: Set<SseWriter>
}

export async function handleStream(
  context: StreamContext,
  request: IncomingMessage,
  response: ServerResponse,
  jobId: string,
  params: URLSearchParams,
  headers: Record<string, string>,
): Promise<void> {
  const {hub, limits, metrics} = context
  const filter = filterParams(params)
  const resume = resumePoint(request, params)
  const tail = integerParam(params, 'tail')
  if (hub.clients >= limits.maxClients) throw new HttpError(503, `too many followers (${limits.maxClients}); try again later`, {'Retry-After': '5'})

  const lease = hub.lease(jobId, context.jobs)
  let writer: SseWriter | undefined
  let follower: Follower | undefined
  response.once('close', () => {
    if (follower) lease.feed.detach(follower)
    if (writer) context.writers.delete(writer)
    lease.release()
  })
  await lease.feed.ready
  if (lease.feed.state === 'failed') throw toHttpError(lease.feed.error, context.jobs.live.name)
  if (response.destroyed) return
  if (reconnected(request) && lease.feed.state === 'ended' && resume! >= lease.feed.position) {
    response.writeHead(204, headers).end()
    return
  }

  writer = new SseWriter(
    response,
    {
      maxBufferedBytes: limits.subscriberBufferBytes,
      retryMs: limits.retryMs,
      pingMs: limits.pingMs,
      onDrop: (reason) => {
        metrics.drop('slow')
        context.log(`dropped a follower of ${jobId}: ${reason}`)
      },
    },
    headers,
  )
  context.writers.add(writer)
  follower = new Follower(writer, filter, metrics, context.jobs.live.name, resume ?? 0)
  const statusesBefore = lease.feed.statuses
  try {
    const meta = await currentMeta(context, lease.feed)
    if (meta) writer.push(statusFrame(meta))
    if (resume === undefined && tail !== undefined) await sendTail(context, follower, lease.feed, jobId, tail, filter)
    await catchUp(context, follower, lease.feed, jobId, filter)
  } catch (error) {
    if (!isFinal(error)) metrics.storeError()
    context.log(`stream of ${jobId} failed while reading history: ${(error as Error).message}`)
    follower.fail(error)
    return
  }
  if (writer.closed) return
  const feed = lease.feed
  if (feed.state === 'ended' && feed.endMeta) follower.end(feed.endMeta)
  else if (feed.state === 'failed') follower.fail(feed.error)
  else {
    if (feed.statuses !== statusesBefore && feed.meta) follower.status(feed.meta)
    feed.attach(follower)
  }
}

/** The feed keeps metadata from status changes only; a newcomer gets fresh counts when the store answers. */
async function currentMeta(context: StreamContext, feed: JobFeed): Promise<JobMeta | undefined> {
  if (feed.state !== 'running' || !feed.meta) return feed.meta
  try {
    return (await context.jobs.getJob(feed.jobId)) ?? feed.meta
  } catch {
    return feed.meta // the history read that follows reports a store failure
  }
}

/** A damaged block or log, or a deleted job, is not an outage: reconnecting would meet it again. */
function isFinal(error: unknown): error is ArchiveReadError | JobDeletedError | DamagedLogError {
  return error instanceof ArchiveReadError || error instanceof JobDeletedError || error instanceof DamagedLogError
}

function reconnected(request: IncomingMessage): boolean {
  const header = request.headers['last-event-id']
  return typeof header === 'string' && header !== ''
}

/** Last-Event-ID wins over `after`: it is where a reconnecting EventSource really is. */
function resumePoint(request: IncomingMessage, params: URLSearchParams): number | undefined {
  const header = request.headers['last-event-id']
  if (typeof header === 'string' && header !== '') {
    if (!/^\d+$/.test(header)) throw badRequest(`invalid Last-Event-ID ${JSON.stringify(header)}: expected a sequence number`)
    return Number(header)
  }
  return integerParam(params, 'after')
}

async function sendTail(context: StreamContext, follower: Follower, feed: JobFeed, jobId: string, tail: number, filter: EntryFilter | undefined): Promise<void> {
  // No job yet: nothing to tail, everything that comes is new.
  if (!feed.meta) return
  if (tail === 0) {
    follower.skipTo(feed.position)
    return
  }
  const page = await readPage(context.jobs, jobId, {tail}, filter, tail)
  // Entries before the tail are skipped on purpose: start after the one before the first shown.
  follower.skipTo(page.entries.length > 0 ? page.entries[0].seq - 1 : page.cursor)
  if (!(await sendPage(follower, page))) return
  follower.skipTo(page.cursor)
}

/**
 * The history after the follower's position, one streamed read (history.ts historyBatches)
 * a batch per write, until the follower reaches the feed's position: a job still written
 * has more by the time one read ends.
 */
async function catchUp(context: StreamContext, follower: Follower, feed: JobFeed, jobId: string, filter: EntryFilter | undefined): Promise<void> {
  while (!follower.closed && follower.position < feed.position && feed.state !== 'failed') {
    const from = follower.position
    const state: StreamState = {cursor: from, more: false, unreadable: []}
    // Damaged blocks met and not yet passed by an entry sent: each goes before the first entry after it.
    let ahead: UnreadableBlock[] = []
    for await (const batch of historyBatches(context.jobs, jobId, {after: from}, filter, Number.POSITIVE_INFINITY, state)) {
      const met = metBlocks(state, ahead)
      const rest = await sendAmong(follower, batch, met.blocks)
      if (!rest) return
      if (met.unplaced) throw met.unplaced
      ahead = rest
    }
    const met = metBlocks(state, ahead)
    for (const block of met.blocks) follower.unreadable(block)
    if (met.unplaced) throw met.unplaced
    if (follower.position <= from && state.cursor <= from) break // the store has nothing more to give: attach and let the feed deliver
    follower.skipTo(state.cursor)
  }
}

/**
 * The damaged blocks a streamed read has met, with those met before, in order; `unplaced`
 * when one is named without its place (an older relay behind this one): what could be read
 * is sent, then the stream ends naming them.
 */
function metBlocks(state: StreamState, ahead: UnreadableBlock[]): {blocks: UnreadableBlock[]; unplaced?: ArchiveReadError} {
  const [met] = ArchiveReadError.merged(state.unreadable.splice(0))
  if (met && met.blocks.length < met.what.length) return {blocks: ahead, unplaced: met}
  return {blocks: [...ahead, ...(met?.blocks ?? [])].sort((a, b) => a.firstSeq - b.firstSeq)}
}

/**
 * A page's entries with its damaged blocks in their places: a block before the entry it
 * precedes, and after the last entry one that starts within what the page looked at or
 * right after it (a block further on is met again by the next page). False when the client left.
 */
async function sendPage(follower: Follower, page: HistoryPage): Promise<boolean> {
  const {unreadable} = page
  // Named but not placed (an older relay behind this one): what could be read is sent, then the stream ends naming them.
  if (unreadable && unreadable.blocks.length < unreadable.what.length) {
    if (!(await follower.sendHistory(page.entries))) return false
    throw unreadable
  }
  const blocks = await sendAmong(
    follower,
    page.entries,
    [...(unreadable?.blocks ?? [])].sort((a, b) => a.firstSeq - b.firstSeq),
  )
  if (!blocks) return false
  let next = 0
  while (next < blocks.length && blocks[next].firstSeq <= Math.max(page.cursor, follower.position) + 1) follower.unreadable(blocks[next++])
  // The entries before a damaged live log are sent: the stream ends on it.
  if (page.damaged && !follower.closed) throw page.damaged
  return !follower.closed
}

/**
 * Entries in as few writes as their damaged blocks allow: each block (sorted) is named
 * before the first entry after it. Returns the blocks after the last entry, not named yet;
 * undefined when the client left.
 */
async function sendAmong(follower: Follower, entries: LogEntry[], blocks: UnreadableBlock[]): Promise<UnreadableBlock[] | undefined> {
  let next = 0
  let sent = 0
  for (let i = 0; i < entries.length && next < blocks.length; i++) {
    if (blocks[next].lastSeq >= entries[i].seq) continue
    if (!(await follower.sendHistory(entries.slice(sent, i)))) return undefined
    sent = i
    while (next < blocks.length && blocks[next].lastSeq < entries[i].seq) follower.unreadable(blocks[next++])
  }
  if (!(await follower.sendHistory(entries.slice(sent)))) return undefined
  return blocks.slice(next)
}

class Follower implements FeedSubscriber {
  /** Damaged blocks named already (a page and the next can both meet one). */
  private readonly named = new Set<string>()

  constructor(
    private readonly writer: SseWriter,
    private readonly filter: EntryFilter | undefined,
    private readonly metrics: RelayMetrics,
    /** The live store's name, for a failure's message. */
    private readonly storeName: string,
    /** Last sequence number sent or deliberately skipped. */
    public position: number,
  ) {}

  get closed(): boolean {
    return this.writer.closed
  }

  skipTo(seq: number): void {
    if (seq > this.position) this.position = seq
  }

  /** The entries not sent yet, in one write; waits for the socket. False once the client has left. */
  async sendHistory(entries: LogEntry[]): Promise<boolean> {
    let frames = ''
    for (const entry of entries) {
      if (entry.seq <= this.position) continue
      this.position = entry.seq
      this.metrics.linesOut++
      frames += logFrame(entry)
    }
    return frames === '' ? !this.closed : this.writer.writeAndWait(frames)
  }

  unreadable(block: UnreadableBlock): void {
    if (this.named.has(block.what)) return
    this.named.add(block.what)
    const passes = block.lastSeq > this.position
    if (passes) this.position = block.lastSeq
    this.writer.push(unreadableFrame(block, passes))
  }

  entries(batch: FeedBatch): void {
    const {entries} = batch
    if (entries.at(-1)!.seq <= this.position) return
    let text: string | Buffer
    let count = 0
    if (!this.filter && entries[0].seq > this.position) {
      text = batch.joined
      count = entries.length
    } else {
      text = ''
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]
        if (entry.seq <= this.position || (this.filter && !this.filter(entry))) continue
        text += batch.frames[i]
        count++
      }
    }
    this.position = entries.at(-1)!.seq
    if (count === 0) return
    this.metrics.linesOut += count
    this.writer.push(text)
  }

  status(meta: JobMeta): void {
    this.writer.push(statusFrame(meta))
  }

  end(meta: JobMeta): void {
    this.writer.finish(endFrame(meta))
  }

  /** Ends the stream: with a `failed` event for an error a reconnect would meet again, else with a comment and the client reconnects. */
  fail(error: unknown): void {
    if (isFinal(error)) {
      this.writer.finish(failedFrame(failureBody(toHttpError(error, this.storeName))))
      return
    }
    this.writer.push(commentFrame(`the store failed: ${(error as Error)?.message ?? String(error)}; reconnect to resume`))
    this.writer.finish()
  }
}
