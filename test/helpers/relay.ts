/**
 * Relays for tests: a real `Relay` (Node http server on a free loopback port) over a real
 * store — the file store in a temp dir unless a store is handed in — plus small raw-HTTP
 * and SSE helpers. Everything is closed by `stop()`.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {request as httpRequest, type IncomingHttpHeaders} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Jobs} from '../../src/lib/store/jobs.js'
import type {RelayLimits} from '../../src/lib/relay/limits.js'
import {createRelay, type Relay} from '../../src/lib/relay/server.js'
import {FileStore} from '../../src/lib/store/file/file-store.js'
import type {LiveStore} from '../../src/lib/store/types.js'
import {BIN, ROOT} from './cli.js'

export interface TestRelay {
  relay: Relay
  url: string
  store: LiveStore
  jobs: Jobs
  dir: string
  logged: string[]
  stop(): Promise<void>
}

export async function startTestRelay(
  options: {store?: LiveStore; token?: string; readToken?: string; cors?: string; limits?: Partial<RelayLimits>; keepStore?: boolean} = {},
): Promise<TestRelay> {
  const dir = mkdtempSync(join(tmpdir(), 'logs-relay-'))
  const store = options.store ?? (await new FileStore(join(dir, 'store')).init())
  const jobs = new Jobs({live: store})
  const logged: string[] = []
  const relay = createRelay({jobs, token: options.token, readToken: options.readToken, cors: options.cors, limits: options.limits, log: (message) => logged.push(message)})
  const url = (await relay.listen(0, '127.0.0.1')).origin
  return {
    relay,
    url,
    store,
    jobs,
    dir,
    logged,
    async stop() {
      await relay.close()
      if (options.keepStore) return
      await jobs.close()
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

export interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  body: string
  /** The body as it came (not decoded). */
  bytes: Buffer
  json: () => any
}

/** One request with node:http (no fetch magic): exact status, headers and body. */
export function raw(url: string, options: {method?: string; headers?: Record<string, string>; body?: string | Buffer} = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {method: options.method ?? 'GET', headers: options.headers, agent: false}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const bytes = Buffer.concat(chunks)
        const body = bytes.toString('utf8')
        resolve({status: res.statusCode ?? 0, headers: res.headers, body, bytes, json: () => JSON.parse(body)})
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

export interface SseEvent {
  id?: string
  event: string
  data: string
}

/** Parses SSE text into events (comments and retry lines are left out). */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = []
  // Only blocks ended by a blank line are events; a cut-off last block is not (as in EventSource).
  for (const block of text.split('\n\n').slice(0, -1)) {
    const event: SseEvent = {event: 'message', data: ''}
    let hasData = false
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) event.id = line.slice(4)
      else if (line.startsWith('event: ')) event.event = line.slice(7)
      else if (line.startsWith('data: ')) {
        event.data = line.slice(6)
        hasData = true
      }
    }
    if (hasData) events.push(event)
  }
  return events
}

/** A raw SSE connection that collects what arrives; `close()` drops it mid-stream, `pause()` stops reading it (the kernel's buffers fill, then the relay's). */
export function openRawStream(
  url: string,
  headers: Record<string, string> = {},
  options: {paused?: boolean} = {},
): {text: () => string; events: () => SseEvent[]; status: Promise<number>; closed: Promise<void>; close: () => void; pause: () => void; resume: () => void} {
  let buffer = ''
  let closeIt = () => {}
  let pauseIt = () => {}
  let resumeIt = () => {}
  let statusResolve: (n: number) => void = () => {}
  const status = new Promise<number>((resolve) => (statusResolve = resolve))
  const closed = new Promise<void>((resolve) => {
    const req = httpRequest(url, {headers: {Accept: 'text/event-stream', ...headers}, agent: false}, (res) => {
      statusResolve(res.statusCode ?? 0)
      if (options.paused) {
        // A client that never reads: the kernel's buffers fill, then the relay's.
        res.pause()
        res.socket.pause()
      }
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (buffer += chunk))
      res.on('close', () => resolve())
      pauseIt = () => {
        res.pause()
        res.socket.pause()
      }
      resumeIt = () => {
        res.socket.resume()
        res.resume()
      }
    })
    req.on('error', () => resolve())
    req.end()
    closeIt = () => req.destroy()
  })
  return {text: () => buffer, events: () => parseSse(buffer), status, closed, close: () => closeIt(), pause: () => pauseIt(), resume: () => resumeIt()}
}

/** `logs serve` as a child process (the built CLI); resolves once it prints its URL. */
export async function startServeCli(args: string[], env: NodeJS.ProcessEnv): Promise<{child: ChildProcess; url: string; stderr: () => string; stdout: () => string}> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(stdout)
      if (match) resolve(match[1])
    })
    child.on('exit', (code) => reject(new Error(`logs serve exited with ${code}: ${stderr}`)))
  })
  return {child, url, stderr: () => stderr, stdout: () => stdout}
}

/** How long a stopped `logs serve` gets to exit on SIGTERM before it is killed: a bound for cleanup, not an assertion. */
const STOP_BOUND_MS = 10_000

/**
 * Stops a `logs serve` child (from `startServeCli`) and resolves once it has exited, so a
 * test's temp home is removed only after the relay stopped writing there. SIGTERM, then
 * SIGKILL if it is still running after STOP_BOUND_MS; at once if it has already exited.
 */
export async function stopServeCli(server: {child: ChildProcess}): Promise<void> {
  const {child} = server
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_BOUND_MS)
  try {
    await exited
  } finally {
    clearTimeout(timer)
  }
}
