/** Small helpers every handler uses to answer: JSON bodies and JSON errors (`{"error": "…"}`). */
import type {ServerResponse} from 'node:http'
import type {HttpError} from './http-error.js'

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  })
  response.end(text)
}

export function sendError(response: ServerResponse, error: HttpError, extraHeaders: Record<string, string> = {}): void {
  if (response.headersSent) {
    response.destroy()
    return
  }
  sendJson(response, error.status, {error: error.message, ...error.body}, {...extraHeaders, ...error.headers})
}

/**
 * Waits until the response can take more or is closed. Both listeners go when either
 * fires: a `once(response, 'close')` left behind per wait piled up on a long download or
 * catch-up (MaxListenersExceededWarning) and kept every waited-for frame reachable.
 */
export function drainedOrClosed(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done)
      response.off('close', done)
      resolve()
    }
    response.on('drain', done)
    response.on('close', done)
  })
}
