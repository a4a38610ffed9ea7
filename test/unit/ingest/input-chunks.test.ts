/**
 * push's stdin read into one reused buffer (input-chunks.ts): from a regular file with
 * fs.read, from a FIFO (here opened non-blocking, as a parent may leave a pipe) through a
 * socket handle, which closes it at the end. Sockets (a spawned CLI's stdin) are read by
 * every CLI test.
 */
import {execFileSync} from 'node:child_process'
import {closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {afterAll, describe, expect, it} from 'vitest'
import {DescriptorInput, inputChunks, READ_BYTES} from '../../../src/lib/ingest/input-chunks.js'

const dir = mkdtempSync(join(tmpdir(), 'input-chunks-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const notUsed = () => {
  throw new Error('the stream was asked for')
}

/** Each chunk copied as it comes, with the memory it was given in. */
async function readAll(input: DescriptorInput, signal?: AbortSignal) {
  const chunks: Buffer[] = []
  const memories = new Set<ArrayBufferLike>()
  for await (const chunk of inputChunks(input, signal)) {
    expect(chunk.length).toBeLessThanOrEqual(READ_BYTES)
    chunks.push(Buffer.from(chunk))
    memories.add(chunk.buffer)
  }
  return {bytes: Buffer.concat(chunks), chunks: chunks.length, memories: memories.size}
}

const content = Buffer.from(Array.from({length: 30_000}, (_, i) => `line ${i} ${'x'.repeat(i % 50)}\n`).join(''))

describe('inputChunks of a descriptor', () => {
  it('a regular file: every byte in order, in reads of at most 64 KiB, all in one buffer', async () => {
    const path = join(dir, 'input.log')
    writeFileSync(path, content)
    const fd = openSync(path, 'r')
    try {
      const read = await readAll(new DescriptorInput(fd, notUsed))
      expect(read.bytes.equals(content)).toBe(true)
      expect(read.chunks).toBeGreaterThan(content.length / READ_BYTES)
      expect(read.memories).toBe(1)
    } finally {
      closeSync(fd)
    }
  })

  it('a regular file: the event loop turns between reads (signals are seen), and an abort ends the reading', async () => {
    const path = join(dir, 'abort.log')
    writeFileSync(path, content)
    const fd = openSync(path, 'r')
    try {
      const controller = new AbortController()
      const chunks = inputChunks(new DescriptorInput(fd, notUsed), controller.signal)
      expect((await chunks.next()).value?.length).toBe(READ_BYTES)
      let turned = false
      setImmediate(() => (turned = true))
      expect((await chunks.next()).value?.length).toBe(READ_BYTES)
      expect(turned).toBe(true)
      controller.abort()
      expect((await chunks.next()).done).toBe(true)
    } finally {
      closeSync(fd)
    }
  })

  it('a non-blocking FIFO: every byte in order, one buffer, and the end when the writer closes', async () => {
    const path = join(dir, 'fifo')
    execFileSync('mkfifo', [path])
    const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
    const writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)
    const input = new DescriptorInput(reader, notUsed)
    const chunks = inputChunks(input)
    writeSync(writer, 'one\ntwo\n')
    const first = await chunks.next()
    expect(first.value?.toString()).toBe('one\ntwo\n')
    const memory = first.value!.buffer
    const second = chunks.next()
    writeSync(writer, 'three\n')
    expect((await second).value?.toString()).toBe('three\n')
    expect((await second).value!.buffer).toBe(memory)
    const end = chunks.next()
    closeSync(writer)
    expect((await end).done).toBe(true)
  })

  it('an abort while a read waits on an open pipe ends the iteration; nothing after it is read', async () => {
    const path = join(dir, 'fifo-abort')
    execFileSync('mkfifo', [path])
    const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
    const writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)
    try {
      const controller = new AbortController()
      const chunks = inputChunks(new DescriptorInput(reader, notUsed), controller.signal)
      writeSync(writer, 'before\n')
      expect((await chunks.next()).value?.toString()).toBe('before\n')
      const waiting = chunks.next()
      controller.abort()
      expect((await waiting).done).toBe(true)
    } finally {
      closeSync(writer)
    }
  })

  it('a stream is read as it is, and a destroyed one ends the iteration on abort', async () => {
    const read: Buffer[] = []
    for await (const chunk of inputChunks(Readable.from([Buffer.from('a\n'), Buffer.from('b\n')]))) read.push(chunk)
    expect(Buffer.concat(read).toString()).toBe('a\nb\n')
    const controller = new AbortController()
    const endless = new Readable({read() {}})
    endless.push('first\n')
    const chunks = inputChunks(endless, controller.signal)
    expect((await chunks.next()).value?.toString()).toBe('first\n')
    const waiting = chunks.next()
    controller.abort()
    expect((await waiting).done).toBe(true)
  })
})
