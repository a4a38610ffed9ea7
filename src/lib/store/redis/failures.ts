/**
 * What the Redis store needs of a connection without loading ioredis (connection.ts does):
 * the connection's shape, and how a failure of Redis becomes the error users see.
 */
import type {Cluster, Redis} from 'ioredis'
import {LogsError, StoreUnavailableError} from '../../errors/index.js'

export type RedisClient = Redis | Cluster

/** How long a writer command may take before push treats Redis as unavailable. */
export const WRITER_DEADLINE_MS = 10_000

export interface Connection {
  client: RedisClient
  /** Why the last connection attempt failed, cleared when ready. */
  lastError(): string | undefined
  /** Fails the next time every node is found unreachable (a cluster; a standalone connection fails its commands itself). */
  unreachable(): Promise<never>
  close(): Promise<void>
}

/** A short reason for messages: the system error code and address, not a stack. */
export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const system = error as NodeJS.ErrnoException & {address?: string; port?: number}
  if (system.code === 'ECONNREFUSED') return `connection refused${system.address ? ` by ${system.address}:${system.port}` : ''} (is redis-server running?)`
  if (system.code === 'ENOTFOUND') return `host not found (${(system as {hostname?: string}).hostname ?? error.message})`
  if (/WRONGPASS|NOAUTH/.test(error.message)) return 'authentication failed: check the user and password in the URL'
  // The writer's commands once its connection is down; a follower's, whose connection is not reconnected (connection.ts); a cluster's.
  if (error.name === 'MaxRetriesPerRequestError' || error.message === 'Connection is closed.' || error.message === 'None of startup nodes is available')
    return 'Redis is not reachable'
  return error.message.split('\n')[0]
}

/** Runs one store operation: a failure of Redis becomes a StoreUnavailableError naming the store. */
export async function guarded<T>(name: string, connection: Connection, operation: () => Promise<T>, deadlineMs?: number): Promise<T> {
  try {
    const work = Promise.race([operation(), connection.unreachable()])
    return await (deadlineMs === undefined ? work : answeredWithin(work, deadlineMs))
  } catch (error) {
    throw storeError(name, connection, error)
  }
}

/** A command's answer, or an error once `deadlineMs` passed without one (a Redis that accepts connections and never answers). */
export async function answeredWithin<T>(work: Promise<T>, deadlineMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs / 1000} s`)), deadlineMs)
  })
  work.catch(() => {}) // settles after the deadline: nothing to report twice
  try {
    return await Promise.race([work, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** A Redis failure as the error users see: what failed and, when known, why the connection is down. */
export function storeError(name: string, connection: Connection, error: unknown): Error {
  if (error instanceof LogsError) return error
  const reason = describe(error)
  const because = connection.lastError()
  return new StoreUnavailableError(name, because && because !== reason ? `${reason}: ${because}` : reason, error)
}
