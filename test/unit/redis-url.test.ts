import {describe, expect, it} from 'vitest'
import {InvalidUrlError} from '../../src/lib/errors/index.js'
import {jobKeys} from '../../src/lib/store/redis/keys.js'
import {parseRedisUrl} from '../../src/lib/store/redis/url.js'
import {parseStoreUrl} from '../../src/lib/store/url.js'

const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseRedisUrl(parseStoreUrl({value: text, from: '--store'}, 'live store'), '--store', env)

describe('redis store URLs', () => {
  it('reads host, port, db, credentials and options', () => {
    const target = parse('redis://worker:s3cret@redis.internal:6380/2?prefix=ci:&ttl=12h&maxlen=1000')
    expect(target).toMatchObject({cluster: false, tls: false, nodes: [{host: 'redis.internal', port: 6380}], db: 2, username: 'worker', password: 's3cret'})
    expect(target).toMatchObject({prefix: 'ci:', ttlMs: 12 * 3_600_000, maxLines: 1000})
    expect(target.name).toBe('redis://worker:***@redis.internal:6380/2')
  })

  it('defaults: port 6379, prefix logs:, ttl 7d, no cap', () => {
    expect(parse('redis://h')).toMatchObject({nodes: [{host: 'h', port: 6379}], db: 0, prefix: 'logs:', ttlMs: 7 * 86_400_000, maxLines: undefined})
  })

  it('a URL without a host means REDIS_URL, else 127.0.0.1:6379', () => {
    expect(parse('redis://').nodes).toEqual([{host: '127.0.0.1', port: 6379}])
    expect(parse('redis:///3').db).toBe(3)
    const fromEnv = parse('redis://?prefix=x:', {REDIS_URL: 'rediss://:pw@cache:7000/1?ttl=1d'})
    expect(fromEnv).toMatchObject({tls: true, nodes: [{host: 'cache', port: 7000}], db: 1, password: 'pw', prefix: 'x:', ttlMs: 86_400_000})
    expect(fromEnv.name).not.toContain('pw')
  })

  it('retry-for: how long a follower waits for Redis (default 1m), here or in REDIS_URL', () => {
    expect(parse('redis://h').followRetry.budgetMs).toBe(60_000)
    expect(parse('rediss://h:1?retry-for=3s').followRetry.budgetMs).toBe(3000)
    expect(parse('redis+cluster://a:1,b:2?retry-for=2m').followRetry.budgetMs).toBe(120_000)
    expect(parse('redis://', {REDIS_URL: 'redis://cache:7000?retry-for=90s'}).followRetry.budgetMs).toBe(90_000)
    expect(() => parse('redis://h?retry-for=2')).toThrow(/invalid duration "2" for retry-for in --store/)
  })

  it('rediss:// is TLS', () => {
    expect(parse('rediss://h:1').tls).toBe(true)
  })

  it('redis+cluster:// takes a list of nodes', () => {
    const target = parse('redis+cluster://u:pw@10.0.0.1:7000,10.0.0.2:7001,10.0.0.3?prefix=p:')
    expect(target.cluster).toBe(true)
    expect(target.nodes).toEqual([
      {host: '10.0.0.1', port: 7000},
      {host: '10.0.0.2', port: 7001},
      {host: '10.0.0.3', port: 6379},
    ])
    expect(target.prefix).toBe('p:')
    expect(target.name).toBe('redis+cluster://u:***@10.0.0.1:7000,10.0.0.2:7001,10.0.0.3:6379')
  })

  it('rejects bad options as usage errors naming where the URL came from', () => {
    for (const text of ['redis://h?ttl=soon', 'redis://h?maxlen=-1', 'redis://h?prefx=a', 'redis://h/abc', 'redis+cluster://a:1,b:2/3']) {
      let error: unknown
      try {
        parse(text)
      } catch (caught) {
        error = caught
      }
      expect(error, text).toBeInstanceOf(InvalidUrlError)
      expect((error as InvalidUrlError).exitCode).toBe(2)
      expect((error as Error).message).toContain('--store')
    }
  })

  it('keys of one job share a hash tag', () => {
    const keys = jobKeys('logs:', 'build-42')
    expect(Object.values(keys).every((key) => key.startsWith('logs:{build-42}:'))).toBe(true)
  })
})
