import {readFileSync} from 'node:fs'
import {createServer, type Server} from 'node:net'

/**
 * A loopback port nothing listens on right now (the OS picks it): for a URL that must
 * find nothing there. A server of our own listens with listenOnLoopback instead: a port
 * picked here and listened on later may be taken in between (the OS hands the same range
 * out to outgoing connections), as Redis found when it failed in CI.
 */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.unref()
  const port = await listenOnLoopback(server)
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Listens on `port` of 127.0.0.1, by default one the OS picks as it binds; resolves with the port, rejects when it cannot. */
export function listenOnLoopback(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve((server.address() as {port: number}).port)
    })
  })
}

/**
 * A loopback port for a server a test stops and starts again on it (an outage), free now.
 * Picked below the kernel's ephemeral range, which bind(0) and outgoing connections draw
 * from: a port from there, freed while the server is down, could be taken by another
 * test's server or client, and the restart would fail, or a client would be answered by
 * the wrong server (the relay viewer test failed in CI so). Only other such servers pick
 * here, at random among some 10 000 ports.
 */
export async function restartablePort(): Promise<number> {
  const high = Math.min(RESTARTABLE_HIGH, ephemeralLow())
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = RESTARTABLE_LOW + Math.floor(Math.random() * (high - RESTARTABLE_LOW))
    if (await canBind(port)) return port
  }
  throw new Error(`no free port found in ${RESTARTABLE_LOW}-${high}`)
}

/**
 * Starts a server on the ports `pick` chooses, choosing again while `start` fails with an
 * error `taken` says is a port taken (by default any), 5 times at most: a port free when
 * checked can be bound by another test's server, or be a client connection's local port,
 * before this server binds it. Resolves with what `pick` chose for the server that started.
 */
export async function onFreePorts<T>(pick: () => Promise<T>, start: (picked: T) => Promise<void>, taken: (error: unknown) => boolean = () => true): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const picked = await pick()
    try {
      await start(picked)
      return picked
    } catch (error) {
      if (!taken(error) || attempt === 5) throw error
    }
  }
}

/** Below the Redis cluster helper's ports (20 000 and up, and their buses 10 000 above). */
const RESTARTABLE_LOW = 10_000
const RESTARTABLE_HIGH = 20_000

function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768
  } catch {
    return 32_768
  }
}

/** Whether 127.0.0.1:`port` can be listened on now. */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}
