/**
 * The web viewer's entry point in the relay. The relay's router hands over every request
 * outside /v1, /healthz and /metrics; this answers
 *
 *   GET  /              jobs list   ┐ the same HTML shell; the script picks the page
 *   GET  /jobs/:id      viewer      │ by path and reads everything from /v1 with the
 *   GET  /login         login form  ┘ HttpOnly token cookie
 *   POST /login         sets the cookie, 303 to `next`
 *   POST /logout        clears it (GET too, for a typed URL)
 *   GET  /assets/*      the built script and styles (web/dist)
 *
 * and returns false for anything else, so the relay answers 404.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'
import {isJobId} from '../job-id.js'
import {StaticAssets} from './static-assets.js'
import {handleLogin, handleLogout} from './web-login.js'

/** The page loads nothing from elsewhere; log text is only ever set as text, and CSP backs that up. */
const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on the login form's POST.
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
}

export interface WebHandlerOptions {
  /** The built page (default: web/dist of this package). */
  root?: string
}

export type WebHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>

export function createWebHandler(options: WebHandlerOptions = {}): WebHandler {
  const assets = new StaticAssets(options.root)
  return async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://relay').pathname
    const method = request.method ?? 'GET'
    const read = method === 'GET' || method === 'HEAD'

    if (path === '/login' && method === 'POST') {
      await handleLogin(request, response)
      return true
    }
    if (path === '/logout' && (method === 'POST' || method === 'GET')) {
      handleLogout(request, response)
      return true
    }
    if (!read) return false
    if (path.startsWith('/assets/')) return assets.sendAsset(path.slice('/assets/'.length), request, response)
    if (path === '/' || path === '/login' || isJobPage(path)) {
      if (await assets.sendShell(request, response, PAGE_HEADERS)) return true
      response.writeHead(503, {'content-type': 'text/plain; charset=utf-8'})
      response.end('The web viewer was not built (web/dist is missing): run npm run build.\n')
      return true
    }
    return false
  }
}

function isJobPage(path: string): boolean {
  const match = /^\/jobs\/([^/]+)\/?$/.exec(path)
  if (!match) return false
  try {
    return isJobId(decodeURIComponent(match[1]))
  } catch {
    return false
  }
}

/** The relay calls this for requests it does not own; false means "not mine" (404). */
export const serveWeb: WebHandler = createWebHandler()
