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
  sendJson(response, error.status, {error: error.message}, {...extraHeaders, ...error.headers})
}
