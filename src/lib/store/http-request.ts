/**
 * One HTTP request over node:http(s) on keep-alive connections, its answer's body left to
 * the caller as a stream: the relay client's calls (./relay/relay-http.ts) and Supabase
 * downloads (./object/supabase-download.ts). Not fetch: on Node 20 the first fetch of a
 * process costs ~130 ms of CPU (undici is compiled on first use), more than the whole of
 * a `get -n 100` of a live job; node:http costs a few. Idle connections do not hold the
 * process open, and are closed before a server with Node's 5 s keep-alive would close them
 * under a request.
 */
import {Agent as HttpAgent, request as httpRequest, type IncomingMessage} from 'node:http'
import {Agent as HttpsAgent, request as httpsRequest} from 'node:https'

export interface HttpRequest {
  method?: string
  headers?: Record<string, string>
  body?: Uint8Array
  /** Aborts the request, and its answer's body once it has begun. */
  signal?: AbortSignal
}

const agents = {
  'http:': new HttpAgent({keepAlive: true, timeout: 4000}),
  'https:': new HttpsAgent({keepAlive: true, timeout: 4000}),
}

/** Resolves with the answer once its status and headers have arrived; rejects on a network error before that. */
export function sendRequest(url: URL, {method = 'GET', headers = {}, body, signal}: HttpRequest = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const request = send(url, {
      method,
      headers: body ? {...headers, 'Content-Length': String(body.length)} : headers,
      agent: agents[url.protocol as 'http:'],
      signal,
    })
    request.on('error', reject)
    request.on('response', resolve)
    request.end(body)
  })
}
