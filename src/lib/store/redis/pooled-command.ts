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

export class PooledCommand extends Command {
  private memory: Buffer | undefined

  constructor(
    name: string,
    private readonly parts: Arg[],
    private readonly pool: BufferPool,
  ) {
    super(name, parts)
  }

  /**
   * The command as RESP: `*n` then `$length` and the bytes of the name and each argument,
   * written straight into the memory (no string per length or number: an append is sent
   * per batch, a line at a time when a job is slow).
   */
  override toWritable(): Buffer {
    const parts = this.parts
    let size = 1 + decimalLength(parts.length + 1) + 2 + bulkSize(byteLength(this.name))
    for (const part of parts) size += bulkSize(typeof part === 'number' ? numberLength(part) : byteLength(part))
    this.memory ??= this.pool.take(size)
    const memory = this.memory
    memory[0] = 42 // *
    let at = writeDecimal(memory, 1, parts.length + 1)
    at = writeCrlf(memory, at)
    at = writeBulkHead(memory, at, byteLength(this.name))
    at += memory.write(this.name, at, 'latin1')
    at = writeCrlf(memory, at)
    for (const part of parts) {
      if (typeof part === 'number' && Number.isSafeInteger(part)) {
        at = writeBulkHead(memory, at, decimalLength(part))
        at = writeDecimal(memory, at, part)
      } else if (typeof part === 'number') {
        const text = String(part)
        at = writeBulkHead(memory, at, text.length)
        at += memory.write(text, at, 'latin1')
      } else if (typeof part === 'string') {
        at = writeBulkHead(memory, at, Buffer.byteLength(part))
        at += memory.write(part, at, 'utf8')
      } else {
        at = writeBulkHead(memory, at, part.length)
        at += part.copy(memory, at)
      }
      at = writeCrlf(memory, at)
    }
    if (at !== size) throw new Error(`a Redis command of ${size} bytes written as ${at}`)
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

/** `$length\r\n`, the bytes, `\r\n`. */
function bulkSize(length: number): number {
  return 1 + decimalLength(length) + 2 + length + 2
}

function numberLength(value: number): number {
  return Number.isSafeInteger(value) ? decimalLength(value) : String(value).length
}

/** Characters of a safe integer in decimal, its sign included. */
function decimalLength(value: number): number {
  let length = value < 0 ? 2 : 1
  for (let rest = Math.abs(value); rest >= 10; rest = Math.floor(rest / 10)) length++
  return length
}

/** A safe integer's decimal digits at `at`; returns where they end. */
function writeDecimal(memory: Buffer, at: number, value: number): number {
  if (value < 0) memory[at++] = 45 // -
  const end = at + decimalLength(Math.abs(value))
  let rest = Math.abs(value)
  for (let i = end - 1; i >= at; i--) {
    memory[i] = 48 + (rest % 10)
    rest = Math.floor(rest / 10)
  }
  return end
}

function writeBulkHead(memory: Buffer, at: number, length: number): number {
  memory[at] = 36 // $
  return writeCrlf(memory, writeDecimal(memory, at + 1, length))
}

function writeCrlf(memory: Buffer, at: number): number {
  memory[at] = 13
  memory[at + 1] = 10
  return at + 2
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
