import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {newEntry} from '../../../src/lib/entry.js'
import {Shipper} from '../../../src/lib/ingest/shipper.js'
import {FileStore} from '../../../src/lib/store/file/file-store.js'

// The shipper sends a spool on, from memory while its queue holds the entries and read
// back from the spool once they outgrew it: either way every line once, in order.
describe('Shipper', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
  })
  const store = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logs-shipper-'))
    dirs.push(dir)
    return new FileStore(dir).init()
  }

  for (const maxQueuedBytes of [0, 300, 1 << 20]) {
    it(`delivers every line once and in order with a queue bound of ${maxQueuedBytes} bytes`, async () => {
      const spool = await store()
      const remote = await store()
      await spool.startJob('writer')
      const shipper = new Shipper({store: spool, writer: 'writer'}, remote, 'job', {maxQueuedBytes, maxBatchBytes: 500})
      const running = shipper.run()
      const expected: string[] = []
      for (let batch = 0; batch < 20; batch++) {
        const entries = Array.from({length: 7}, (_, i) => newEntry(Buffer.from(`line ${batch}.${i} \r\x00\xff`, 'latin1'), true, 1000 + batch))
        for (const entry of entries) expected.push(entry.bytes.toString('latin1'))
        const {first} = await spool.append('writer', entries)
        shipper.offer(first, entries)
        if (batch % 3 === 0) await new Promise((resolve) => setImmediate(resolve))
      }
      await spool.endJob('writer', {status: 'succeeded', exitCode: 0})
      shipper.notify()
      expect(await running).toBe(true)
      const seqs: number[] = []
      const lines: string[] = []
      for await (const entry of remote.read('job')) {
        seqs.push(entry.seq)
        lines.push((entry.bytes ?? Buffer.from(entry.line)).toString('latin1'))
      }
      expect(seqs).toEqual(expected.map((_, i) => i + 1))
      expect(lines).toEqual(expected)
      expect((await remote.getJob('job'))?.status).toBe('succeeded')
    })
  }
})
