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
import {Command} from 'ioredis'
import type {BufferPool} from '../buffer-pool.js'

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
