import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {LineSplitter} from '../../../src/lib/ingest/line-splitter.js'
import {StructureRecorder} from '../../../src/lib/ingest/structure-recorder.js'
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
    const recorder = new StructureRecorder(flaky, 'quiet', 20)
    recorder.observe(1, new LineSplitter().push(Buffer.from('{"phase":"migrate","progress":60}\n'), 1_795_000_000_000))
    await waitUntil(async () => (await store.getJob('quiet'))?.phase === 'migrate', {what: 'the phase written again'})
    expect(failures).toBe(-1)
    await recorder.finish(false)
  })
})
