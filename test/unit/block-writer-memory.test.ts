/**
 * The archive's block writer fills the same few buffers again, whatever the size of the log
 * (DESIGN.md, bounded memory): each thread's V8 frees dead ArrayBuffers only after some 64 MB
 * more were allocated, so a writer that took a new buffer per block or per run of records
 * held up to that much garbage per thread. Counted as the buffers of a block's size or more
 * that BlockBytes allocates (Buffer.allocUnsafeSlow), for a log and one three times as long.
 */
import {afterEach, describe, expect, it, vi} from 'vitest'
import {BLOCK_BYTES, encodeBlocks} from '../../src/lib/archive/block-writer.js'
import {entryFromBytes, type LogEntry} from '../../src/lib/entry.js'
import {iterate} from '../helpers/iterables.js'

function entries(count: number): LogEntry[] {
  const ts = 1_700_000_000_000
  return Array.from({length: count}, (_, i) => entryFromBytes(i + 1, ts + i, Buffer.from(`worker-${i % 17} processed item ${i} ${'.'.repeat(100 + (i % 50))}`), true))
}

/** Blocks written, and buffers of a block's size or more allocated while writing them. */
async function archiveOf(count: number): Promise<{blocks: number; allocated: number}> {
  const allocate = vi.spyOn(Buffer, 'allocUnsafeSlow')
  const encoded = encodeBlocks(iterate(entries(count)))
  for await (const member of encoded.stream as AsyncIterable<Buffer>) expect(member.length).toBeGreaterThan(0)
  const {blocks} = await encoded.stats
  const allocated = allocate.mock.calls.filter(([size]) => size >= BLOCK_BYTES).length
  allocate.mockRestore()
  return {blocks: blocks.length, allocated}
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('block writer memory', () => {
  it('allocates as many big buffers for a log three times as long: it fills the same ones again', async () => {
    const small = await archiveOf(40_000)
    const big = await archiveOf(120_000)
    expect(small.blocks).toBeGreaterThan(10)
    expect(big.blocks).toBeGreaterThan(2 * small.blocks)
    expect(small.allocated).toBeLessThan(small.blocks)
    expect(big.allocated).toBeLessThanOrEqual(small.allocated + 2)
  })
})
