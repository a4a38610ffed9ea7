import {execFileSync} from 'node:child_process'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {MAX_BLOCK_BYTES, compressBlockData, contentSizeField, inflateBlock} from '../../src/lib/archive/block-codec.js'

// A few KiB of compressed data can stand for gigabytes: a damaged or hostile archive object
// must not make a reader allocate them. Runs the WebAssembly codec on Node 20, node:zlib's on 24.
describe('inflateBlock', () => {
  const bomb = Buffer.alloc(MAX_BLOCK_BYTES + 1024 * 1024)

  it('inflates a block as written', async () => {
    const block = Buffer.from('{"seq":1,"line":"hello"}\n'.repeat(20_000))
    expect((await inflateBlock(await compressBlockData(block))).equals(block)).toBe(true)
    expect((await inflateBlock(gzipSync(block))).equals(block)).toBe(true)
  })

  it('inflates a block of the size its index records, also one bigger than the most zlib inflates into at once', async () => {
    for (const block of [Buffer.from('{"seq":1,"line":"hello"}\n'.repeat(20_000)), Buffer.alloc(9 * 1024 * 1024 + 7, 'a line\n')]) {
      expect((await inflateBlock(await compressBlockData(block), block.length)).equals(block)).toBe(true)
      expect((await inflateBlock(gzipSync(block), block.length)).equals(block)).toBe(true)
    }
  })

  it('refuses a zstd frame that inflates to more than a block may hold, before allocating it', async () => {
    const frame = await compressBlockData(bomb)
    expect(frame.length).toBeLessThan(64 * 1024)
    await expect(inflateBlock(frame)).rejects.toThrow(`the block inflates to more than ${MAX_BLOCK_BYTES} bytes: it is damaged, or was not written by logs`)
  })

  it('with the size its index records, refuses a block that inflates to one byte more', async () => {
    const block = Buffer.from('x'.repeat(10_000))
    await expect(inflateBlock(await compressBlockData(block), block.length - 1)).rejects.toThrow(`more than ${block.length - 1} bytes`)
    await expect(inflateBlock(gzipSync(block), block.length - 1)).rejects.toThrow(`more than ${block.length - 1} bytes`)
  })

  // What node:zlib's streaming zstdCompress wrote before logs pledged the size, and the zstd tool writes from a pipe.
  const frameDeclaringNoSize = (data: Buffer) => execFileSync('zstd', ['-q', '-c', '--check'], {input: data})
  const declaresSize = (frame: Buffer) => frame[4] >> 6 !== 0 || ((frame[4] >> 5) & 1) === 1

  it('writes frames that declare their size, on every Node', async () => {
    const block = Buffer.from('{"seq":1,"line":"hello"}\n'.repeat(20_000))
    const frame = await compressBlockData(block)
    const field = contentSizeField(frame[4])
    expect(field.bytes).toBe(4)
    expect(frame.readUInt32LE(field.at)).toBe(block.length)
  })

  it('inflates a frame that declares no size, with or without the size its index records', async () => {
    const block = Buffer.from('{"seq":1,"line":"hello"}\n'.repeat(20_000))
    const frame = frameDeclaringNoSize(block)
    expect(declaresSize(frame)).toBe(false)
    expect((await inflateBlock(frame)).equals(block)).toBe(true)
    expect((await inflateBlock(frame, block.length)).equals(block)).toBe(true)
    await expect(inflateBlock(frame, block.length - 1)).rejects.toThrow(`the block inflates to more than ${block.length - 1} bytes`)
    const damaged = Buffer.from(frame)
    damaged[damaged.length - 2] ^= 0xff // its checksum
    await expect(inflateBlock(damaged)).rejects.toThrow(/damaged|checksum/)
  })

  it('refuses a frame cut short (Node 22 ends one without an error), also in its header', async () => {
    const block = Buffer.from(Array.from({length: 30_000}, (_, i) => `line ${i} of the block\n`).join(''))
    const frame = await compressBlockData(block)
    for (const cut of [4, 6, 20, frame.length >> 1, frame.length - 8]) {
      await expect(inflateBlock(frame.subarray(0, cut))).rejects.toThrow(/damaged|truncated|end of file/)
      await expect(inflateBlock(frame.subarray(0, cut), block.length)).rejects.toThrow(/damaged|truncated|end of file/)
    }
  })

  it('refuses a gzip member that inflates to more than a block may hold', async () => {
    await expect(inflateBlock(gzipSync(bomb))).rejects.toThrow(`the block inflates to more than ${MAX_BLOCK_BYTES} bytes`)
  })
})
