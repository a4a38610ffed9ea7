/** SIGTERM to `logs serve`: followers closed without `end`, a running upload finishes, then it dies of SIGTERM (143 in a shell; a clean stop for systemd). */
import {request as httpRequest} from 'node:http'
import {expect, it} from 'vitest'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {openRawStream, raw, startServeCli} from '../../helpers/relay.js'
import {waitUntil} from '../../helpers/wait.js'

it('shuts down gracefully on SIGTERM', async () => {
  const home = tempHome()
  try {
    const env = isolatedEnv(home.home)
    const server = await startServeCli([], env)
    expect((await raw(`${server.url}/v1/jobs/bye-1/logs`, {method: 'POST', body: 'one\n'})).status).toBe(200)
    const follower = openRawStream(`${server.url}/v1/jobs/bye-1/logs/stream`)
    await waitUntil(() => follower.events().some((e) => e.event === 'log'))

    // An upload in flight when the signal comes.
    const upload = new Promise<{status: number; body: string}>((resolve, reject) => {
      const req = httpRequest(`${server.url}/v1/jobs/bye-1/logs`, {method: 'POST', agent: false, headers: {'Transfer-Encoding': 'chunked'}}, (res) => {
        let body = ''
        res.on('data', (c) => (body += c))
        res.on('end', () => resolve({status: res.statusCode!, body}))
      })
      req.on('error', reject)
      req.write('two\n')
      // The relay appends a body's lines when it ends: /metrics tells when the upload is in, then the
      // follower's stream closing tells the shutdown has begun, the upload still open.
      void waitUntil(async () => /^logs_relay_uploads_in_flight 1$/m.test((await raw(`${server.url}/metrics`)).body), {what: 'the upload in flight'})
        .then(() => {
          server.child.kill('SIGTERM')
          return follower.closed
        })
        .then(() => req.end('three\n'), reject)
    })
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => server.child.once('exit', (code, signal) => resolve([code, signal])))
    const uploaded = await upload
    expect(uploaded.status).toBe(200)
    expect(JSON.parse(uploaded.body)).toMatchObject({first: 2, last: 3})
    await follower.closed
    expect(follower.events().map((e) => e.event)).not.toContain('end')
    expect(await exited).toEqual([null, 'SIGTERM']) // before: exit 143
    await expect(raw(`${server.url}/healthz`)).rejects.toThrow(/ECONNREFUSED/)
    expect((await runCli(['get', 'bye-1', '--output', 'raw'], {env})).stdout).toBe('one\ntwo\nthree\n')
  } finally {
    home.cleanup()
  }
})
