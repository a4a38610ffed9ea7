/**
 * The one way a test file (or a describe block) gets a Redis: `const server = redisSandbox()`
 * at its top starts a real redis-server (./redis-server.ts) before its tests and destroys it
 * after them. The handle stands for that server: read its url, port, cli… inside tests and
 * hooks, not while the file is being collected. Hooks registered after it see it started
 * and, torn down in reverse, still running.
 */
import {afterAll, beforeAll} from 'vitest'
import {startRedis, type RedisServer} from './redis-server.js'

export function redisSandbox(options: Parameters<typeof startRedis>[0] = {}): RedisServer {
  let server: RedisServer | undefined
  beforeAll(async () => {
    server = await startRedis(options)
  })
  afterAll(async () => {
    await server?.destroy()
  })
  const started = (): RedisServer => {
    if (!server) throw new Error('redisSandbox(): the server starts in beforeAll; use it inside a test or a hook')
    return server
  }
  return {
    get port() {
      return started().port
    },
    get tlsPort() {
      return started().tlsPort
    },
    get tlsUrl() {
      return started().tlsUrl
    },
    get dir() {
      return started().dir
    },
    get url() {
      return started().url
    },
    start: () => started().start(),
    stop: () => started().stop(),
    cli: (...args) => started().cli(...args),
    blockedClients: () => started().blockedClients(),
    destroy: () => started().destroy(),
  }
}
