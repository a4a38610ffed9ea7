import {randomBytes} from 'node:crypto'
import {Readable} from 'node:stream'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {compressBlockData} from '../../src/lib/archive/block-codec.js'
import {inflateObject} from '../../src/lib/archive/object-inflate.js'
import {collect} from '../helpers/iterables.js'

/** A skippable frame (RFC 8878, section 3.1.2): zstd passes over it, and so must the reader. */
function skippable(payload: Buffer): Buffer {
  const header = Buffer.alloc(8)
  header.writeUInt32LE(0x184d2a53, 0)
  header.writeUInt32LE(payload.length, 4)
  return Buffer.concat([header, payload])
}

function pieces(data: Buffer, size: number): Buffer[] {
  return Array.from({length: Math.ceil(data.length / size)}, (_, i) => data.subarray(i * size, (i + 1) * size))
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('inflateObject', () => {
  it('inflates zstd frames that come in many small chunks, copying each byte at most twice', async () => {
    const text = Buffer.from(Array.from({length: 6000}, (_, n) => `{"seq":${n + 1},"line":"processed item ${n * 7919}"}\n`).join(''))
    // Random bytes make raw blocks and a frame about as big as its content; a run of one byte an RLE block.
    const blocks = [text, randomBytes(96 * 1024), Buffer.alloc(200_000, 'a'), Buffer.from('last\n')]
    const frames = await Promise.all(blocks.map((block) => compressBlockData(block)))
    const object = Buffer.concat([frames[0], skippable(Buffer.from('not log data')), ...frames.slice(1)])
    const inflated = Buffer.concat(blocks)
    for (const size of [5, 1000]) {
      // What Buffer.concat copied while the object was read, the inflated blocks included (zlib joins its output so).
      let copied = 0
      const concat = Buffer.concat.bind(Buffer)
      vi.spyOn(Buffer, 'concat').mockImplementation((list, length) => {
        const joined = concat(list, length)
        copied += joined.length
        return joined
      })
      const out = await collect(inflateObject(Readable.from(pieces(object, size))))
      vi.restoreAllMocks()
      expect(Buffer.concat(out).equals(inflated), `chunks of ${size} bytes`).toBe(true)
      expect(copied, `chunks of ${size} bytes`).toBeLessThanOrEqual(2 * object.length + inflated.length)
    }
  })
})
