import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {LazyArchive} from '../../../src/lib/open/lazy-archive.js'
import {checkArchiveUrl, openArchive} from '../../../src/lib/open/open-store.js'
import type {ArchiveStore} from '../../../src/lib/store/types.js'
import {newJobMeta} from '../../../src/lib/job.js'

let dir: string
let opens: number
let open: () => Promise<ArchiveStore>
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'logs-lazy-archive-'))
  opens = 0
  open = () => {
    opens++
    return openArchive({value: `file://${dir}`, from: '--archive'})
  }
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

describe('LazyArchive', () => {
  it('opens nothing until used, and closes without opening', async () => {
    const archive = new LazyArchive(open, `file://${dir}`)
    expect(archive.name).toBe(`file://${dir}`)
    await archive.close()
    expect(opens).toBe(0)
  })

  it('opens the archive once, on the first use, however many calls come at once', async () => {
    const archive = new LazyArchive(open, 'unopened')
    const [head, list] = await Promise.all([archive.head('none'), archive.list(), archive.head('other')])
    expect([head, list]).toEqual([undefined, []])
    expect(opens).toBe(1)
    expect(archive.name).toBe(`file://${dir}`)

    const meta = {...newJobMeta('kept', 1_000), status: 'succeeded' as const}
    await archive.put(meta, (async function* () {})())
    expect((await archive.head('kept'))?.meta.id).toBe('kept')
    expect(opens).toBe(1)
    await archive.close()
  })

  it('a snapshot opens the archive it was taken from (once) and its close() leaves that archive open', async () => {
    let closes = 0
    const archive = new LazyArchive(async () => {
      const opened = await open()
      const close = opened.close.bind(opened)
      opened.close = async () => {
        closes++
        await close()
      }
      return opened
    }, 'unopened')
    const meta = {...newJobMeta('seen', 1_000), status: 'succeeded' as const}
    await archive.put(meta, (async function* () {})())
    const views = [archive.snapshot(), archive.snapshot()]
    for (const view of views) expect((await view.head('seen'))?.meta.id).toBe('seen')
    await Promise.all(views.map(async (view) => view.close()))
    expect([opens, closes]).toEqual([1, 0])
    await archive.close()
    expect(closes).toBe(1)
  })

  it('an archive that cannot open fails the call that needed it; close() still returns', async () => {
    const archive = new LazyArchive(() => openArchive({value: 's3://bucket/x', from: '--archive'}, {}), 's3://bucket/x')
    await expect(archive.list()).rejects.toThrow(/--archive.*AWS_ACCESS_KEY_ID/)
    await expect(archive.close()).resolves.toBeUndefined()
  })

  it('while the archive is absent, answers list and head with nothing and opens nothing; once it is there, opens it', async () => {
    const absent = checkArchiveUrl({value: `file://${join(dir, 'archive')}`, from: '--archive'}).absent
    const archive = new LazyArchive(() => openArchive({value: `file://${join(dir, 'archive')}`, from: '--archive'}).finally(() => opens++), 'unopened', absent)
    const view = archive.snapshot()
    expect([await archive.list(), await archive.head('kept'), await view.list(), await view.head('kept')]).toEqual([[], undefined, [], undefined])
    expect(opens).toBe(0)

    // Another process archives a job meanwhile: the next call finds it.
    const writer = await openArchive({value: `file://${join(dir, 'archive')}`, from: '--archive'}, process.env, false, true)
    await writer.put({...newJobMeta('kept', 1_000), status: 'succeeded' as const}, (async function* () {})())
    await writer.close()
    expect(absent()).toBe(false)
    expect((await archive.list()).map((job) => job.meta.id)).toEqual(['kept'])
    expect((await view.head('kept'))?.meta.id).toBe('kept')
    expect(opens).toBe(1)
    await Promise.all([view.close(), archive.close()])
  })
})

describe('checkArchiveUrl(…).absent', () => {
  it("is true only while a file:// archive's directory does not exist; anything there, or another kind of archive, is opened to tell", () => {
    const missing = checkArchiveUrl({value: `file://${join(dir, 'missing')}`, from: '--archive'}).absent
    expect(missing()).toBe(true)
    expect(checkArchiveUrl({value: `file://${dir}`, from: '--archive'}).absent()).toBe(false)
    // A file where the directory should be, or above it: opening the archive reports it.
    writeFileSync(join(dir, 'missing'), 'not a directory')
    expect(missing()).toBe(false)
    expect(checkArchiveUrl({value: `file://${join(dir, 'missing', 'below')}`, from: '--archive'}).absent()).toBe(false)
    expect(checkArchiveUrl({value: 's3://bucket/prefix', from: '--archive'}).absent()).toBe(false)
  })
})
