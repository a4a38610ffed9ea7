/**
 * The browser's credential: the relay token in an HttpOnly, SameSite=Strict cookie named
 * `logs_token`, set by the web login form. The relay's auth (../relay/auth.ts) reads it
 * (URI-decoded) where it reads `Authorization: Bearer`, granting reads only; scripts in the
 * page cannot read it, and it never appears in a URL. SameSite=Strict keeps other sites
 * from making the browser send it.
 */
import type {IncomingMessage} from 'node:http'

export const TOKEN_COOKIE = 'logs_token'

/** 30 days: long enough for a dashboard screen, and logout clears it. */
const MAX_AGE_SECONDS = 30 * 24 * 3600

export function setTokenCookie(token: string, secure: boolean): string {
  return serialize(encodeURIComponent(token), MAX_AGE_SECONDS, secure)
}

export function clearTokenCookie(secure: boolean): string {
  return serialize('', 0, secure)
}

/** True when the browser reached us over TLS (directly or through a proxy that says so). */
export function isSecureRequest(request: IncomingMessage): boolean {
  if ((request.socket as {encrypted?: boolean}).encrypted) return true
  return (
    String(request.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]
      .trim() === 'https'
  )
}

function serialize(value: string, maxAge: number, secure: boolean): string {
  return `${TOKEN_COOKIE}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
}
