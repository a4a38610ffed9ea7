import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {LineSplitter} from '../../../src/lib/ingest/line-splitter.js'
import {SpooledJobWriter} from '../../../src/lib/ingest/spooled-job-writer.js'
import {Masker} from '../../../src/lib/mask/masker.js'
import {FileStore} from '../../../src/lib/store/file/file-store.js'

describe('SpooledJobWriter', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
  })
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'logs-spooled-writer-'))
    dirs.push(dir)
    return dir
  }

  it('takes a read as columns (addBatch): the remote gets every line, level and mask as read, though the read buffer is reused for the next read', async () => {
    const remote = await new FileStore(tempDir()).init()
    const writer = await SpooledJobWriter.open(remote, 'job', {drainTimeout: 30_000, env: {XDG_STATE_HOME: tempDir()}})
    const splitter = new LineSplitter(64, undefined, new Masker({values: ['s3cr3t'], regexes: [], defaults: false}).forStream())
    // One buffer for every read, as push reads stdin (input-chunks.ts).
    const buffer = Buffer.alloc(256)
    const reads = ['ERROR first\nINFO second s3cr3t\nWARN a line begun ', `here\n${'x'.repeat(100)}\nDEBUG last\n`, 'tail without newline']
    for (const [i, text] of reads.entries()) {
      const bytes = buffer.write(text)
      await writer.addBatch(splitter.cut(buffer.subarray(0, bytes), 1000 + i))
    }
    await writer.add(splitter.end(1003))
    await writer.finish({status: 'succeeded', exitCode: 0})
    await writer.close()

    const got: Array<[number, string, string | undefined, boolean]> = []
    for await (const entry of remote.read('job')) got.push([entry.seq, entry.line, entry.level, entry.eol])
    expect(got).toEqual([
      [1, 'ERROR first', 'error', true],
      [2, 'INFO second ***', 'info', true],
      [3, 'WARN a line begun here', 'warn', true],
      [4, 'x'.repeat(64), undefined, false],
      [5, 'x'.repeat(36), undefined, true],
      [6, 'DEBUG last', 'debug', true],
      [7, 'tail without newline', undefined, false],
    ])
    expect((await remote.getJob('job'))?.status).toBe('succeeded')
  })
})
