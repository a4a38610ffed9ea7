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

/** A relay with an upload that never ends in flight, sent SIGTERM: the shutdown has begun (its followers closed) and waits for the upload. */
async function heldShutdown(env: NodeJS.ProcessEnv, args: string[]) {
  const server = await startServeCli(args, env)
  expect((await raw(`${server.url}/v1/jobs/held-1/logs`, {method: 'POST', body: 'one\n'})).status).toBe(200)
  const follower = openRawStream(`${server.url}/v1/jobs/held-1/logs/stream`)
  await waitUntil(() => follower.events().some((e) => e.event === 'log'))
  const upload = httpRequest(`${server.url}/v1/jobs/held-1/logs`, {method: 'POST', agent: false, headers: {'Transfer-Encoding': 'chunked'}})
  const cut = new Promise<Error>((resolve) => upload.on('error', resolve))
  upload.write('two\n')
  await waitUntil(async () => /^logs_relay_uploads_in_flight 1$/m.test((await raw(`${server.url}/metrics`)).body), {what: 'the upload in flight'})
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => server.child.once('exit', (code, signal) => resolve([code, signal])))
  server.child.kill('SIGTERM')
  await follower.closed
  return {server, exited, cut}
}

it('--shutdown-grace: a SIGTERM waits that long for an upload that never ends, then closes its connection and dies of SIGTERM', async () => {
  const home = tempHome()
  try {
    const {exited, cut} = await heldShutdown(isolatedEnv(home.home), ['--shutdown-grace', '300ms'])
    expect(await exited).toEqual([null, 'SIGTERM'])
    expect((await cut).message).toMatch(/socket hang up|ECONNRESET/)
  } finally {
    home.cleanup()
  }
})

it('a second SIGTERM while an upload holds the shutdown (--shutdown-grace 1h) ends the relay at once, by SIGTERM', async () => {
  const home = tempHome()
  try {
    const {server, exited, cut} = await heldShutdown(isolatedEnv(home.home), ['--shutdown-grace', '1h'])
    // Before: it waited the hour for the upload.
    server.child.kill('SIGTERM')
    expect(await exited).toEqual([null, 'SIGTERM'])
    expect((await cut).message).toMatch(/socket hang up|ECONNRESET/)
  } finally {
    home.cleanup()
  }
})

it('--shutdown-grace that is not a duration is a usage error (exit 2)', async () => {
  const home = tempHome()
  try {
    const result = await runCli(['serve', '--port', '0', '--shutdown-grace', 'soon'], {env: isolatedEnv(home.home)})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^logs: invalid duration "soon" for --shutdown-grace: expected a number with a unit/)
  } finally {
    home.cleanup()
  }
})
