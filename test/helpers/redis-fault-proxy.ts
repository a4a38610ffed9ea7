/**
 * A TCP proxy in front of a real redis-server that reads the commands its clients send
 * (RESP arrays) and, on a chosen one, takes Redis away from them: every client connection
 * is dropped and new ones are refused until heal(). What a test sees as an outage that
 * starts at an exact point of a client's work, without a sleep or a race with it. Not a
 * stand-in: every command it lets through is answered by the server behind it.
 */
import {createServer, Socket, type Server} from 'node:net'
import {listenOnLoopback} from './free-port.js'

export interface SeenCommand {
  /** Which client connection sent it, counted from 1 in the order they connected. */
  connection: number
  /** The command's name, lower case, and its arguments. */
  name: string
  args: string[]
}

export interface RedisFaultProxy {
  readonly url: string
  /** Every command forwarded, in order. */
  readonly seen: readonly SeenCommand[]
  /** Connections refused while down. */
  readonly refused: number
  /** Whether the outage has begun. */
  readonly down: boolean
  /** From the first command `when` matches (that one not forwarded): every client dropped, new ones refused. */
  failWhen(when: (command: SeenCommand, index: number) => boolean): void
  heal(): void
  stop(): Promise<void>
}

export async function startRedisFaultProxy(redisPort: number): Promise<RedisFaultProxy> {
  const seen: SeenCommand[] = []
  const clients = new Set<Socket>()
  let connections = 0
  let refused = 0
  let down = false
  let trigger: ((command: SeenCommand, index: number) => boolean) | undefined
  let matched = 0

  const goDown = () => {
    down = true
    for (const client of clients) client.resetAndDestroy()
  }

  const server: Server = createServer((client) => {
    if (down) {
      refused++
      client.resetAndDestroy()
      return
    }
    const connection = ++connections
    clients.add(client)
    const upstream = new Socket()
    const commands = new CommandReader()
    upstream.connect(redisPort, '127.0.0.1')
    upstream.pipe(client)
    client.on('data', (chunk: Buffer) => {
      for (const {raw, args} of commands.push(chunk)) {
        const command = {connection, name: args[0]?.toLowerCase() ?? '', args: args.slice(1)}
        if (trigger?.(command, matched++)) {
          trigger = undefined
          goDown()
          return
        }
        seen.push(command)
        upstream.write(raw)
      }
    })
    const close = () => {
      clients.delete(client)
      client.destroy()
      upstream.destroy()
    }
    client.on('close', close)
    client.on('error', close)
    upstream.on('close', close)
    upstream.on('error', close)
  })
  const port = await listenOnLoopback(server)
  return {
    url: `redis://127.0.0.1:${port}`,
    seen,
    get refused() {
      return refused
    },
    get down() {
      return down
    },
    failWhen(when) {
      matched = 0
      trigger = when
    },
    heal() {
      down = false
    },
    async stop() {
      for (const client of clients) client.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** Cuts a client's byte stream into commands: `*N` then N bulk strings (`$len`), each with its raw bytes. */
class CommandReader {
  private buffer = Buffer.alloc(0)

  push(chunk: Buffer): Array<{raw: Buffer; args: string[]}> {
    this.buffer = Buffer.concat([this.buffer, chunk])
    const commands: Array<{raw: Buffer; args: string[]}> = []
    for (;;) {
      const parsed = this.next()
      if (!parsed) return commands
      commands.push({raw: this.buffer.subarray(0, parsed.end), args: parsed.args})
      this.buffer = this.buffer.subarray(parsed.end)
    }
  }

  private next(): {args: string[]; end: number} | undefined {
    const header = this.line(0)
    if (!header) return undefined
    if (!header.text.startsWith('*')) throw new Error(`not a RESP array from a Redis client: ${header.text}`)
    const count = Number(header.text.slice(1))
    const args: string[] = []
    let at = header.end
    for (let i = 0; i < count; i++) {
      const size = this.line(at)
      if (!size) return undefined
      const length = Number(size.text.slice(1))
      if (this.buffer.length < size.end + length + 2) return undefined
      args.push(this.buffer.toString('utf8', size.end, size.end + length))
      at = size.end + length + 2
    }
    return {args, end: at}
  }

  private line(from: number): {text: string; end: number} | undefined {
    const end = this.buffer.indexOf('\r\n', from)
    return end < 0 ? undefined : {text: this.buffer.toString('latin1', from, end), end: end + 2}
  }
}
