/**
 * A real S3-protocol server for tests and benchmarks: s3rver 3.7.1 as a child process on
 * a free loopback port (it picks and reports it), data in its own temp dir, run under `node --openssl-legacy-provider`
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
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {CreateBucketCommand, S3Client} from '@aws-sdk/client-s3'
import {onFreePorts, restartablePort} from './free-port.js'

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
  const dir = mkdtempSync(join(tmpdir(), 'logs-s3rver-'))
  let child: ChildProcess | undefined
  // A port below the ephemeral range (./free-port.ts restartablePort), which restarts take again.
  let port = 0
  const start = async () => {
    if (child) return
    const running = spawn(process.execPath, ['--openssl-legacy-provider', S3RVER_BIN, '-d', dir, '-a', '127.0.0.1', '-p', String(port), '--silent'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = running
    let stderr = ''
    running.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    try {
      port = await listeningPort(running, () => stderr)
    } catch (error) {
      child = undefined
      running.kill('SIGKILL')
      throw error
    }
  }
  try {
    await onFreePorts(restartablePort, (picked) => {
      port = picked
      return start()
    })
  } catch (error) {
    rmSync(dir, {recursive: true, force: true})
    throw error
  }
  const endpoint = `http://127.0.0.1:${port}`
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
    start,
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
  return server
}

/** The port s3rver says it listens on (its CLI prints it once bound), or why it did not start. */
function listeningPort(child: ChildProcess, stderr: () => string, timeout = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = ''
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within ${timeout} ms: ${stderr()}`)), timeout)
    const read = (chunk: Buffer) => {
      stdout += chunk.toString()
      const listening = /S3rver listening on [^:\s]+:(\d+)/.exec(stdout)
      if (!listening) return
      clearTimeout(timer)
      child.stdout!.off('data', read).resume()
      resolve(Number(listening[1]))
    }
    child.stdout!.on('data', read)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`s3rver exited (${code}): ${stderr()}`))
    })
  })
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
