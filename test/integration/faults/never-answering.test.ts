import {randomBytes} from 'node:crypto'
import {createServer, type AddressInfo, type Socket} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {chunkDir} from '../../../src/lib/archive/chunk-layout.js'
import {S3Bucket} from '../../../src/lib/store/object/s3-bucket.js'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {startFaultProxy, type FaultProxy} from '../../helpers/fault-proxy.js'
import {startTestRelay, type TestRelay} from '../../helpers/relay.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {waitUntil} from '../../helpers/wait.js'

// A store that accepts connections and never answers (a hung server or gateway) must not
// hold push past --drain-timeout: push exits 1 naming the store, its lines stay in the spool,
// and `logs recover` delivers them once the store answers again.
describe('push into a store that never answers', () => {
  let home: {home: string; cleanup: () => void}
  let s3: S3Server
  let proxy: FaultProxy
  let supabase: SupabaseStandin
  let relay: TestRelay
  let relayProxy: FaultProxy
  beforeAll(async () => {
    home = tempHome()
    s3 = await startS3Server()
    await s3.createBucket('hung')
    proxy = await startFaultProxy(s3.endpoint)
    supabase = await startSupabaseStandin()
    relay = await startTestRelay()
    relayProxy = await startFaultProxy(relay.url)
  })
  afterAll(async () => {
    await proxy.stop()
    await s3.destroy()
    await supabase.stop()
    await relayProxy.stop()
    await relay.stop()
    home.cleanup()
  })

  async function pushWhileSilent(job: string, store: string | string[], named: string, env: NodeJS.ProcessEnv, silence: () => void, answer: () => void): Promise<void> {
    const where = typeof store === 'string' ? ['--store', store] : store
    silence()
    const pushed = await runCli(['push', '--job', job, ...where, '--drain-timeout', '2s'], {env, input: 'one\ntwo\nthree\n', timeout: 50_000})
    expect(pushed.code).toBe(1)
    expect(pushed.stderr).toContain(`could not deliver the spooled lines to ${named}`)
    expect(pushed.stderr).toMatch(/logs recover/)
    answer()
    const recovered = await runCli(['recover', job, ...where], {env, timeout: 50_000})
    expect(recovered).toMatchObject({code: 0, stderr: ''})
    expect(recovered.stdout).toBe(`${job}: delivered 3 lines from 1 spool\n`)
    expect((await runCli(['get', job, ...where], {env})).stdout).toBe('one\ntwo\nthree\n')
  }

  it('s3://: exits 1 at the drain timeout naming the store; logs recover delivers the spool', async () => {
    const store = `s3://hung/p?endpoint=${encodeURIComponent(proxy.url)}`
    const env = isolatedEnv(home.home, {...s3.env(), AWS_EC2_METADATA_DISABLED: 'true'})
    await pushWhileSilent(
      'hung-s3',
      store,
      's3://hung/p',
      env,
      () => proxy.inject({kind: 'silence'}),
      () => proxy.clear(),
    )
  })

  it('s3:// whose credentials endpoint never answers: the store never opens; push exits 1 at the drain timeout saying how many lines it could not store', async () => {
    const sockets = new Set<Socket>()
    const silent = createServer((socket) => sockets.add(socket)) // accepts, reads, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const {port} = silent.address() as AddressInfo
      const env = isolatedEnv(home.home, {AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${port}/credentials`, AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-east-1'})
      const store = `s3://hung/creds?endpoint=${encodeURIComponent(s3.endpoint)}`
      const pushed = await runCli(['push', '--job', 'hung-credentials', '--store', store, '--drain-timeout', '2s'], {env, input: 'one\ntwo\n', timeout: 50_000})
      expect(pushed.stderr).toContain('cannot use s3://hung/creds')
      expect(pushed.stderr).toContain('did not open within the drain timeout (2s); 2 lines read meanwhile could not be stored')
      expect(pushed.code).toBe(1)
      await waitUntil(() => sockets.size > 0, {what: 'the credentials request'})
    } finally {
      for (const socket of sockets) socket.destroy()
      silent.close()
    }
  })

  it('supabase://: the same', async () => {
    const env = isolatedEnv(home.home, supabase.env())
    await pushWhileSilent(
      'hung-supabase',
      'supabase://live/hung',
      'supabase://live/hung',
      env,
      () => supabase.inject({kind: 'silence'}),
      () => supabase.faults.clear(),
    )
  })

  // --drain-timeout bounds time without progress, not the whole delivery: a big log into a
  // store that keeps taking it is waited for. Each request is held 700 ms and three are in
  // flight, so 20 MB take at least 4.5 s after the end of input, more than the 3 s timeout
  // (push exited 1 here while it counted from the end of input), while the store takes a batch
  // every few hundred ms: over 2 s of slack, as a loaded machine needs (at 2 s it once gave up).
  it('push --url: a big log into a slow relay that keeps taking it is delivered past --drain-timeout, not given up on', async () => {
    const env = isolatedEnv(home.home)
    const line = `${'x'.repeat(90)}\n`
    const lines = Math.floor((20 * 1024 * 1024) / line.length)
    relayProxy.inject({kind: 'slow', ms: 700}, {match: (method, path) => method !== 'GET' && path === '/v1/jobs/slow-relay/logs'})
    try {
      const pushed = await runCli(['push', '--job', 'slow-relay', '--url', relayProxy.url, '--drain-timeout', '3s'], {env, input: line.repeat(lines), timeout: 90_000})
      expect(pushed.stderr).toBe('')
      expect(pushed.code).toBe(0)
    } finally {
      relayProxy.clear()
    }
    const listed = JSON.parse((await runCli(['ls', '--json', '--url', relay.url], {env})).stdout) as Array<{id: string; lines: number; status: string}>
    expect(listed.find((job) => job.id === 'slow-relay')).toMatchObject({lines, status: 'ended'})
  })

  // At EOF an object store assembles the job's chunks into its object, for as long as the log's
  // size takes: each chunk read (and the upload, and its reading back) is progress. Six chunks,
  // each read held 1 s, take 6 s, more than the 3 s timeout (push exited 1 here while the
  // assembly was one step without progress), while a chunk is read every second.
  it('s3://: an assembly at EOF that takes longer than --drain-timeout while it reads chunk after chunk is waited for', async () => {
    const job = 'slow-assembly'
    const store = `s3://hung/slow?endpoint=${encodeURIComponent(proxy.url)}`
    const env = isolatedEnv(home.home, {...s3.env(), AWS_EC2_METADATA_DISABLED: 'true'})
    const bucket = new S3Bucket({client: s3.client(), bucket: 'hung', prefix: 'slow'})
    const chunks = async () => {
      let n = 0
      for await (const object of bucket.list(chunkDir(job))) if (object.key.endsWith('.jsonl.gz')) n++
      return n
    }
    proxy.inject({kind: 'slow', ms: 1000}, {match: (method, path) => method === 'GET' && path.includes(`/.chunks/${job}/`) && path.endsWith('.jsonl.gz')})
    try {
      const push = startCli(['push', '--job', job, '--store', store, '--flush-interval', '50ms', '--drain-timeout', '3s'], {env})
      const pushed = collect(push, 90_000)
      for (let i = 1; i <= 6; i++) {
        push.stdin!.write(`line ${i}\n`)
        await waitUntil(async () => (await chunks()) === i, {what: `chunk ${i} stored`})
      }
      push.stdin!.end()
      const result = await pushed
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
    } finally {
      proxy.clear()
      await bucket.close()
    }
    expect((await runCli(['get', job, '--store', store], {env})).stdout).toBe('line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n')
  })

  it('s3://: an assembly at EOF whose chunk reads are never answered still fails at --drain-timeout; logs recover finishes it', async () => {
    const job = 'hung-assembly'
    const store = `s3://hung/slow?endpoint=${encodeURIComponent(proxy.url)}`
    const env = isolatedEnv(home.home, {...s3.env(), AWS_EC2_METADATA_DISABLED: 'true'})
    proxy.inject({kind: 'silence'}, {match: (method, path) => method === 'GET' && path.includes(`/.chunks/${job}/`) && path.endsWith('.jsonl.gz')})
    const pushed = await runCli(['push', '--job', job, '--store', store, '--drain-timeout', '2s'], {env, input: 'one\ntwo\n', timeout: 50_000})
    proxy.clear()
    expect(pushed.stderr).toContain('could not deliver the spooled lines to s3://hung/slow: it took none for 2s')
    expect(pushed.code).toBe(1)
    expect(await runCli(['recover', job, '--store', store], {env, timeout: 50_000})).toMatchObject({code: 0, stderr: ''})
    expect((await runCli(['get', job, '--store', store], {env})).stdout).toBe('one\ntwo\n')
  })

  // The upload of the assembled object is progress too, part by part: two 5 MiB parts, each
  // held 2 s, then the completion held 2 s, take some 4 s with nothing read from the chunks nor
  // the encoder (push exited 1 here at the 3 s timeout while the upload was one step without
  // progress), while the store takes a part, then completes the upload, within 2 s each.
  const partSize = 5 * 1024 * 1024
  // Random base64, which gzip cannot shrink below a part. About one such log in 200 holds a
  // Google-API-key-shaped run ('AIza' and 35 letters or digits after a line start, '+' or '/'),
  // which the default detectors mask at capture as documented: so these pushes pass
  // --no-mask-defaults, or get prints that line with *** and the comparison fails by chance.
  const bigLog = (bytes = 1.3 * partSize) => {
    const lines = randomBytes(bytes)
      .toString('base64')
      .match(/.{1,100}/g)!
    return `${lines.join('\n')}\n`
  }
  const finalObject = (job: string) => (method: string, path: string, url: string) =>
    path.endsWith(`/${job}.jsonl.zst`) && url.includes(method === 'PUT' ? 'partNumber=' : 'uploadId=')

  it('s3://: an upload of the assembled object that takes longer than --drain-timeout while the store takes part after part is waited for', async () => {
    const job = 'slow-upload'
    const store = `s3://hung/slow?endpoint=${encodeURIComponent(proxy.url)}&part-size=${partSize}`
    const env = isolatedEnv(home.home, {...s3.env(), AWS_EC2_METADATA_DISABLED: 'true'})
    const input = bigLog()
    proxy.inject({kind: 'slow', ms: 2000}, {match: finalObject(job)})
    try {
      const pushed = await runCli(['push', '--job', job, '--store', store, '--drain-timeout', '3s', '--no-mask-defaults'], {env, input, timeout: 90_000})
      expect(pushed.stderr).toBe('')
      expect(pushed.code).toBe(0)
      expect(proxy.faults.served).toBeGreaterThanOrEqual(3) // both parts and the completion were held
    } finally {
      proxy.clear()
    }
    const got = await runCli(['get', job, '--store', store], {env, timeout: 60_000})
    expect(sameLog(got.stdout, input)).toBe('same')
  })

  // The upload of a chunk is progress too, part by part. A chunk holds up to 8 MiB of lines, so
  // a log of 2.5 parts of random bytes ships chunks of two parts: the parts, each held 6 s, then
  // the completion held 6 s, take 12 s before a chunk is applied (push exited 1 here at the 10 s
  // timeout), while the store takes the parts, then completes the chunk, within 6 s each. The
  // 4 s left are for encoding a part, or completing the upload, on a loaded machine (at load 8,
  // 1.5 s and then 3 s were not).
  it('s3://: a chunk upload that takes longer than --drain-timeout while the store takes part after part is waited for', async () => {
    const job = 'slow-chunk'
    const store = `s3://hung/slow?endpoint=${encodeURIComponent(proxy.url)}&part-size=${partSize}`
    const env = isolatedEnv(home.home, {...s3.env(), AWS_EC2_METADATA_DISABLED: 'true'})
    const input = bigLog(2.5 * partSize)
    const chunkParts = (method: string, path: string, url: string) => path.includes(`/.chunks/${job}/`) && url.includes(method === 'PUT' ? 'partNumber=' : 'uploadId=')
    proxy.inject({kind: 'slow', ms: 6000}, {match: chunkParts})
    try {
      const pushed = await runCli(['push', '--job', job, '--store', store, '--drain-timeout', '10s', '--no-mask-defaults'], {env, input, timeout: 90_000})
      expect(pushed.stderr).toBe('')
      expect(pushed.code).toBe(0)
      expect(proxy.faults.served).toBeGreaterThanOrEqual(3) // a chunk's parts and its completion were held
    } finally {
      proxy.clear()
    }
    const got = await runCli(['get', job, '--store', store], {env, timeout: 60_000})
    expect(sameLog(got.stdout, input)).toBe('same')
  })

  // A timeout long enough that push gives up in the upload it names, not before: on a loaded
  // machine (load 13 on 2 cores) a 3 s timeout ran out mid-append in a third of the runs, while
  // the first chunk was encoded, and the hung upload went untested (recover delivered all the same).
  it('s3://: an upload of the assembled object whose parts are never answered still fails at --drain-timeout; logs recover finishes it', async () => {
    const job = 'hung-upload'
    const store = `s3://hung/slow?endpoint=${encodeURIComponent(proxy.url)}&part-size=${partSize}`
    const env = isolatedEnv(home.home, {...s3.env(), AWS_EC2_METADATA_DISABLED: 'true'})
    const input = bigLog()
    const held = proxy.faults.served
    proxy.inject({kind: 'silence'}, {match: finalObject(job)})
    const pushed = await runCli(['push', '--job', job, '--store', store, '--drain-timeout', '10s', '--no-mask-defaults'], {env, input, timeout: 90_000})
    proxy.clear()
    expect(pushed.stderr).toContain('could not deliver the spooled lines to s3://hung/slow: it took none for 10s')
    expect(pushed.code).toBe(1)
    expect(proxy.faults.served).toBeGreaterThan(held) // it gave up in the upload of the assembled object
    expect(await runCli(['recover', job, '--store', store], {env, timeout: 90_000})).toMatchObject({code: 0, stderr: ''})
    const got = await runCli(['get', job, '--store', store], {env, timeout: 60_000})
    expect(sameLog(got.stdout, input)).toBe('same')
  })

  it('push --url: a relay that never answers; the same', async () => {
    await pushWhileSilent(
      'hung-relay',
      ['--url', relayProxy.url],
      `relay ${relayProxy.url}`,
      isolatedEnv(home.home),
      () => relayProxy.inject({kind: 'silence'}),
      () => relayProxy.clear(),
    )
  })
})

/** 'same', or where two big logs first differ (their sizes and line counts, and that line of each), short enough for an assertion's message. */
function sameLog(got: string, want: string): string {
  if (got === want) return 'same'
  const gotLines = got.split('\n')
  const wantLines = want.split('\n')
  const differs = wantLines.findIndex((line, i) => gotLines[i] !== line)
  const at = differs === -1 ? wantLines.length : differs // got has lines past want's end
  const cut = (line: string | undefined): string => (line === undefined ? '(none)' : line.slice(0, 80))
  return `got ${got.length} bytes in ${gotLines.length} lines, want ${want.length} in ${wantLines.length}; first difference at line ${at + 1}: got ${cut(gotLines[at])}, want ${cut(wantLines[at])}`
}
