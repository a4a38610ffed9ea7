/** `--cors ORIGIN`: lets pages on that origin (or `*`) call the API and follow streams. */
import type {IncomingMessage} from 'node:http'

export class Cors {
  constructor(private readonly origin: string | undefined) {}

  headers(request: IncomingMessage): Record<string, string> {
    if (!this.origin) return {}
    const origin = request.headers.origin
    if (this.origin === '*') return {'Access-Control-Allow-Origin': '*'}
    if (origin !== this.origin) return {Vary: 'Origin'}
    return {'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin'}
  }

  preflight(request: IncomingMessage): Record<string, string> {
    if (!this.origin || (this.origin !== '*' && request.headers.origin !== this.origin)) return {}
    return {
      'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, Last-Event-ID, Logs-Writer, Logs-Batch',
      'Access-Control-Max-Age': '600',
    }
  }
}
