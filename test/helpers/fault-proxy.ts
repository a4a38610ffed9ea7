/**
 * An HTTP proxy that forwards to a real server (s3rver, a relay) and fails on demand
 * (./faults.ts): 502s for a while as a gateway does during a restart, 503/429 with
 * Retry-After, connections reset before an answer or cut mid-body, answers held back. Not a stand-in: every
 * request it lets through is answered by the server behind it. It counts the body bytes
 * the server behind it sent back, so tests can tell what a read cost the store.
 */
import {createServer, request, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {FaultQueue, answerFault, cutAfter, type Fault, type InjectOptions} from './faults.js'
import {listenOnLoopback} from './free-port.js'

export interface FaultProxy {
  readonly url: string
  readonly port: number
  /** Requests answered by the server behind (faults not counted). */
  readonly forwarded: number
  /** Response body bytes the server behind sent through (all methods). */
  readonly bytesServed: number
  /** How often the server behind answered each status. */
  readonly statuses: ReadonlyMap<number, number>
  /** Every request received, faulted or not, as 'METHOD /path?query', in order. */
  readonly requests: readonly string[]
  readonly faults: FaultQueue
  inject(fault: Fault, options?: InjectOptions): void
  clear(): void
  /** Forwards from now on to `target` (a server restarted on a port of its own), the proxy's port kept. */
  retarget(target: string): void
  /** Closes every connection open through the proxy (it goes on listening). */
  cutConnections(): void
  /**
   * Answers under way pass nothing more on, their connections left open: what a client sees of
   * a connection that died without a word (a server's host gone, a NAT that forgot it). What the
   * server behind still sends them is read and dropped. Later requests are answered as before.
   */
  stallConnections(): void
  stop(): Promise<void>
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let upstream = new URL(target)
  const faults = new FaultQueue()
  let forwarded = 0
  let bytesServed = 0
  const statuses = new Map<number, number>()
  const requests: string[] = []
  const underWay = new Map<IncomingMessage, ServerResponse>()
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    const fault = faults.take(req)
    if (fault && answerFault(req, res, fault)) return
    if (fault?.kind === 'cut') cutAfter(res, fault.afterBytes, fault.before)
    if (fault?.kind === 'slow') setTimeout(() => forward(req, res), fault.ms)
    else forward(req, res)
  })
  function forward(req: IncomingMessage, res: ServerResponse): void {
    const outgoing = request({host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers}, (answer) => {
      forwarded++
      statuses.set(answer.statusCode ?? 0, (statuses.get(answer.statusCode ?? 0) ?? 0) + 1)
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.on('data', (chunk: Buffer) => (bytesServed += chunk.length))
      // A server behind that goes away mid-answer cuts the answer through the proxy too (pipe would leave it open).
      answer.on('error', () => res.destroy())
      answer.pipe(res)
      underWay.set(answer, res)
      answer.once('close', () => underWay.delete(answer))
    })
    outgoing.on('error', () => res.socket?.resetAndDestroy())
    req.pipe(outgoing)
  }
  const cutConnections = (): void => server.closeAllConnections()
  const port = await listenOnLoopback(server)
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get forwarded() {
      return forwarded
    },
    get bytesServed() {
      return bytesServed
    },
    statuses,
    requests,
    faults,
    inject: (fault, options) => faults.inject(fault, options),
    clear: () => faults.clear(),
    retarget(target) {
      upstream = new URL(target)
    },
    cutConnections,
    stallConnections() {
      for (const [answer, res] of underWay) {
        answer.unpipe(res)
        answer.resume()
      }
      underWay.clear()
    },
    async stop() {
      cutConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
