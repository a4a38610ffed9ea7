/**
 * Real Redis servers for tests and benchmarks: a standalone `redis-server` with AOF on a
 * free loopback port and its own temp dir (stoppable and restartable on the same port
 * and data, for outage tests), and a 3-node Redis Cluster joined by
 * `redis-cli --cluster create`. Stopped by PID; nothing is left behind.
 */
import {execFile, spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {canBind, onFreePorts, restartablePort} from './free-port.js'
import {waitUntil} from './wait.js'

const run = promisify(execFile)

export interface RedisServer {
  readonly port: number
  /** With the `tls` option: the TLS port, and its `rediss://localhost:PORT` URL. */
  readonly tlsPort?: number
  readonly tlsUrl?: string
  readonly dir: string
  readonly url: string
  /** Starts it again on the same port and data dir (after stop()). */
  start(): Promise<void>
  /** SIGTERM (Redis flushes its AOF on the way out) and wait for the exit. */
  stop(): Promise<void>
  /** Runs redis-cli against it; returns trimmed stdout. */
  cli(...args: string[]): Promise<string>
  /** Clients blocked now (XREAD BLOCK), from INFO clients. */
  blockedClients(): Promise<number>
  /** Stops it and removes its data. */
  destroy(): Promise<void>
}

export interface RedisCluster {
  readonly ports: number[]
  readonly url: string
  cli(...args: string[]): Promise<string>
  /** Clients blocked now (XREAD BLOCK) on all nodes. */
  blockedClients(): Promise<number>
  /** Stops one node (SIGTERM): its slots have no master from then on (for outage tests). */
  stopNode(port: number): Promise<void>
  destroy(): Promise<void>
}

export interface TlsFiles {
  cert: string
  key: string
  ca: string
}

export async function startRedis(options: {extraArgs?: string[]; tls?: TlsFiles} = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'logs-redis-'))
  const started = onFreeRedisPorts(async () => {
    const port = await restartablePort()
    const tlsPort = options.tls ? await restartablePort() : undefined
    const tlsArgs = options.tls
      ? ['--tls-port', String(tlsPort), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-ca-cert-file', options.tls.ca, '--tls-auth-clients', 'no']
      : []
    return {port, tlsPort, node: new RedisProcess(port, dir, ['--appendonly', 'yes', '--appendfsync', 'everysec', ...tlsArgs, ...(options.extraArgs ?? [])])}
  })
  const {port, tlsPort, node} = await started.catch((error: unknown) => {
    rmSync(dir, {recursive: true, force: true})
    throw error
  })
  return {
    port,
    tlsPort,
    tlsUrl: tlsPort ? `rediss://localhost:${tlsPort}` : undefined,
    dir,
    url: `redis://127.0.0.1:${port}`,
    start: () => node.start(),
    stop: () => node.stop(),
    cli: (...args) => redisCli(port, args),
    blockedClients: () => blockedClients(port),
    async destroy() {
      await node.stop()
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'logs-redis-cluster-'))
  const nodes: RedisProcess[] = []
  const ports: number[] = []
  try {
    for (let i = 0; i < size; i++) {
      const {port, node} = await onFreeRedisPorts(async () => {
        const port = await clusterPort()
        return {port, node: new RedisProcess(port, dir, ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--appendonly', 'no', '--save', ''])}
      })
      ports.push(port)
      nodes.push(node)
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'])
    for (const port of ports)
      await waitUntil(async () => (await redisCli(port, ['cluster', 'info'])).includes('cluster_state:ok'), {timeout: 20_000, interval: 50, what: `cluster node ${port} ok`})
  } catch (error) {
    for (const node of nodes) await node.stop()
    rmSync(dir, {recursive: true, force: true})
    throw error
  }
  return {
    ports,
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    cli: (...args) => redisCli(ports[0], ['-c', ...args]),
    blockedClients: async () => (await Promise.all(ports.map(blockedClients))).reduce((a, b) => a + b, 0),
    stopNode: (port) => nodes[ports.indexOf(port)].stop(),
    async destroy() {
      for (const node of nodes) await node.stop()
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

/** A throwaway CA and a server certificate for localhost/127.0.0.1, made with openssl. */
export async function makeTlsFiles(dir: string): Promise<TlsFiles> {
  const file = (name: string) => join(dir, name)
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  await run('openssl', ['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=logs test CA'])
  await run('openssl', ['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost'])
  writeFileSync(file('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('server.pem'),
    '-days',
    '2',
    '-extfile',
    file('san.ext'),
  ])
  return {cert: file('server.pem'), key: file('server.key'), ca: file('ca.pem')}
}

class RedisProcess {
  private child: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()

  constructor(
    private readonly port: number,
    private readonly dir: string,
    private readonly args: string[],
  ) {}

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--daemonize', 'no', '--logfile', '', '--loglevel', 'warning', ...this.args],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    this.child = child
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()))
    let log = '' // with --logfile '' Redis logs to stdout; kept to tell why it exited
    child.stdout.on('data', (data: Buffer) => {
      if (log.length < 64 * 1024) log += data.toString()
    })
    const logRead = new Promise((resolve) => child.stdout.once('close', resolve))
    try {
      // Generous: CI runs many servers and CLIs at once on two cores.
      await waitUntil(() => ping(this.port), {
        timeout: 30_000,
        what: 'redis-server ready',
        failed: () => (child.exitCode !== null ? `it exited while starting:\n${log}` : undefined),
      })
    } catch (error) {
      await this.stop()
      await logRead
      if (log.includes('Address already in use')) throw new PortTaken(String(error))
      throw error
    }
  }

  async stop(): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await this.exited
    clearTimeout(timer)
    this.child = undefined
  }
}

async function redisCli(port: number, args: string[]): Promise<string> {
  const {stdout} = await run('redis-cli', ['-p', String(port), ...args], {maxBuffer: 64 * 1024 * 1024})
  return stdout.trim()
}

async function blockedClients(port: number): Promise<number> {
  return Number(/blocked_clients:(\d+)/.exec(await redisCli(port, ['INFO', 'clients']))?.[1] ?? 0)
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket()
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString()))) // NOAUTH: up, with a password
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
  })
}

/** Another process took a port between its check and Redis binding it. */
class PortTaken extends Error {}

/** Starts the Redis process `pick` makes, on other ports again while a port it picked turns out taken (free-port.ts onFreePorts). */
function onFreeRedisPorts<T extends {node: RedisProcess}>(pick: () => Promise<T>): Promise<T> {
  return onFreePorts(
    pick,
    (picked) => picked.node.start(),
    (error) => error instanceof PortTaken,
  )
}

/** A free loopback port for a cluster node, with port + 10000 free too (the cluster bus). */
async function clusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000)
    if ((await canBind(port)) && (await canBind(port + 10_000))) return port
  }
  throw new Error('no free port found')
}
