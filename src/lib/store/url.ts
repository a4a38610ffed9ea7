import {homedir} from 'node:os'
import {isAbsolute, resolve} from 'node:path'
import {InvalidUrlError} from '../errors/index.js'
import type {Setting} from '../config.js'

const SECRET_PARAMS = /^(token|password|pass|secret|key|apikey|access[-_]?key|secret[-_]?key|sig|signature)$/i

/** The URL for messages: password and secret-looking query values replaced by `***`. */
export function redactUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return text.replace(/\/\/[^/@]*@/, '//***@')
  }
  if (url.password) url.password = '***'
  for (const key of [...url.searchParams.keys()]) if (SECRET_PARAMS.test(key)) url.searchParams.set(key, '***')
  return url.toString()
}

/** Parses a store/archive URL; errors name the flag, variable or file it came from. */
export function parseStoreUrl(setting: Setting, what: string): URL {
  const text = setting.value.trim()
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) {
    throw new InvalidUrlError(what, setting.from, `${JSON.stringify(redactUrl(text))} has no scheme`, [
      'use file:///abs/dir, redis://host:6379, s3://bucket/prefix, supabase://bucket/prefix or vercel-blob://prefix',
    ])
  }
  if (/^file:(?!\/\/)/i.test(text)) return new URL(`file://${resolve(text.slice(5))}`)
  try {
    return new URL(hostListToParam(text))
  } catch {
    throw new InvalidUrlError(what, setting.from, `${JSON.stringify(redactUrl(text))} is not a valid URL`)
  }
}

/** The directory of a `file:` URL: `file:///abs`, `file:rel` (already made absolute), `file://~/dir`. */
export function fileUrlPath(url: URL): string {
  if (url.host === '~') return resolve(homedir(), decodeURIComponent(url.pathname).replace(/^\//, ''))
  const path = decodeURIComponent(url.pathname)
  return isAbsolute(path) ? path : resolve(path)
}

/**
 * `redis+cluster://h1:7000,h2:7001/…` names several hosts, which WHATWG URL cannot parse:
 * the first stays the URL's host and the whole list moves to the `hosts` query option.
 */
function hostListToParam(text: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*@)?([^/?#@]*,[^/?#@]*)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(text)
  if (!match) return text
  const [, scheme, userinfo = '', hosts, path, query = '', hash = ''] = match
  const first = hosts.split(',')[0]
  const rest = `hosts=${encodeURIComponent(hosts)}`
  return `${scheme}${userinfo}${first}${path || '/'}${query ? `${query}&${rest}` : `?${rest}`}${hash}`
}
