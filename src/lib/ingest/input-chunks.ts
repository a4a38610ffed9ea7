/**
 * What capture reads, chunk by chunk: a stream (`run`'s pipes from its command), or a
 * descriptor (push's stdin) read into one reused buffer of READ_BYTES: a pipe or a socket
 * through a socket handle whose reads land in that buffer (net.Socket's `onread`), paused
 * after each read until the chunk is done with; a regular file with readSync; a device
 * with fs.read.
 *
 * Ownership: a descriptor's chunk is valid until the loop asks for the next one, as the
 * next read overwrites it. Whatever keeps a line past its chunk copies it (the line
 * cutter's unfinished line, the lines held while a store opens); the store's append and
 * the tee are waited for before the next read.
 *
 * process.stdin costs about as much CPU as the whole of a bare line split (64 KiB reads
 * through a stream, a new Buffer for each); reads into one buffer a fraction of it. A terminal,
 * or a descriptor fs.read refuses (EAGAIN: a pipe someone made non-blocking), is read as
 * the stream, from where the reads stopped, so nothing is lost.
 */
import {fstatSync, read, readSync} from 'node:fs'
import {Socket, type OnReadOpts, type SocketConstructorOpts} from 'node:net'
import type {Readable} from 'node:stream'
import {setImmediate as turn} from 'node:timers/promises'
import {isatty} from 'node:tty'

/** One read: the kill -9 loss bound is counted in reads (test/integration/cli/durability.test.ts). */
export const READ_BYTES = 64 * 1024

/** A descriptor to read, and the same input as a stream, made only if the descriptor cannot be read directly. */
export class DescriptorInput {
  constructor(
    readonly fd: number,
    readonly asStream: () => Readable,
  ) {}
}

export type CaptureInput = Readable | DescriptorInput

/** The input's chunks to its end, or until the signal: then reading stops and the iteration ends. */
export async function* inputChunks(input: CaptureInput, signal?: AbortSignal): AsyncGenerator<Buffer> {
  if (!(input instanceof DescriptorInput) || isatty(input.fd)) {
    yield* streamChunks(input instanceof DescriptorInput ? input.asStream() : input, signal)
    return
  }
  const stat = fstatSync(input.fd)
  if (stat.isFIFO() || stat.isSocket()) {
    yield* socketChunks(input.fd, signal)
    return
  }
  const regular = stat.isFile()
  const buffer = Buffer.allocUnsafeSlow(READ_BYTES)
  let onAbort = () => {}
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined)
    signal?.addEventListener('abort', onAbort, {once: true})
  })
  try {
    while (!signal?.aborted) {
      // After an abort the pending read keeps the buffer; nothing here touches it again.
      const bytes = await Promise.race([regular ? readFileInto(input.fd, buffer) : readInto(input.fd, buffer), aborted])
      if (bytes === undefined) return
      if (bytes === 'refused') {
        yield* streamChunks(input.asStream(), signal)
        return
      }
      if (bytes === 0) return
      yield buffer.subarray(0, bytes)
    }
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
}

/**
 * A regular file never waits for a writer: read at once (a thread's round trip per read costs
 * more), then one turn of the event loop, so signals and the tee's writes are seen between reads.
 */
async function readFileInto(fd: number, buffer: Buffer): Promise<number> {
  const bytes = readSync(fd, buffer, 0, buffer.length, null)
  await turn()
  return bytes
}

function readInto(fd: number, buffer: Buffer): Promise<number | 'refused'> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, buffer.length, null, (error, bytes) => {
      if (error?.code === 'EAGAIN' || error?.code === 'EWOULDBLOCK') resolve('refused')
      else if (error) reject(error)
      else resolve(bytes)
    })
  })
}

/** A pipe or socket: each read lands in the one buffer and pauses the handle until the loop asks for the next. */
async function* socketChunks(fd: number, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const buffer = Buffer.allocUnsafeSlow(READ_BYTES)
  let ready: number | undefined
  let done = false
  let failure: Error | undefined
  let wake = () => {}
  // `onread` is read by the constructor as by connect() (net.md), though @types/node lists it only for connect.
  const options: SocketConstructorOpts & {onread: OnReadOpts} = {
    fd,
    readable: true,
    writable: false,
    onread: {
      buffer,
      callback: (bytes: number) => {
        ready = bytes
        wake()
        return false
      },
    },
  }
  const socket = new Socket(options)
  const finish = (error?: Error) => {
    failure ??= error
    done = true
    wake()
  }
  const onAbort = () => {
    socket.destroy()
    finish()
  }
  socket.on('end', () => finish())
  socket.on('error', finish)
  signal?.addEventListener('abort', onAbort, {once: true})
  try {
    while (!signal?.aborted) {
      if (ready === undefined && !done) await new Promise<void>((resolve) => (wake = resolve))
      if (ready === undefined) break
      const bytes = ready
      ready = undefined
      yield buffer.subarray(0, bytes)
      socket.resume()
    }
    if (failure && !signal?.aborted) throw failure
  } finally {
    signal?.removeEventListener('abort', onAbort)
    socket.destroy()
  }
}

async function* streamChunks(input: Readable, signal?: AbortSignal): AsyncGenerator<Buffer> {
  if (signal?.aborted) return
  const stop = () => input.destroy()
  signal?.addEventListener('abort', stop, {once: true})
  try {
    yield* input as AsyncIterable<Buffer>
  } catch (error) {
    if (!signal?.aborted) throw error
  } finally {
    signal?.removeEventListener('abort', stop)
  }
}
