/**
 * A real S3-protocol server for tests and benchmarks: s3rver 3.7.1 as a child process on
 * a free loopback port, data in its own temp dir, run under `node --openssl-legacy-provider`
 * (without it, ListObjectsV2 pagination answers 500 on Node 20 — see ../shared/S3RVER.md).
 * Stoppable and restartable on the same port and data (outage tests); stopped by PID.
 *
 * s3rver 3.7.1 answers a PUT before the object is complete and writes it in place; the
 * launcher (./s3rver-atomic.cjs) makes PUTs atomic, as they are on S3.
 *
 * s3rver is also far laxer than S3 (no minimum part size, no abort, no lifecycle): tests
 * that need those check the requests themselves (recordS3Requests) or use the contract
 * server in ./s3-contract-server.ts.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {CreateBucketCommand, S3Client} from '@aws-sdk/client-s3'
import {freePort} from './free-port.js'
import {waitUntil} from './wait.js'

export {freePort}

/** s3rver's CLI, with PUTs made atomic as on S3 (see the launcher). */
const S3RVER_BIN = fileURLToPath(new URL('./s3rver-atomic.cjs', import.meta.url))

/** s3rver's built-in account. It does not verify signatures, only that the key id is known. */
export const S3RVER_CREDENTIALS = {accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER'}

export interface S3Server {
  readonly port: number
  readonly endpoint: string
  readonly dir: string
  /** Environment for the CLI: endpoint, region, credentials. */
  env(): NodeJS.ProcessEnv
  client(): S3Client
  createBucket(name: string): Promise<void>
  start(): Promise<void>
  stop(): Promise<void>
  destroy(): Promise<void>
}

export async function startS3Server(): Promise<S3Server> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'logs-s3rver-'))
  const endpoint = `http://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  const server: S3Server = {
    port,
    endpoint,
    dir,
    env: () => ({
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    }),
    client: () => s3rverClient(endpoint),
    async createBucket(name) {
      const client = s3rverClient(endpoint)
      await client.send(new CreateBucketCommand({Bucket: name}))
      client.destroy()
    },
    async start() {
      if (child) return
      child = spawn(process.execPath, ['--openssl-legacy-provider', S3RVER_BIN, '-d', dir, '-a', '127.0.0.1', '-p', String(port), '--silent'], {stdio: ['ignore', 'pipe', 'pipe']})
      let stderr = ''
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      child.stdout?.resume()
      const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`s3rver exited (${code}): ${stderr}`))))
      await Promise.race([waitForPort(port), exited])
    },
    async stop() {
      const running = child
      child = undefined
      if (!running || running.exitCode !== null) return
      const exit = new Promise((resolve) => running.once('exit', resolve))
      running.kill('SIGTERM')
      await exit
    },
    async destroy() {
      await server.stop()
      rmSync(dir, {recursive: true, force: true})
    },
  }
  await server.start()
  return server
}

export function s3rverClient(endpoint: string): S3Client {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
}

export interface RecordedS3Request {
  command: string
  input: Record<string, unknown>
  /** Byte length of a Buffer/Uint8Array body, when there was one. */
  bodyBytes?: number
}

/** Records every command sent by a client (name, input, body size) — to assert what real S3 would refuse. */
export function recordS3Requests(client: S3Client): RecordedS3Request[] {
  const requests: RecordedS3Request[] = []
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>
      const body = input.Body
      requests.push({command: String(context.commandName), input, bodyBytes: body instanceof Uint8Array ? body.length : undefined})
      return next(args)
    },
    {step: 'initialize', name: 'recordRequests'},
  )
  return requests
}

function waitForPort(port: number, timeout = 15_000): Promise<boolean> {
  const open = () =>
    new Promise<boolean>((resolve) => {
      const socket = new Socket()
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
      socket.connect(port, '127.0.0.1')
    })
  return waitUntil(open, {timeout, interval: 50, what: `something listening on port ${port}`})
}
