/**
 * POST /login and /logout. The form posts the token (urlencoded body, never the URL); the
 * answer sets or clears the HttpOnly cookie and sends the browser on with a 303. Which
 * tokens are valid is the relay's business: the page checks the token against the API
 * before posting, and a wrong cookie simply gets 401s that lead back to the form.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {clearTokenCookie, isSecureRequest, setTokenCookie} from './token-cookie.js'

const MAX_FORM_BYTES = 8192

export async function handleLogin(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (!sameOrigin(request)) return plain(response, 403, 'cross-site login refused')
  let form: URLSearchParams
  try {
    form = new URLSearchParams(await readBody(request, MAX_FORM_BYTES))
  } catch {
    return plain(response, 413, 'login form too large')
  }
  const token = form.get('token') ?? ''
  const next = safeNext(form.get('next'))
  if (token === '' || /[\r\n]/.test(token)) return redirect(response, `/login?failed=1&next=${encodeURIComponent(next)}`)
  redirect(response, next, setTokenCookie(token, isSecureRequest(request)))
}

export function handleLogout(request: IncomingMessage, response: ServerResponse): void {
  if (request.method === 'POST' && !sameOrigin(request)) return plain(response, 403, 'cross-site logout refused')
  redirect(response, '/login', clearTokenCookie(isSecureRequest(request)))
}

/** Only paths on this server: `//evil.example` or `https://…` would make the form an open redirect. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/'
  return next
}

/** A browser sends Origin on form posts; when it is there it must be this host. */
function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin
  if (!origin || origin === 'null') return origin === undefined
  try {
    return new URL(origin).host === request.headers.host
  } catch {
    return false
  }
}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        request.removeAllListeners('data')
        request.resume()
        reject(new Error('body too large'))
      } else chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

function redirect(response: ServerResponse, location: string, cookie?: string): void {
  response.writeHead(303, {location, 'cache-control': 'no-store', ...(cookie ? {'set-cookie': cookie} : {})})
  response.end()
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store'})
  response.end(`${text}\n`)
}
