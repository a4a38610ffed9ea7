/**
 * What a `redis://`, `rediss://` or `redis+cluster://` live-store URL means (CLI.md):
 *
 *   redis://[user:pass@]host:port[/db][?prefix=logs:&ttl=7d&maxlen=N&retry-for=1m]
 *   rediss://…                       the same over TLS
 *   redis+cluster://h:p[,h:p…][?…]   Redis Cluster (no db)
 *
 * A URL without a host (`redis://`, `redis:///2`) means "the default Redis": the one in
 * REDIS_URL when that is set (as most Redis tools do), else 127.0.0.1:6379. Options
 * written on the URL itself win over the ones in REDIS_URL.
 */
import {InvalidUrlError, UsageError} from '../../errors/index.js'
import {DURATION_FORMS, parseDuration} from '../../time.js'
import {redactUrl} from '../url.js'
import {retryPolicyOf, type RetryPolicy} from '../retry.js'

export interface RedisNode {
  host: string
  port: number
}

export interface RedisTarget {
  cluster: boolean
  tls: boolean
  nodes: RedisNode[]
  username?: string
  password?: string
  db: number
  /** Key prefix, `logs:` by default. */
  prefix: string
  /** How long the keys of an ended job live (ms); 0 = forever. */
  ttlMs: number
  /** Most lines kept per job (oldest trimmed), undefined = no cap. */
  maxLines?: number
  /** `retry-for`: how long `get -f` and `tail` wait for a Redis that stopped answering (push's writer is not bound by it). */
  followRetry: RetryPolicy
  /** For messages: no password, no query. */
  name: string
}

const DEFAULT_PORT = 6379
const DEFAULT_TTL = '7d'
const OPTIONS = ['prefix', 'ttl', 'maxlen', 'retry-for', 'hosts']
const SCHEMES = new Set(['redis:', 'rediss:', 'redis+cluster:'])

export function parseRedisUrl(url: URL, from: string, env: NodeJS.ProcessEnv = {}): RedisTarget {
  const bad = (reason: string, suggestions: string[] = []) => new InvalidUrlError('live store', from, reason, suggestions)
  for (const key of url.searchParams.keys()) {
    if (!OPTIONS.includes(key)) throw bad(`unknown option ${JSON.stringify(key)} in ${redactUrl(url.href)}`, [`Redis URLs take: ${OPTIONS.slice(0, 4).join(', ')}`])
  }
  const base = url.host === '' ? defaultRedis(env, from) : url
  const cluster = base.protocol === 'redis+cluster:'
  const nodes = (base.searchParams.get('hosts') ?? base.host).split(',').map((hostPort) => parseNode(hostPort, bad))
  const dbText = (url.host === '' && url.pathname.length > 1 ? url.pathname : base.pathname).replace(/^\//, '').replace(/\/$/, '')
  if (dbText !== '' && !/^\d{1,2}$/.test(dbText)) throw bad(`the path /${dbText} is not a database number`, ['write redis://host:6379/2 for database 2'])
  if (cluster && dbText !== '' && dbText !== '0') throw bad('Redis Cluster has only database 0', ['remove the /db part of the redis+cluster:// URL'])
  const option = (name: string) => url.searchParams.get(name) ?? base.searchParams.get(name) ?? undefined
  const username = decodeURIComponent(base.username) || undefined
  const password = decodeURIComponent(base.password) || undefined
  const hostList = nodes.map((n) => `${n.host}:${n.port}`).join(',')
  return {
    cluster,
    tls: base.protocol === 'rediss:',
    nodes,
    username,
    password,
    db: dbText === '' ? 0 : Number(dbText),
    prefix: option('prefix') ?? 'logs:',
    ttlMs: parseTtl(option('ttl') ?? DEFAULT_TTL, bad),
    maxLines: parseMaxLines(option('maxlen'), bad),
    followRetry: retryPolicyOf(url.searchParams.has('retry-for') ? url : base, from),
    name: `${base.protocol}//${username || password ? `${username ?? ''}${password ? ':***' : ''}@` : ''}${hostList}${dbText ? `/${dbText}` : ''}`,
  }
}

function defaultRedis(env: NodeJS.ProcessEnv, from: string): URL {
  const fromEnv = env.REDIS_URL?.trim()
  if (!fromEnv) return new URL(`redis://127.0.0.1:${DEFAULT_PORT}`)
  let url: URL
  try {
    url = new URL(fromEnv)
  } catch {
    throw new InvalidUrlError('live store', `REDIS_URL (used because ${from} names no host)`, `${JSON.stringify(redactUrl(fromEnv))} is not a valid URL`)
  }
  if (!SCHEMES.has(url.protocol) || url.host === '') {
    throw new InvalidUrlError('live store', `REDIS_URL (used because ${from} names no host)`, `${redactUrl(fromEnv)} is not a redis://host:port URL`)
  }
  return url
}

function parseNode(hostPort: string, bad: (reason: string) => Error): RedisNode {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostPort)
  const port = match?.[2] === undefined ? DEFAULT_PORT : Number(match[2])
  if (!match || port < 1 || port > 65_535) throw bad(`${JSON.stringify(hostPort)} is not host:port`)
  return {host: match[1].replace(/^\[|\]$/g, ''), port}
}

function parseTtl(text: string, bad: (reason: string, suggestions?: string[]) => Error): number {
  if (text === '0') return 0
  try {
    return parseDuration(text, 'the ttl option')
  } catch (error) {
    if (error instanceof UsageError) throw bad(`ttl=${text} is not a duration: expected ${DURATION_FORMS}`, ['use ttl=7d, ttl=12h or ttl=0 (never expire)'])
    throw error
  }
}

function parseMaxLines(text: string | undefined, bad: (reason: string, suggestions?: string[]) => Error): number | undefined {
  if (text === undefined || text === '' || text === '0') return undefined
  if (!/^\d+$/.test(text)) throw bad(`maxlen=${text} is not a number of lines`, ['use maxlen=1000000, or leave it out to keep every line'])
  return Number(text)
}
