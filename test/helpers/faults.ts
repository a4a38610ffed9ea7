/**
 * Faults a test server injects into its answers, the way real services and their
 * gateways fail: an error status (a restart behind a gateway answers 502; Supabase 500s
 * on a read that races an upsert; a throttled client gets 429 with Retry-After), a
 * connection reset before any answer, a server that never answers or answers slowly, or an answer cut off part-way through its body.
 * Used by the fault proxy in front of s3rver (./fault-proxy.ts) and by the stand-ins.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'

export type Fault =
  | {kind: 'status'; status: number; retryAfter?: string; body?: string; contentType?: string}
  | {kind: 'reset'}
  /** Read the request and never answer, keeping the connection open (a hung server or gateway). */
  | {kind: 'silence'}
  /** Answer normally, after holding the request this long (a slow server or link; the fault proxy only). */
  | {kind: 'slow'; ms: number}
  /** Answer normally, but destroy the connection after this many body bytes, or just before the first `before` text a write holds. */
  | {kind: 'cut'; afterBytes: number; before?: string}

export interface InjectOptions {
  /** How many matching requests get the fault (default: until clear()). */
  count?: number
  /** Which requests (default: all); `url` is the path with its query. */
  match?: (method: string, path: string, url: string, headers: IncomingMessage['headers']) => boolean
}

interface Pending extends InjectOptions {
  fault: Fault
  left: number
}

export class FaultQueue {
  private pending: Pending[] = []
  private waiters: Array<{n: number; resolve: () => void}> = []
  /** Faults served so far. */
  served = 0

  inject(fault: Fault, options: InjectOptions = {}): void {
    this.pending.push({...options, fault, left: options.count ?? Number.POSITIVE_INFINITY})
  }

  clear(): void {
    this.pending = []
  }

  /** Resolves once `n` faults in all have been served. */
  waitForFaults(n: number): Promise<void> {
    if (this.served >= n) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({n, resolve}))
  }

  /** The fault for this request, if one applies (counted as served). */
  take(req: IncomingMessage): Fault | undefined {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const found = this.pending.find((p) => p.left > 0 && (!p.match || p.match(req.method ?? 'GET', path, req.url ?? '/', req.headers)))
    if (!found) return undefined
    found.left--
    this.pending = this.pending.filter((p) => p.left > 0)
    this.served++
    for (const waiter of this.waiters.filter((w) => this.served >= w.n)) waiter.resolve()
    this.waiters = this.waiters.filter((w) => this.served < w.n)
    return found.fault
  }
}

/** Answers with a status fault or resets the connection; a `cut` fault is the caller's to apply (see cutAfter). */
export function answerFault(req: IncomingMessage, res: ServerResponse, fault: Fault): boolean {
  if (fault.kind === 'silence') {
    req.resume()
    return true
  }
  if (fault.kind === 'reset') {
    req.socket.resetAndDestroy()
    return true
  }
  if (fault.kind === 'status') {
    req.resume()
    const body = fault.body ?? `<html><body><h1>${fault.status}</h1>injected by the test</body></html>`
    res.writeHead(fault.status, {
      'content-type': fault.contentType ?? 'text/html',
      'content-length': Buffer.byteLength(body),
      ...(fault.retryAfter ? {'retry-after': fault.retryAfter} : {}),
    })
    res.end(body)
    return true
  }
  return false
}

/** Wraps res.write/end so the connection is destroyed once `afterBytes` of body were sent, or just before `before` (within one write). */
export function cutAfter(res: ServerResponse, afterBytes: number, before?: string): void {
  let sent = 0
  const write = res.write.bind(res) as (chunk: Buffer) => boolean
  const cut = (chunk: Buffer | string | undefined): boolean => {
    if (chunk === undefined) return true
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    const at = before === undefined ? -1 : data.indexOf(before)
    const room = at === -1 ? afterBytes - sent : Math.min(afterBytes - sent, at)
    if (room <= 0 || data.length >= room) {
      if (room > 0) write(data.subarray(0, room))
      sent = Number.POSITIVE_INFINITY
      setImmediate(() => res.socket?.resetAndDestroy())
      return false
    }
    sent += data.length
    return write(data)
  }
  res.write = ((chunk: Buffer | string) => cut(chunk)) as typeof res.write
  res.end = ((chunk?: Buffer | string) => {
    if (typeof chunk !== 'function' && chunk !== undefined && !cut(chunk)) return res
    if (sent < afterBytes) setImmediate(() => res.socket?.resetAndDestroy())
    return res
  }) as typeof res.end
}
