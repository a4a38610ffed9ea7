/**
 * Connections to Redis. Commands of both kinds fail promptly while Redis is down (no
 * endless offline queue):
 *
 * - writer: push spools and retries; a retried append is made harmless by its token. The
 *   connection reconnects by itself for the next command.
 * - follower: a dedicated connection per follow (the writer is never blocked by
 *   `XREAD BLOCK`), used once: it is not reconnected. A follow whose command fails ends,
 *   and the one retry owner (../resumed-follow.ts) follows again from the last entry it
 *   delivered, on a new connection, as long as `?retry-for=` allows.
 *
 * ioredis reports every failed reconnect as an 'error' event; they are kept as the
 * connection's last error (used in messages) instead of being printed.
 *
 * The one module (with pooled-command.ts) that loads ioredis: the store imports it on its
 * first command, so a push that ships from a worker thread never loads it on its main thread.
 */
import {Cluster, Redis, type ClusterOptions, type RedisOptions} from 'ioredis'
import {describe, WRITER_DEADLINE_MS, type Connection, type RedisClient} from './failures.js'
import {UsageError} from '../../errors/index.js'
import type {RedisTarget} from './url.js'
import {SCRIPTS} from './scripts.js'
import {restoreFastStringPrototype} from './fast-string-prototype.js'

restoreFastStringPrototype()

export type Role = 'writer' | 'follower'

export function connect(target: RedisTarget, role: Role): Connection {
  const writer = role === 'writer'
  const retry = writer ? (times: number) => Math.min(100 * times, 1000) : () => null
  const options: RedisOptions = {
    username: target.username,
    password: target.password,
    tls: target.tls ? {} : undefined,
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
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
    last = describe((error as {lastNodeError?: Error}).lastNodeError ?? error)
  }
  let unreachable = failureToCome()
  client.on('error', (error: Error) => {
    remember(error)
    // ioredis selects the database at connect and, refused, reports it here and goes on in
    // database 0: the commands queued meanwhile would write there. They fail instead.
    if (/DB index is out of range|invalid DB index/i.test(error.message)) {
      unreachable.fail(
        new UsageError(`${target.name}: the server has no database ${target.db} (${error.message})`, [
          'a Redis server has databases 0 to 15 unless its `databases` setting says otherwise',
        ]),
      )
      client.disconnect()
      return
    }
    // Every node of a cluster failed: the commands queued meanwhile would wait for their
    // deadline while it retries; they fail now, as a standalone Redis's do, for the same reason.
    if (error.name === 'ClusterAllFailedError') {
      unreachable.fail((error as {lastNodeError?: Error}).lastNodeError ?? error)
      unreachable = failureToCome()
    }
  })
  client.on('node error', remember)
  client.on('ready', () => {
    last = undefined
  })
  return {
    client,
    lastError: () => last,
    unreachable: () => unreachable.promise,
    async close() {
      client.disconnect()
    },
  }
}

/** A promise that only ever fails, when `fail` is called; no one need be waiting for it then. */
function failureToCome(): {promise: Promise<never>; fail: (error: Error) => void} {
  let fail: (error: Error) => void = () => {}
  const promise = new Promise<never>((_, reject) => (fail = reject))
  promise.catch(() => {})
  return {promise, fail}
}
