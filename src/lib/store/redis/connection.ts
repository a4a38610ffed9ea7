/**
 * Connections to Redis, with the two behaviours the store needs:
 *
 * - writer: commands fail promptly while Redis is down (no endless offline queue), so
 *   push can spool and retry; a retried append is made harmless by its token.
 * - follower: a dedicated connection per follow (the writer is never blocked by
 *   `XREAD BLOCK`); it retries forever and re-sends its pending read after a reconnect.
 *
 * ioredis reports every failed reconnect as an 'error' event; they are kept as the
 * connection's last error (used in messages) instead of being printed.
 */
import {Cluster, Redis, type ClusterOptions, type RedisOptions} from 'ioredis'
import {LogsError, StoreUnavailableError} from '../../errors/index.js'
import type {RedisTarget} from './url.js'
import {SCRIPTS} from './scripts.js'
import {restoreFastStringPrototype} from './fast-string-prototype.js'

restoreFastStringPrototype()

export type RedisClient = Redis | Cluster
export type Role = 'writer' | 'follower'

/** How long a writer command may take before push treats Redis as unavailable. */
export const WRITER_DEADLINE_MS = 10_000

export interface Connection {
  client: RedisClient
  /** Why the last connection attempt failed, cleared when ready. */
  lastError(): string | undefined
  close(): Promise<void>
}

export function connect(target: RedisTarget, role: Role): Connection {
  const writer = role === 'writer'
  const retry = (times: number) => Math.min(100 * times, writer ? 1000 : 2000)
  const options: RedisOptions = {
    username: target.username,
    password: target.password,
    tls: target.tls ? {} : undefined,
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: writer ? 0 : null,
    commandTimeout: writer ? WRITER_DEADLINE_MS : undefined,
    keepAlive: 10_000,
    scripts: SCRIPTS,
  }
  let client: RedisClient
  if (target.cluster) {
    const clusterOptions: ClusterOptions = {
      redisOptions: {...options, scripts: undefined, lazyConnect: undefined},
      scripts: SCRIPTS,
      lazyConnect: true,
      enableOfflineQueue: true,
      clusterRetryStrategy: retry,
      retryDelayOnClusterDown: 200,
      slotsRefreshTimeout: 3000,
    }
    client = new Cluster(target.nodes, clusterOptions)
  } else {
    client = new Redis({...options, host: target.nodes[0].host, port: target.nodes[0].port, db: target.db, retryStrategy: retry})
  }
  let last: string | undefined
  const remember = (error: Error) => {
    last = describe(error)
  }
  client.on('error', remember)
  client.on('node error', remember)
  client.on('ready', () => {
    last = undefined
  })
  return {
    client,
    lastError: () => last,
    async close() {
      client.disconnect()
    },
  }
}

/** A short reason for messages: the system error code and address, not a stack. */
export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const system = error as NodeJS.ErrnoException & {address?: string; port?: number}
  if (system.code === 'ECONNREFUSED') return `connection refused${system.address ? ` by ${system.address}:${system.port}` : ''} (is redis-server running?)`
  if (system.code === 'ENOTFOUND') return `host not found (${(system as {hostname?: string}).hostname ?? error.message})`
  if (/WRONGPASS|NOAUTH/.test(error.message)) return 'authentication failed: check the user and password in the URL'
  if (error.name === 'MaxRetriesPerRequestError') return 'Redis is not reachable'
  return error.message.split('\n')[0]
}

/** Runs one store operation: a failure of Redis becomes a StoreUnavailableError naming the store. */
export async function guarded<T>(name: string, connection: Connection, operation: () => Promise<T>, deadlineMs?: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    const work = operation()
    if (deadlineMs === undefined) return await work
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs / 1000} s`)), deadlineMs)
    })
    work.catch(() => {}) // settles after the deadline: nothing to report twice
    return await Promise.race([work, deadline])
  } catch (error) {
    throw storeError(name, connection, error)
  } finally {
    if (timer) clearTimeout(timer)
  }
}

/** A Redis failure as the error users see: what failed and, when known, why the connection is down. */
export function storeError(name: string, connection: Connection, error: unknown): Error {
  if (error instanceof LogsError) return error
  const reason = describe(error)
  const because = connection.lastError()
  return new StoreUnavailableError(name, because && because !== reason ? `${reason}: ${because}` : reason, error)
}
