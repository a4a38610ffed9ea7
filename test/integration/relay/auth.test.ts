/** Bearer tokens, the read token, the web viewer's cookie, CORS — and `logs serve` without a token. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {waitUntil} from '../../helpers/wait.js'
import {raw, startServeCli, startTestRelay, stopServeCli, type TestRelay} from '../../helpers/relay.js'

const WRITE = 'write-secret-token'
const READ = 'read-secret-token'

let t: TestRelay
beforeAll(async () => {
  t = await startTestRelay({token: WRITE, readToken: READ, cors: 'https://viewer.example'})
  await t.store.startJob('auth-1')
})
afterAll(async () => {
  await t.stop()
})

const bearer = (token: string) => ({Authorization: `Bearer ${token}`})

describe('tokens', () => {
  it('refuses a missing or wrong token with 401 and a Bearer challenge', async () => {
    for (const headers of [{}, bearer('wrong'), bearer(`${WRITE}x`), bearer(WRITE.slice(0, -1)), {Authorization: `Basic ${WRITE}`}]) {
      const response = await raw(`${t.url}/v1/jobs`, {headers})
      expect(response.status).toBe(401)
      expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="logs"/)
      expect(response.json().error).not.toContain(WRITE)
    }
    expect((await raw(`${t.url}/v1/jobs/auth-1/logs/stream`)).status).toBe(401)
    expect((await raw(`${t.url}/metrics`)).status).toBe(401)
    expect((await raw(`${t.url}/healthz`)).status).toBe(200)
  })

  it('lets the read token read but not write (403)', async () => {
    expect((await raw(`${t.url}/v1/jobs`, {headers: bearer(READ)})).status).toBe(200)
    const post = await raw(`${t.url}/v1/jobs/auth-1/logs`, {method: 'POST', body: 'nope\n', headers: bearer(READ)})
    expect(post.status).toBe(403)
    expect(post.json().error).toMatch(/only grants reads/)
    expect((await t.store.getJob('auth-1'))?.lines).toBe(0)
    expect((await raw(`${t.url}/v1/jobs/auth-1`, {method: 'DELETE', headers: bearer(READ)})).status).toBe(403)
  })

  it('lets the write token do both', async () => {
    expect((await raw(`${t.url}/v1/jobs/auth-1/logs`, {method: 'POST', body: 'yes\n', headers: bearer(WRITE)})).status).toBe(200)
    expect((await raw(`${t.url}/v1/jobs/auth-1/logs`, {headers: bearer(WRITE)})).json().entries).toHaveLength(1)
  })

  it('checks the token before the job id, so a stranger learns nothing', async () => {
    expect((await raw(`${t.url}/v1/jobs/-bad-id`)).status).toBe(401)
    expect((await raw(`${t.url}/v1/jobs/-bad-id`, {headers: bearer(READ)})).status).toBe(400)
  })

  it('accepts the logs_token cookie for reads only (no CSRF writes)', async () => {
    expect((await raw(`${t.url}/v1/jobs`, {headers: {Cookie: `theme=dark; logs_token=${READ}`}})).status).toBe(200)
    expect((await raw(`${t.url}/v1/jobs`, {headers: {Cookie: 'logs_token=wrong'}})).status).toBe(401)
    const post = await raw(`${t.url}/v1/jobs/auth-1/logs`, {method: 'POST', body: 'csrf\n', headers: {Cookie: `logs_token=${WRITE}`}})
    expect(post.status).toBe(403)
    expect(post.json().error).toMatch(/cookie only grants reads/)
  })

  it('answers CORS preflights for the allowed origin only', async () => {
    const allowed = await raw(`${t.url}/v1/jobs/auth-1/logs/stream`, {method: 'OPTIONS', headers: {Origin: 'https://viewer.example', 'Access-Control-Request-Method': 'GET'}})
    expect(allowed.status).toBe(204)
    expect(allowed.headers['access-control-allow-origin']).toBe('https://viewer.example')
    expect(allowed.headers['access-control-allow-headers']).toMatch(/Authorization/)
    const other = await raw(`${t.url}/v1/jobs`, {headers: {Origin: 'https://evil.example', ...bearer(READ)}})
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
  })
})

describe('logs serve without a token', () => {
  it('listens on loopback only and warns; refuses another host', async () => {
    const {home, cleanup} = tempHome()
    try {
      const env = isolatedEnv(home)
      const server = await startServeCli([], env)
      try {
        expect(new URL(server.url).hostname).toBe('127.0.0.1')
        await waitUntil(() => /warning: no --token given: listening on 127\.0\.0\.1 \(loopback\) only/.test(server.stderr()), {what: 'the loopback-only warning'})
        expect((await raw(`${server.url}/v1/jobs`)).status).toBe(200)
      } finally {
        await stopServeCli(server)
      }
      const refused = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], {env})
      expect(refused.code).toBe(2)
      expect(refused.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/)
    } finally {
      cleanup()
    }
  })

  it('answers only requests for a loopback host, and takes no write from a page of another origin', async () => {
    const open = await startTestRelay()
    try {
      const port = new URL(open.url).port
      await open.store.startJob('local-1')
      // DNS rebinding: a page whose name now resolves to 127.0.0.1 sends its own name as Host.
      const rebound = await raw(`${open.url}/v1/jobs`, {headers: {Host: `evil.example.com:${port}`}})
      expect(rebound.status).toBe(403)
      expect(rebound.json().error).toMatch(/no token, and answers requests for a loopback address only, not for "evil\.example\.com:\d+"/)
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) expect((await raw(`${open.url}/v1/jobs`, {headers: {Host: host}})).status, host).toBe(200)
      // A cross-site form or fetch of text/plain: the browser sends it without a preflight, with its Origin.
      const forged = await raw(`${open.url}/v1/jobs/forged/logs?end=1&exit-code=0`, {
        method: 'POST',
        body: 'all good\n',
        headers: {Origin: 'http://evil.example.com', 'Content-Type': 'text/plain'},
      })
      expect(forged.status).toBe(403)
      expect(forged.json().error).toMatch(/takes no writes from a web page of another origin \("http:\/\/evil\.example\.com"\)/)
      expect(await open.store.getJob('forged')).toBeUndefined()
      expect((await raw(`${open.url}/v1/jobs/local-1`, {method: 'DELETE', headers: {Origin: 'null'}})).status).toBe(403)
      expect(await open.store.getJob('local-1')).toBeDefined()
      // Reads from another origin are answered (without CORS headers its page cannot read them); writes from the relay's own pages and from programs are taken.
      expect((await raw(`${open.url}/v1/jobs`, {headers: {Origin: 'http://evil.example.com'}})).status).toBe(200)
      expect((await raw(`${open.url}/v1/jobs/local-1/logs`, {method: 'POST', body: 'from its viewer\n', headers: {Origin: open.url}})).status).toBe(200)
      expect((await raw(`${open.url}/v1/jobs/local-1/logs`, {method: 'POST', body: 'from curl\n'})).status).toBe(200)
      expect((await open.store.getJob('local-1'))?.lines).toBe(2)
    } finally {
      await open.stop()
    }
  })

  it('never prints its tokens', async () => {
    const {home, cleanup} = tempHome()
    try {
      const server = await startServeCli(['--host', '127.0.0.1', '--read-token', READ], isolatedEnv(home, {LOGS_TOKEN: WRITE}))
      try {
        await raw(`${server.url}/v1/jobs`, {headers: bearer('wrong')})
        await raw(`${server.url}/v1/jobs/x/logs`, {method: 'POST', body: 'a\n', headers: bearer(READ)})
      } finally {
        await stopServeCli(server)
      }
      expect(server.stdout() + server.stderr()).not.toMatch(new RegExp(`${WRITE}|${READ}`))
      expect(server.stderr()).not.toMatch(/warning/)
    } finally {
      cleanup()
    }
  })
})
