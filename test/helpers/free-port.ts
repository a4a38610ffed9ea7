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
