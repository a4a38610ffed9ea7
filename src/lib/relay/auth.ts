/**
 * Who may do what: `--token` grants everything, `--read-token` grants reads. Tokens come
 * from `Authorization: Bearer …` or, for the web viewer, the HttpOnly cookie `logs_token`.
 * A cookie only ever grants reads: a browser attaches it to cross-site requests too, so a
 * write authorised by a cookie would be open to CSRF.
 *
 * Tokens are compared as SHA-256 digests with timingSafeEqual, so neither the content nor
 * the length of a token leaks through timing. No token configured: everything is open
 * to the programs of this machine (the server then listens on loopback only), not to the
 * web pages its browser shows: a request must name a loopback host (a page that rebinds
 * its DNS name to 127.0.0.1 sends its own name), and a write must not come from a page of
 * another origin (a browser sends a cross-site POST of text/plain without asking first).
 */
import {createHash, timingSafeEqual} from 'node:crypto'
import type {IncomingMessage} from 'node:http'
import {HttpError} from './http-error.js'
import {TOKEN_COOKIE} from '../web/token-cookie.js'

export type Access = 'read' | 'write'

export interface AuthOptions {
  token?: string
  readToken?: string
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

export class Auth {
  private readonly writeDigest: Buffer | undefined
  private readonly readDigest: Buffer | undefined

  constructor({token, readToken}: AuthOptions) {
    this.writeDigest = token ? digest(token) : undefined
    this.readDigest = readToken ? digest(readToken) : undefined
  }

  get enabled(): boolean {
    return this.writeDigest !== undefined || this.readDigest !== undefined
  }

  /** Throws 401 (no or unknown token) or 403 (a token without the needed right). */
  check(request: IncomingMessage, needed: Access): void {
    if (!this.enabled) return checkLocal(request, needed)
    const presented = presentedToken(request)
    if (!presented) throw unauthorized('this relay needs a token: send "Authorization: Bearer TOKEN"')
    const granted = this.grant(presented.token)
    if (!granted) throw unauthorized('the token is not valid for this relay', 'invalid_token')
    const effective: Access = presented.from === 'cookie' ? 'read' : granted
    if (needed === 'write' && effective !== 'write') {
      const why = granted === 'write' ? 'a token from a cookie only grants reads; send it in the Authorization header' : 'this token only grants reads'
      throw new HttpError(403, `forbidden: ${why}`)
    }
  }

  /** Whether the request carries the access `needed` (no token configured: everything is open). */
  allows(request: IncomingMessage, needed: Access): boolean {
    try {
      this.check(request, needed)
      return true
    } catch {
      return false
    }
  }

  private grant(token: string): Access | undefined {
    const presented = digest(token)
    // Both comparisons always run, so timing does not tell which token matched.
    const isWrite = this.writeDigest ? timingSafeEqual(presented, this.writeDigest) : false
    const isRead = this.readDigest ? timingSafeEqual(presented, this.readDigest) : false
    if (isWrite) return 'write'
    if (isRead) return 'read'
    return undefined
  }
}

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/i

/** A relay without a token: a request for a loopback host, and no write from a page of another origin (see the file's comment). */
function checkLocal(request: IncomingMessage, needed: Access): void {
  const {host, origin} = request.headers
  if (host !== undefined && !LOOPBACK_HOST.test(host)) {
    throw new HttpError(
      403,
      `forbidden: this relay has no token, and answers requests for a loopback address only, not for ${JSON.stringify(host)} (give it a --token to serve other names)`,
    )
  }
  if (needed === 'write' && origin !== undefined && origin !== `http://${host}`) {
    throw new HttpError(403, `forbidden: this relay has no token, and takes no writes from a web page of another origin (${JSON.stringify(origin)})`)
  }
}

function unauthorized(message: string, code?: string): HttpError {
  const challenge = code ? `Bearer realm="logs", error="${code}"` : 'Bearer realm="logs"'
  return new HttpError(401, message, {'WWW-Authenticate': challenge})
}

function presentedToken(request: IncomingMessage): {token: string; from: 'header' | 'cookie'} | undefined {
  const header = request.headers.authorization
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    return match ? {token: match[1], from: 'header'} : undefined
  }
  const cookie = readCookie(request.headers.cookie, TOKEN_COOKIE)
  return cookie ? {token: cookie, from: 'cookie'} : undefined
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const index = part.indexOf('=')
    if (index < 0 || part.slice(0, index).trim() !== name) continue
    const value = part.slice(index + 1).trim()
    try {
      return decodeURIComponent(value) || undefined
    } catch {
      return value || undefined
    }
  }
  return undefined
}
