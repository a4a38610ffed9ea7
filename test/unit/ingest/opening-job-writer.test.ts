import {describe, expect, it} from 'vitest'
import type {NewEntry} from '../../../src/lib/entry.js'
import type {JobEnd, JobWriter} from '../../../src/lib/ingest/job-writer.js'
import {OpeningJobWriter} from '../../../src/lib/ingest/opening-job-writer.js'

/** A JobWriter that records what reaches it. */
class Recorder implements JobWriter {
  lines: string[] = []
  ended?: JobEnd
  async add(entries: NewEntry[]): Promise<void> {
    this.lines.push(...entries.map((entry) => entry.bytes.toString()))
  }
  async flush(): Promise<void> {}
  async finish(end: JobEnd): Promise<void> {
    this.ended = end
  }
  async close(): Promise<void> {}
}

const entries = (...lines: string[]): NewEntry[] => lines.map((line) => ({ts: 1, bytes: Buffer.from(line), eol: true}))

function opening(): {promise: Promise<JobWriter>; open: (writer: JobWriter) => void; fail: (error: Error) => void} {
  let open!: (writer: JobWriter) => void
  let fail!: (error: Error) => void
  const promise = new Promise<JobWriter>((resolve, reject) => {
    open = resolve
    fail = reject
  })
  return {promise, open, fail}
}

describe('OpeningJobWriter', () => {
  it('holds lines while the store opens and hands them over in order, then writes through', async () => {
    const store = opening()
    const writer = new OpeningJobWriter(store.promise)
    await writer.add(entries('a', 'b'))
    await writer.add(entries('c'))
    const recorder = new Recorder()
    store.open(recorder)
    await writer.add(entries('d'))
    await writer.finish({status: 'succeeded', exitCode: 0})
    expect(recorder.lines).toEqual(['a', 'b', 'c', 'd'])
    expect(recorder.ended).toEqual({status: 'succeeded', exitCode: 0})
  })

  it('past its memory bound, add waits for the store', async () => {
    const store = opening()
    const writer = new OpeningJobWriter(store.promise, {maxHeldBytes: 4})
    await writer.add(entries('abcd'))
    let added = false
    const waiting = writer.add(entries('e')).then(() => (added = true))
    await Promise.resolve()
    expect(added).toBe(false)
    const recorder = new Recorder()
    store.open(recorder)
    await waiting
    expect(recorder.lines).toEqual(['abcd', 'e'])
  })

  it('a store that cannot be opened fails every add and the finish with its error, and says so', async () => {
    const store = opening()
    const writer = new OpeningJobWriter(store.promise)
    await writer.add(entries('held'))
    const error = new Error('cannot open')
    store.fail(error)
    await expect(writer.finish({status: 'ended'})).rejects.toBe(error)
    await expect(writer.add(entries('more'))).rejects.toBe(error)
    expect(writer.openFailure).toBe(error)
  })

  it('a store that never opens fails the finish after openTimeout, saying how many lines were not stored (no hang)', async () => {
    const never = new Promise<JobWriter>(() => {})
    const writer = new OpeningJobWriter(never, {openTimeout: 1000, storeName: 's3://hung/p'})
    await writer.add(entries('one', 'two'))
    await expect(writer.finish({status: 'ended'})).rejects.toThrow(
      'cannot use s3://hung/p: it did not open within the drain timeout (1s); 2 lines read meanwhile could not be stored',
    )
  })

  it('a store that opens within openTimeout gets every line', async () => {
    const store = opening()
    const writer = new OpeningJobWriter(store.promise, {openTimeout: 60_000})
    await writer.add(entries('one'))
    const finishing = writer.finish({status: 'ended'})
    const recorder = new Recorder()
    store.open(recorder)
    await finishing
    expect(recorder.lines).toEqual(['one'])
  })

  it('once the store is open, adds wait for the held lines to be handed over instead of holding more', async () => {
    const store = opening()
    const writer = new OpeningJobWriter(store.promise)
    await writer.add(entries('held'))
    let release!: () => void
    const slow = new Recorder()
    const gate = new Promise<void>((resolve) => (release = resolve))
    const add = slow.add.bind(slow)
    slow.add = async (batch) => {
      await gate
      return add(batch)
    }
    store.open(slow)
    await Promise.resolve()
    let added = false
    const later = writer.add(entries('later')).then(() => (added = true))
    await new Promise((resolve) => setImmediate(resolve))
    expect(added).toBe(false)
    release()
    await later
    expect(slow.lines).toEqual(['held', 'later'])
  })

  it('with no memory bound (a local store), every add waits for the store', async () => {
    const store = opening()
    const writer = new OpeningJobWriter(store.promise, {maxHeldBytes: 0})
    let added = false
    const first = writer.add(entries('one')).then(() => (added = true))
    await new Promise((resolve) => setImmediate(resolve))
    expect(added).toBe(false)
    const recorder = new Recorder()
    store.open(recorder)
    await first
    expect(recorder.lines).toEqual(['one'])
  })
})
