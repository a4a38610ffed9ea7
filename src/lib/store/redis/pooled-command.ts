/**
 * A Redis command whose bytes are written into pooled memory (../buffer-pool.ts) instead
 * of a buffer ioredis makes for each command: an append of a megabyte of lines is a
 * megabyte written once per batch, and Redis' answer frees it for the next one.
 *
 * toWritable() is ioredis' own hook for what a command writes (its script commands
 * override it too); ioredis writes what it returns and keeps no other copy. A command that
 * is never answered (a timeout, a closed connection) keeps its memory: it may still be
 * written, after a reconnect, and the collector frees it once it is gone.
 */
import {createHash} from 'node:crypto'
import {Command, ReplyError} from 'ioredis'
import type {BufferPool} from '../buffer-pool.js'
import type {RedisClient} from './failures.js'

type Arg = string | number | Buffer

const CRLF = '\r\n'

export class PooledCommand extends Command {
  private memory: Buffer | undefined

  constructor(
    name: string,
    private readonly parts: Arg[],
    private readonly pool: BufferPool,
  ) {
    super(name, parts)
  }

  /** The command as RESP: `*n` then `$length` and the bytes of the name and each argument. */
  override toWritable(): Buffer {
    const texts = this.parts.map((part) => (Buffer.isBuffer(part) ? part : String(part)))
    let size = bulkHead(this.name).length + Buffer.byteLength(this.name) + 2 + String(texts.length + 1).length + 3
    for (const part of texts) size += bulkHead(part).length + byteLength(part) + 2
    this.memory ??= this.pool.take(size)
    const memory = this.memory
    let at = memory.write(`*${texts.length + 1}${CRLF}${bulkHead(this.name)}${this.name}${CRLF}`, 0, 'latin1')
    for (const part of texts) {
      at += memory.write(bulkHead(part), at, 'latin1')
      at += typeof part === 'string' ? memory.write(part, at, 'utf8') : part.copy(memory, at)
      at += memory.write(CRLF, at, 'latin1')
    }
    return memory
  }

  /** Redis answered: the memory may be written into again. */
  release(): void {
    if (this.memory) this.pool.give(this.memory)
    this.memory = undefined
  }
}

function byteLength(part: string | Buffer): number {
  return typeof part === 'string' ? Buffer.byteLength(part) : part.length
}

function bulkHead(part: string | Buffer): string {
  return `$${byteLength(part)}${CRLF}`
}

const shas = new Map<string, string>()

/**
 * Runs a Lua script as a PooledCommand: by its SHA, or by its text where Redis does not
 * know it yet (a new or flushed server, another cluster node).
 */
export async function evalPooled(client: RedisClient, lua: string, args: Arg[], pool: BufferPool): Promise<unknown> {
  let sha = shas.get(lua)
  if (!sha) shas.set(lua, (sha = createHash('sha1').update(lua).digest('hex')))
  const send = (name: string, script: string) => {
    const command = new PooledCommand(name, [script, ...args], pool)
    void client.sendCommand(command)
    return command
  }
  try {
    return await answered(send('evalsha', sha))
  } catch (error) {
    if (!(error instanceof ReplyError && (error as Error).message.startsWith('NOSCRIPT'))) throw error
    return answered(send('eval', lua))
  }
}

/**
 * The command's reply. Once Redis answered (a reply, or an error reply) the command was
 * written and read: its memory is free. Otherwise (a timeout, a lost connection) it may
 * still be written, after a reconnect: its memory is left to the collector.
 */
async function answered(command: PooledCommand): Promise<unknown> {
  try {
    const reply: unknown = await command.promise
    command.release()
    return reply
  } catch (error) {
    if (error instanceof ReplyError) command.release()
    throw error
  }
}
