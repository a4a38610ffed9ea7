import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {LineSplitter} from '../../../src/lib/ingest/line-splitter.js'
import {type RecorderTimers, StructureRecorder} from '../../../src/lib/ingest/structure-recorder.js'
import {FileStore} from '../../../src/lib/store/file/file-store.js'
import {packEntries} from '../../../src/lib/store/packed-entries.js'
import type {LiveStore} from '../../../src/lib/store/types.js'
import {waitUntil} from '../../helpers/wait.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'logs-structure-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

/** The structure a recorder writes into a job of a real file store after observing `observe`. */
async function recorded(job: string, observe: (recorder: StructureRecorder) => void): Promise<unknown> {
  const store = await new FileStore(dir).init()
  await store.startJob(job)
  const recorder = new StructureRecorder(store, job)
  observe(recorder)
  await recorder.finish(false)
  const {sections, phase, progress} = (await store.getJob(job))!
  return {sections, phase, progress}
}

describe('StructureRecorder', () => {
  it('packed batches (chunks with and without phase keys, JSON lines in both) give the structure their entries give', async () => {
    const plain = (n: number) => Array.from({length: n}, (_, i) => (i % 2 ? `{"level":30,"msg":"item ${i}"}` : `INFO item ${i}`))
    const text = [...plain(600), '::group::Deploy', ...plain(300), '{"phase":"migrate","current":1,"total":4}', ...plain(300), '::endgroup::', ...plain(300)].join('\n') + '\n'
    const entries = new LineSplitter().push(Buffer.from(text), 1_795_000_000_000)
    const packed = packEntries(entries)
    expect(packed.chunks.length).toBeGreaterThan(4)
    const fromEntries = await recorded('entries', (recorder) => recorder.observe(1, entries))
    const fromPacked = await recorded('packed', (recorder) => recorder.observePacked(1, packed))
    expect(fromPacked).toEqual(fromEntries)
    expect(fromPacked).toMatchObject({phase: 'migrate', progress: 25, sections: [{title: 'Deploy', firstSeq: 601, lastSeq: 1203, lines: 603}]})
  })

  it('a write that fails is made again after the interval, with no new line to prompt it', async () => {
    const store = await new FileStore(dir).init()
    await store.startJob('quiet')
    let failures = 1
    const flaky = Object.create(store) as LiveStore
    flaky.updateJob = async (id, patch) => {
      if (failures-- > 0) throw new Error('the store blinked')
      return store.updateJob(id, patch)
    }
    const recorder = new StructureRecorder(flaky, 'quiet', {interval: 20})
    recorder.observe(1, new LineSplitter().push(Buffer.from('{"phase":"migrate","progress":60}\n'), 1_795_000_000_000))
    await waitUntil(async () => (await store.getJob('quiet'))?.phase === 'migrate', {what: 'the phase written again'})
    expect(failures).toBe(-1)
    await recorder.finish(false)
  })

  it('a store that keeps refusing is asked after waits doubling up to 30 s, back to the interval once a write succeeds', async () => {
    const store = await new FileStore(dir).init()
    await store.startJob('refused')
    let refuse = true
    let attempts = 0
    const refusing = Object.create(store) as LiveStore
    refusing.updateJob = async (id, patch) => {
      attempts++
      if (refuse) throw new Error('the store refuses')
      return store.updateJob(id, patch)
    }
    const timers = new ManualTimers()
    const recorder = new StructureRecorder(refusing, 'refused', {timers})
    const line = (text: string) => new LineSplitter().push(Buffer.from(text + '\n'), 1_795_000_000_000)
    recorder.observe(1, line('{"phase":"build"}'))
    for (let n = 1; n <= 8; n++) await timers.fireAndWait(() => attempts === n && timers.scheduled())
    expect(timers.waits).toEqual([0, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000])

    refuse = false
    await timers.fireAndWait(async () => (await store.getJob('refused'))?.phase === 'build')
    expect(timers.scheduled()).toBe(false)
    refuse = true
    recorder.observe(2, line('{"phase":"test"}'))
    await timers.fireAndWait(() => attempts === 10 && timers.scheduled())
    expect(timers.waits.slice(9)).toEqual([1000, 1000])
    refuse = false
    await recorder.finish(false)
    expect((await store.getJob('refused'))?.phase).toBe('test')
  })
})

/** A clock that moves only when the one pending timer is fired, recording every wait asked for. */
class ManualTimers implements RecorderTimers {
  readonly waits: number[] = []
  private time = 1_795_000_000_000
  private pending: {run: () => void; ms: number} | undefined

  now = (): number => this.time
  setTimeout = (run: () => void, ms: number): unknown => {
    expect(this.pending).toBeUndefined()
    this.waits.push(ms)
    this.pending = {run, ms}
    return this.pending
  }

  clearTimeout = (handle: unknown): void => {
    if (handle === this.pending) this.pending = undefined
  }

  scheduled(): boolean {
    return this.pending !== undefined
  }

  /** Moves the clock to the pending timer, runs it, and waits for what it should lead to. */
  async fireAndWait(outcome: () => unknown): Promise<void> {
    const timer = this.pending
    expect(timer).toBeDefined()
    this.pending = undefined
    this.time += timer!.ms
    timer!.run()
    await waitUntil(outcome, {what: 'the write the timer started'})
  }
}
