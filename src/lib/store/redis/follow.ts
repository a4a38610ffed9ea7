/**
 * The Redis store's follow primitives (the loop itself is ../follow-loop.ts), all on a
 * connection of the follower's own, so a blocked read never holds up the writer:
 *
 *   entries  XREAD from the stream id of the last item seen, a page at a time
 *   wait     XREAD BLOCK from that id. Appends (chunks of lines), endJob (end marker) and
 *            updateJob (metadata marker) all add to the stream, so the one blocking read
 *            wakes for each; what it returns is handed out by the next `entries`.
 *   meta     HGETALL of the job's hash
 *
 * A job can also leave under a follower: `logs archive` deletes the stream once the
 * archive holds it, and an XREAD on a deleted key would wait forever. So the block is
 * bounded (MOVE_CHECK_MS); after a timeout the loop reads the metadata again and notices
 * the move.
 *
 * Through an outage a command fails at once (its connection is not reconnected,
 * connection.ts), or once it has gone unanswered past its deadline (a Redis that accepts
 * connections and never answers): the follow ends with the store's error, and the one
 * retry owner, Jobs.follow (../resumed-follow.ts), follows again from the last entry it
 * delivered, under one budget (`?retry-for=`). No gap, no duplicate, no retry of its own.
 */
import type {LogEntry} from '../../entry.js'
import type {JobMeta} from '../../job.js'
import type {FollowSource} from '../follow-loop.js'
import {answeredWithin, WRITER_DEADLINE_MS, type Connection} from './failures.js'
import type {JobKeys} from './keys.js'
import {decodeMeta} from './meta.js'
import {parseStreamEntry, type RawStreamEntry, type StreamItem} from './read.js'

/** Stream entries per XREAD answer (each holds up to a few hundred lines). */
const PAGE = 64
/** How long an idle follower blocks before reading the metadata again (to notice a move). */
export const MOVE_CHECK_MS = 2000
/** How long a command may go unanswered (on top of a blocking read's own wait) before Redis counts as unavailable. */
const ANSWER_DEADLINE_MS = WRITER_DEADLINE_MS

export interface RedisFollowOptions {
  id: string
  keys: JobKeys
  /** A dedicated connection, closed when the follow ends. */
  connection: Connection
  after: number
  signal?: AbortSignal
  /** How long one blocking read waits (MOVE_CHECK_MS). */
  blockMs: number
  /** Turns a Redis failure into the store's error. */
  fail(error: unknown): Error
  notFound(): Error
}

export class RedisFollowSource implements FollowSource {
  private cursor: string
  /** What the last blocking read returned, not yet handed out. */
  private pending: StreamItem[] = []
  /** The last read filled its page: more may be waiting. */
  private more = true
  private readonly stop = () => this.options.connection.client.disconnect()

  constructor(private readonly options: RedisFollowOptions) {
    this.cursor = `${Math.max(0, options.after)}-0`
    options.signal?.addEventListener('abort', this.stop, {once: true})
  }

  async meta(): Promise<JobMeta | undefined> {
    const hash = await this.command(() => this.options.connection.client.hgetall(this.options.keys.meta), ANSWER_DEADLINE_MS)
    return hash ? decodeMeta(this.options.id, hash) : undefined
  }

  async *entries(after: number): AsyncIterable<LogEntry[]> {
    let items = this.pending
    this.pending = []
    if (items.length === 0 && this.more) items = (await this.read()) ?? []
    let last = after
    while (items.length > 0) {
      const lines: LogEntry[] = []
      for (const item of items) {
        if (item.kind !== 'lines') continue
        for (const entry of item.lines) {
          if (entry.seq <= last) continue
          lines.push(entry)
          last = entry.seq
        }
      }
      if (lines.length > 0) yield lines
      if (!this.more) return
      items = (await this.read()) ?? []
    }
  }

  async wait(): Promise<boolean> {
    const items = await this.read(this.options.blockMs)
    if (!items) return true // timed out (or stopped): read the metadata again
    this.pending.push(...items)
    return items.some((item) => item.kind === 'marker')
  }

  movedAway(meta: JobMeta): boolean {
    return meta.location.kind === 'archived'
  }

  notFound(): Error {
    return this.options.notFound()
  }

  async close(): Promise<void> {
    this.options.signal?.removeEventListener('abort', this.stop)
    await this.options.connection.close()
  }

  /** One XREAD page after the cursor (blocking up to `blockMs` when given); undefined when nothing came. */
  private async read(blockMs?: number): Promise<StreamItem[] | undefined> {
    const {client} = this.options.connection
    const {log} = this.options.keys
    const reply: Array<[Buffer, RawStreamEntry[]]> | null | undefined = await this.command(
      () =>
        blockMs === undefined ? client.xreadBuffer('COUNT', PAGE, 'STREAMS', log, this.cursor) : client.xreadBuffer('COUNT', PAGE, 'BLOCK', blockMs, 'STREAMS', log, this.cursor),
      (blockMs ?? 0) + ANSWER_DEADLINE_MS,
    )
    const raw = reply?.[0]?.[1] ?? []
    this.more = raw.length === PAGE
    if (raw.length === 0) return undefined
    const items = raw.map(parseStreamEntry)
    this.cursor = items.at(-1)!.id
    return items
  }

  /**
   * A command of the follower, answered within `deadlineMs` or failed; after an abort (the
   * connection was dropped on purpose) it answers nothing, at once, whatever the command
   * still waits for.
   */
  private async command<T>(run: () => Promise<T>, deadlineMs: number): Promise<T | undefined> {
    const {signal} = this.options
    if (signal?.aborted) return undefined
    let onAbort = () => {}
    const aborted = new Promise<undefined>((resolve) => {
      onAbort = () => resolve(undefined)
      signal?.addEventListener('abort', onAbort, {once: true})
    })
    try {
      return await Promise.race([answeredWithin(run(), deadlineMs), aborted])
    } catch (error) {
      if (signal?.aborted) return undefined
      throw this.options.fail(error)
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }
}
