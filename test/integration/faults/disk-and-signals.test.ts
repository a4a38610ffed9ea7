/**
 * Faults of the disk and of signals (issue 18, items 3, 4, 5, 7), with the built CLI:
 * a store on a full or read-only tmpfs (where mounting is not allowed: a file-size limit
 * and a path under a file instead), an impossible store path, readers of a job that a
 * killed writer left half-indexed, and SIGTERM while push waits for a store that is down.
 */
import {spawn} from 'node:child_process'
import {createServer} from 'node:http'
import {appendFileSync, existsSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, ROOT, collect, runCli, startCli} from '../../helpers/cli.js'
import {freePort, listenOnLoopback} from '../../helpers/free-port.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {smallDisk, type SmallDisk} from '../../helpers/small-disk.js'
import {waitUntil} from '../../helpers/wait.js'

const home = useIsolatedHome()
const LINES = 200_000
const input = Array.from({length: LINES}, (_, i) => `${i + 1}`).join('\n') + '\n'

let disk: SmallDisk
beforeAll(() => {
  disk = smallDisk()
})
afterAll(() => disk?.destroy())

/** `push --tee` of 200 000 lines into `store`; `fileLimitKiB` runs it under RLIMIT_FSIZE. */
async function teePush(store: string, job: string, fileLimitKiB?: number) {
  const args = ['push', '--job', job, '--tee', '--store', store]
  const child = fileLimitKiB
    ? spawn('sh', ['-c', `ulimit -f ${fileLimitKiB}; exec "$0" "$@"`, process.execPath, BIN, ...args], {cwd: ROOT, env: home.env})
    : startCli(args, {env: home.env})
  const done = collect(child, 30_000)
  child.stdin!.on('error', () => undefined)
  child.stdin!.end(input)
  return done
}

describe('push --tee whatever the store does', () => {
  it('an impossible store path (file:///proc/nope) fails at once naming it, after teeing every byte', async () => {
    const result = await teePush('file:///proc/nope', 'proc')
    expect(result.signal).toBeNull() // it used to spin at full CPU until killed
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('/proc/nope')
    expect(result.stdout).toBe(input)
  })

  it('a store on a full disk: every byte teed to EOF, exit 1 naming the store', async () => {
    let store = `file://${disk.dir}/full-store`
    let result
    if (disk.mounted) {
      disk.fill()
      result = await teePush(store, 'full')
    } else {
      store = `file://${home.home}/limited-store`
      result = await teePush(store, 'full', 64)
    }
    expect(result.stdout).toBe(input)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(store)
    expect(result.stderr).toMatch(/ENOSPC|EFBIG|no space|too large/)
  })

  it('a store on a read-only disk (or under a file): every byte teed to EOF, exit 1 naming the store', async () => {
    let store = `file://${disk.dir}/ro-store`
    if (disk.mounted) disk.readOnly()
    else {
      writeFileSync(`${home.home}/a-file`, '')
      store = `file://${home.home}/a-file/store`
    }
    try {
      const result = await teePush(store, 'ro')
      expect(result.stdout).toBe(input)
      expect(result.code).toBe(1)
      expect(result.stderr).toContain(store)
    } finally {
      if (disk.mounted) disk.writable()
    }
  })
})

describe('readers never write', () => {
  it('get, ls, sections and tail --no-follow on a store never written create nothing', async () => {
    const root = join(home.home, 'never-written')
    const env = {...home.env, LOGS_STORE: `file://${root}`}
    const listed = await runCli(['ls', '--json'], {env})
    expect(listed.stdout.trim()).toBe('[]')
    expect(listed.code).toBe(0)
    for (const args of [
      ['get', 'nope'],
      ['sections', 'nope'],
      ['tail', 'nope', '--no-follow', '--no-wait'],
    ]) {
      const result = await runCli(args, {env})
      expect(result.stderr).toContain('nope')
      expect(result.code).toBe(1)
    }
    expect(existsSync(root)).toBe(false)
  })

  it('get, ls and tail read a job a killed writer left half-indexed on a full, then a read-only disk; the next push indexes the rest', async () => {
    disk.destroy() // a fresh, empty disk
    disk = smallDisk()
    const dir = disk.mounted ? disk.dir : home.home
    const env = {...home.env, LOGS_STORE: `file://${dir}/reader-store`}
    const lines = Array.from({length: 1000}, (_, i) => `line ${i + 1}`)
    const pushed = await runCli(['push', '--job', 'half'], {env, input: `${lines.join('\n')}\n`})
    expect(pushed.code).toBe(0)
    // What a writer killed between writing the log and its index leaves: bytes no record covers.
    const orphans = Array.from({length: 500}, (_, i) => `orphan ${i + 1}`)
    appendFileSync(`${dir}/reader-store/jobs/half/log`, `${orphans.join('\n')}\n`)
    const read = async () => {
      const got = await runCli(['get', 'half'], {env})
      expect(got.stderr).toBe('')
      expect(got.code).toBe(0)
      expect(got.stdout).toBe(`${lines.join('\n')}\n`)
      const listed = await runCli(['ls', '--json'], {env})
      expect(listed.code).toBe(0)
      const tailed = await runCli(['tail', 'half', '-n', '2', '--no-follow'], {env})
      expect(tailed.code).toBe(0)
      expect(tailed.stdout).toBe('line 999\nline 1000\n')
      const raw = await runCli(['get', 'half', '--output', 'raw', '-n', '1'], {env})
      expect(raw).toMatchObject({stdout: 'line 1000\n', stderr: '', code: 0})
    }
    if (disk.mounted) {
      disk.fill()
      await read()
      disk.readOnly()
      try {
        await read()
      } finally {
        disk.writable()
      }
      disk.free()
    } else await read()
    const next = await runCli(['push', '--job', 'half', '--exit-code', '0'], {env, input: 'after\n'})
    expect(next.code).toBe(0)
    expect((await runCli(['get', 'half'], {env})).stdout).toBe(`${[...lines, ...orphans, 'after'].join('\n')}\n`)
  })

  for (const args of [['get', '-f'], ['tail']]) {
    it(`${args[0]} waiting for a job on a read-only store: waits without touching it, then prints the job once a writer starts it`, async () => {
      const dir = disk.mounted ? disk.dir : home.home
      const root = `${dir}/wait-store-${args[0]}`
      const env = {...home.env, LOGS_STORE: `file://${root}`}
      expect((await runCli(['push', '--job', 'earlier', '--exit-code', '0'], {env, input: 'x\n'})).code).toBe(0)
      const before = tree(root)
      const job = `later-${args[0]}`
      if (disk.mounted) disk.readOnly()
      let follower
      try {
        follower = startCli([args[0], job, ...args.slice(1)], {env})
        let stderr = ''
        follower.stderr!.on('data', (d: Buffer) => (stderr += d))
        const done = collect(follower, 30_000)
        await waitUntil(() => stderr.includes(`waiting for job ${job} to start`), {
          what: 'the waiting notice',
          failed: () => (follower!.exitCode === null ? undefined : `exited: ${stderr}`),
        })
        // The follower is inside its wait now; it has made no directory, lock or file.
        expect(tree(root)).toEqual(before)
        expect(follower.exitCode).toBeNull()
        if (disk.mounted) disk.writable()
        expect((await runCli(['push', '--job', job, '--exit-code', '0'], {env, input: 'first\nsecond\n'})).code).toBe(0)
        const result = await done
        expect(result.stdout).toBe('first\nsecond\n')
        expect(result.code).toBe(0)
      } finally {
        if (disk.mounted) disk.writable()
        if (follower?.exitCode === null) follower.kill()
      }
    })
  }
})

/** Every path under `root` with its size and modification time. */
function tree(root: string): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name)
      const info = statSync(path)
      out.push(`${path} ${info.size} ${info.mtimeMs}`)
      if (info.isDirectory()) walk(path)
    }
  }
  walk(root)
  return out
}

describe('signals', () => {
  // 30d: longer than a Node timer can wait (2^31-1 ms); before, such a timer fired at once and push gave up at once.
  it.each(['5m', '30d'])(
    'SIGTERM while push waits (--drain-timeout %s) to deliver to a store that is down: it dies of SIGTERM (143 in a shell), the lines kept in the spool',
    async (timeout) => {
      const env = {...home.env, LOGS_STORE: `redis://127.0.0.1:${await freePort()}`}
      const child = startCli(['push', '--job', `term-drain-${timeout}`, '--drain-timeout', timeout], {env})
      const done = collect(child, 30_000)
      child.stdin!.end('one\ntwo\n')
      // EOF read; push now waits for Redis (the notice says so).
      await new Promise<void>((resolve) => child.stderr!.on('data', (chunk: Buffer) => chunk.toString().includes('unreachable') && resolve()))
      child.kill('SIGTERM')
      const result = await done
      expect([result.code, result.signal], result.stderr).toEqual([null, 'SIGTERM'])
    },
  )

  it('SIGTERM while push reads: it dies of SIGTERM after storing what it read', async () => {
    const env = {...home.env, LOGS_STORE: `file://${home.home}/signal-store`}
    const child = startCli(['push', '--job', 'term-read'], {env})
    const done = collect(child, 30_000)
    child.stdin!.write('first\nsecond\n')
    for (;;) {
      const got = await runCli(['get', 'term-read'], {env})
      if (got.stdout === 'first\nsecond\n') break
    }
    child.kill('SIGTERM')
    const result = await done
    expect([result.code, result.signal], result.stderr).toEqual([null, 'SIGTERM'])
    expect((await runCli(['ls', '--json', '--prefix', 'term-read'], {env})).stdout).toContain('"status": "running"')
  })

  it('run forwards SIGTERM to its command and reports the command status (exit 7), or dies of the signal that killed it (143 in a shell), the job failed with 128+N', async () => {
    const env = {...home.env, LOGS_STORE: `file://${home.home}/run-store`}
    const trapping = startCli(['run', '--job', 'run-trap', '--', 'sh', '-c', 'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.05; done'], {env})
    const trapped = collect(trapping, 30_000)
    await new Promise<void>((resolve) => trapping.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()))
    trapping.kill('SIGTERM')
    const result = await trapped
    expect(result.code).toBe(7)
    expect(result.stdout).toContain('got TERM')
    expect((await runCli(['get', 'run-trap'], {env})).stdout).toContain('got TERM')

    const plain = startCli(['run', '--job', 'run-killed', '--', 'sh', '-c', 'echo ready; exec sleep 30'], {env})
    const killed = collect(plain, 30_000)
    await new Promise<void>((resolve) => plain.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()))
    plain.kill('SIGTERM')
    const died = await killed
    // Before: exit 143, so a shell loop over logs run went on at Ctrl-C.
    expect([died.code, died.signal], died.stderr).toEqual([null, 'SIGTERM'])
    expect(JSON.parse((await runCli(['ls', '--json', '--prefix', 'run-killed'], {env})).stdout)).toMatchObject([{status: 'failed', exitCode: 143}])
  })
})

describe('a signal while a store request is retried', () => {
  it('get against an object store that answers only 503: Ctrl-C ends it at once (death by SIGINT), not after the minute of retries', async () => {
    let requests = 0
    const overloaded = createServer((request, response) => {
      requests++
      request.resume()
      response.writeHead(503, {'Content-Type': 'application/xml'}).end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>')
    })
    const port = await listenOnLoopback(overloaded)
    try {
      const env = {...home.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1'}
      const child = startCli(['get', 'busy', '--store', `s3://bucket/p?endpoint=http://127.0.0.1:${port}`], {env})
      child.stdin!.end()
      const done = collect(child, 30_000)
      await waitUntil(() => requests >= 2, {what: 'a retried request'})
      child.kill('SIGINT')
      const result = await done
      // Before: SIGINT waited for the retries' budget (60 s), and the test's SIGKILL came first.
      expect([result.code, result.signal], result.stderr).toEqual([null, 'SIGINT'])
    } finally {
      overloaded.closeAllConnections()
      await new Promise((resolve) => overloaded.close(resolve))
    }
  })
})
