/**
 * serveWeb over HTTP, as mounted in the real `logs serve`: the shell and its security
 * headers, hashed assets with long-lived caching and ETags, gzip, the login/logout cookie
 * and its guards (no open redirect, no cross-site login), and 404 for what is not a page.
 */
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {gunzipSync} from 'node:zlib'
import {request} from 'node:http'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../../helpers/cli.js'
import {sandbox, startRelay, type RunningRelay, type Sandbox} from './web-harness.js'

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** Raw HTTP (fetch would follow redirects and decompress). */
function call(base: string, path: string, options: {method?: string; headers?: Record<string, string>; body?: string} = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), {method: options.method ?? 'GET', headers: options.headers}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks)}))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

describe('serveWeb in logs serve', () => {
  let box: Sandbox
  let relay: RunningRelay
  const script = readdirSync(join(ROOT, 'web', 'dist', 'assets')).find((name) => /^app-[A-Z0-9]+\.js$/.test(name))!

  beforeAll(async () => {
    box = sandbox()
    relay = await startRelay(box, {token: 'tok'})
  })

  afterAll(async () => {
    await relay?.stop()
    box?.cleanup()
  })

  it('answers /, /jobs/:id and /login with the HTML shell, revalidated, under a strict CSP', async () => {
    for (const path of ['/', '/jobs/build-42', '/jobs/a.b_c-d', '/login?next=/']) {
      const answer = await call(relay.url, path)
      expect(answer.status, path).toBe(200)
      expect(answer.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(answer.headers['cache-control']).toBe('no-cache')
      expect(answer.headers['content-security-policy']).toContain("script-src 'self'")
      expect(answer.headers['x-content-type-options']).toBe('nosniff')
      expect(answer.body.toString()).toContain(`/assets/${script}`)
    }
  })

  it('does not own other paths: bad job ids, unknown assets, other methods', async () => {
    for (const path of ['/jobs/-bad', '/jobs/a%2Fb', '/jobs/x/y', '/nope', '/assets/missing.js', '/assets/..%2Findex.html']) {
      expect((await call(relay.url, path)).status, path).toBe(404)
    }
    expect((await call(relay.url, '/', {method: 'DELETE'})).status).toBe(404)
  })

  it('serves hashed assets for a year, with ETag, 304 and gzip', async () => {
    const answer = await call(relay.url, `/assets/${script}`, {headers: {'accept-encoding': 'gzip'}})
    expect(answer.status).toBe(200)
    expect(answer.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(answer.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(answer.body).length).toBeGreaterThan(answer.body.length)
    const etag = String(answer.headers.etag)
    expect((await call(relay.url, `/assets/${script}`, {headers: {'if-none-match': etag}})).status).toBe(304)
    const css = readdirSync(join(ROOT, 'web', 'dist', 'assets')).find((name) => name.endsWith('.css'))!
    expect((await call(relay.url, `/assets/${css}`)).headers['content-type']).toBe('text/css; charset=utf-8')
    const head = await call(relay.url, `/assets/${script}`, {method: 'HEAD'})
    expect(head.status).toBe(200)
    expect(head.body.length).toBe(0)
  })

  it('POST /login sets the HttpOnly SameSite=Strict cookie the relay accepts, and redirects only on this site', async () => {
    const host = new URL(relay.url).host
    const form = (token: string, next: string) => `token=${encodeURIComponent(token)}&next=${encodeURIComponent(next)}`
    const login = await call(relay.url, '/login', {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded', origin: relay.url},
      body: form('tok', '/jobs/x#L2'),
    })
    expect(login.status).toBe(303)
    expect(login.headers.location).toBe('/jobs/x#L2')
    const cookie = String(login.headers['set-cookie'])
    expect(cookie).toMatch(/^logs_token=tok; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/)
    expect((await call(relay.url, '/v1/jobs', {headers: {cookie: 'logs_token=tok'}})).status).toBe(200)
    expect((await call(relay.url, '/v1/jobs')).status).toBe(401)

    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const answer = await call(relay.url, '/login', {method: 'POST', headers: {host}, body: form('tok', next)})
      expect(answer.headers.location, next).toBe('/')
    }
    const crossSite = await call(relay.url, '/login', {method: 'POST', headers: {origin: 'https://evil.example'}, body: form('tok', '/')})
    expect(crossSite.status).toBe(403)
    expect(crossSite.headers['set-cookie']).toBeUndefined()
    const empty = await call(relay.url, '/login', {method: 'POST', headers: {origin: relay.url}, body: form('', '/')})
    expect(empty.headers.location).toBe('/login?failed=1&next=%2F')
    expect(empty.headers['set-cookie']).toBeUndefined()
  })

  it('logout clears the cookie', async () => {
    const answer = await call(relay.url, '/logout', {method: 'POST', headers: {origin: relay.url}})
    expect(answer.status).toBe(303)
    expect(answer.headers.location).toBe('/login')
    expect(String(answer.headers['set-cookie'])).toMatch(/^logs_token=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict$/)
  })
})
