import {once} from 'node:events'
import {createServer, type AddressInfo, type Server, type Socket} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {answeredFetch} from '../../src/lib/store/object/answered-fetch.js'
import {classifyForRetry} from '../../src/lib/store/object/failure.js'

// A real socket that accepts, reads, and answers only what the test says.
async function listen(onConnection: (socket: Socket) => void): Promise<{server: Server; url: string}> {
  const server = createServer(onConnection)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`}
}

describe('answeredFetch', () => {
  const sockets: Socket[] = []
  let server: Server | undefined
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy()
    server?.close()
  })

  it('fails a request a server accepts and never answers, as a transient TimeoutError', async () => {
    const started = await listen((socket) => {
      sockets.push(socket)
      socket.resume()
    })
    server = started.server
    const error = await answeredFetch(started.url, {}, 200).catch((caught: unknown) => caught)
    expect(error).toMatchObject({name: 'TimeoutError', message: 'no answer within 0.2s'})
    expect(classifyForRetry(error)).toEqual({})
  })
})
