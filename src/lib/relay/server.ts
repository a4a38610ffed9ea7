/**
 * The relay: Node's own http server around the router, the follow hub and the metrics.
 *
 *   createRelay({jobs, token, readToken, cors, limits}) → relay
 *   await relay.listen(port, host)    → the URL it listens on
 *   await relay.close()               → graceful: stop accepting, close followers without
 *                                        `end` (they reconnect elsewhere), let running
 *                                        ingests finish, then close what is left.
 *
 * The caller owns `jobs` (and closes it after the relay).
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import type {Jobs} from '../store/jobs.js'
import {serveWeb as defaultServeWeb} from '../web/serve-web.js'
import {Auth} from './auth.js'
import {Cors} from './cors.js'
import {FollowHub} from './hub.js'
import {IngestOrder} from './ingest-order.js'
import {IngestStructure} from './ingest-structure.js'
import {IngestMasking} from './ingest-masking.js'
import {DEFAULT_LIMITS, type RelayLimits} from './limits.js'
import {RelayMetrics} from './metrics.js'
import {route, type RouterContext} from './router.js'
import type {SseWriter} from './sse-writer.js'
import {timerDelay} from '../time.js'

export interface RelayOptions {
  jobs: Jobs
  token?: string
  readToken?: string
  /** Allowed browser origin for CORS, or `*`. */
  cors?: string
  limits?: Partial<RelayLimits>
  /** Where the relay reports drops and store failures (never tokens). Default: stderr. */
  log?: (message: string) => void
  serveWeb?: RouterContext['serveWeb']
}

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|::1|localhost)$/i

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host)
}

export class Relay {
  readonly hub: FollowHub
  readonly metrics = new RelayMetrics()
  readonly limits: RelayLimits
  readonly auth: Auth
  private readonly server: Server
  private readonly context: RouterContext
  private readonly requests = new Set<Promise<void>>()
  private closing: Promise<void> | undefined

  constructor(options: RelayOptions) {
    this.limits = {...DEFAULT_LIMITS, ...options.limits}
    this.hub = new FollowHub(options.jobs, this.limits.readerLingerMs)
    this.auth = new Auth({token: options.token, readToken: options.readToken})
    this.context = {
      jobs: options.jobs,
      auth: this.auth,
      cors: new Cors(options.cors),
      hub: this.hub,
      limits: this.limits,
      metrics: this.metrics,
      structure: new IngestStructure(options.jobs.live),
      masking: new IngestMasking(),
      order: new IngestOrder(),
      writers: new Set<SseWriter>(),
      log: options.log ?? ((message) => process.stderr.write(`logs serve: ${message}\n`)),
      serveWeb: options.serveWeb ?? defaultServeWeb,
    }
    this.server = createServer((request, response) => this.handle(request, response))
    // Followers stay connected for hours; only idle keep-alive sockets time out.
    this.server.requestTimeout = 0
    this.server.headersTimeout = 30_000
    this.server.keepAliveTimeout = 5000
  }

  /** SSE followers connected now. */
  get clients(): number {
    return this.hub.clients
  }

  async listen(port: number, host: string): Promise<URL> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    return this.url
  }

  get url(): URL {
    const address = this.server.address() as AddressInfo
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    return new URL(`http://${host}:${address.port}`)
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown()
    return this.closing
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    if (this.closing) {
      response.writeHead(503, {'Content-Type': 'application/json', Connection: 'close'}).end(JSON.stringify({error: 'the relay is shutting down'}))
      return
    }
    const done = route(this.context, request, response).catch((error: unknown) => {
      this.context.log(`unexpected error: ${(error as Error)?.stack ?? String(error)}`)
      if (!response.headersSent) response.writeHead(500).end()
      else response.destroy()
    })
    if (request.method === 'POST' || request.method === 'PUT') {
      this.requests.add(done)
      this.metrics.uploadsInFlight++
      void done.finally(() => {
        this.requests.delete(done)
        this.metrics.uploadsInFlight--
      })
    }
  }

  private async shutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.hub.stopAll()
    this.metrics.close()
    // No `end` event: the job has not ended, the follower should reconnect (to us after a restart, or elsewhere).
    for (const writer of this.context.writers) writer.finish()
    this.context.writers.clear()
    this.server.closeIdleConnections()
    const grace = new Promise<void>((resolve) => setTimeout(resolve, timerDelay(this.limits.shutdownGraceMs)).unref())
    await Promise.race([Promise.allSettled([...this.requests]), grace])
    await Promise.race([this.context.structure.flush(), grace])
    this.server.closeAllConnections()
    await closed
  }
}

export function createRelay(options: RelayOptions): Relay {
  return new Relay(options)
}
