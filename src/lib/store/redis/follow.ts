/**
 * follow(): one `XREAD BLOCK 0` loop on a connection of its own, from the stream id of the
 * last sequence number delivered. History and live entries come the same way (XREAD
 * answers at once while entries are waiting). The end-of-job marker that endJob adds
 * to the stream is what ends the loop.
 *
 * A job can also leave under a follower: `logs archive` deletes the stream once the
 * archive holds it, and an XREAD on a deleted key would wait forever. So the block is
 * bounded (MOVE_CHECK_MS); when it times out, one metadata read tells whether the job
 * was moved (archived, or gone after it existed), and the follow returns without `end`
 * for the Jobs facade to continue from the archive at its cursor.
 *
 * Through an outage the follower's connection reconnects by itself and re-sends its
 * pending XREAD with the same cursor: no gap, no duplicate.
 */
import type {JobMeta} from '../../job.js'
import type {FollowEvent, FollowOptions} from '../types.js'
import type {Connection} from './connection.js'
import type {JobKeys} from './keys.js'
import {parseStreamEntry, type RawStreamEntry} from './read.js'
import type {LogEntry} from '../../entry.js'

/** Stream entries per XREAD answer (each holds up to a few hundred lines). */
const PAGE = 64
/** How long an idle follower blocks before checking that its job is still here. */
export const MOVE_CHECK_MS = 2000

export interface FollowSource {
  keys: JobKeys
  /** A new dedicated connection for this follower; closed when the follow ends. */
  connect(): Connection
  /** The job's metadata (read on the writing connection). */
  meta(): Promise<JobMeta | undefined>
  /** Whether the job existed when the follow began (else it may be waited for). */
  existed: boolean
  /** Turns a Redis failure into the store's error. */
  fail(error: unknown, connection: Connection): never
}

export async function* followJob(source: FollowSource, options: FollowOptions): AsyncIterable<FollowEvent> {
  const connection = source.connect()
  const {client} = connection
  const stop = () => client.disconnect()
  options.signal?.addEventListener('abort', stop, {once: true})
  let cursor = `${Math.max(0, options.after)}-0`
  let lastSeq = options.after
  let existed = source.existed
  try {
    for (;;) {
      if (options.signal?.aborted) return
      let reply: Array<[Buffer, RawStreamEntry[]]> | null
      try {
        reply = await client.xreadBuffer('COUNT', PAGE, 'BLOCK', MOVE_CHECK_MS, 'STREAMS', source.keys.log, cursor)
      } catch (error) {
        if (options.signal?.aborted) return
        source.fail(error, connection)
      }
      if (!reply) {
        const meta = await source.meta().catch(() => 'unknown' as const) // an outage: the XREAD reconnects and says so
        if (meta === 'unknown') continue
        if (meta?.location.kind === 'archived' || (!meta && existed)) return // moved: the Jobs facade goes on from the archive
        if (meta) existed = true
        continue
      }
      existed = true
      const entries: LogEntry[] = []
      for (const raw of reply[0][1]) {
        const item = parseStreamEntry(raw)
        cursor = item.id
        if (item.kind === 'end') {
          if (entries.length > 0) yield {type: 'entries', entries}
          const meta = await source.meta()
          if (meta) yield {type: 'end', meta}
          return
        }
        for (const entry of item.lines) {
          if (entry.seq <= lastSeq) continue
          entries.push(entry)
          lastSeq = entry.seq
        }
      }
      if (entries.length > 0) yield {type: 'entries', entries}
    }
  } finally {
    options.signal?.removeEventListener('abort', stop)
    client.disconnect()
  }
}
