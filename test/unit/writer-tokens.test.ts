import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {newEntry} from '../../src/lib/entry.js'
import {FileStore} from '../../src/lib/store/file/file-store.js'

describe('file store writer tokens', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
  })
  const store = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logs-tokens-'))
    dirs.push(dir)
    return new FileStore(dir).init()
  }
  const line = (text: string) => [newEntry(Buffer.from(text), true, 1)]

  it('keeps any writer id a client may send (`..` included) apart from the others', async () => {
    const files = await store()
    await files.startJob('job')
    expect(await files.append('job', line('a'), {writer: '..', batch: 5})).toMatchObject({first: 1})
    expect(await files.append('job', line('b'), {writer: '.', batch: 5})).toMatchObject({first: 2})
    expect(await files.append('job', line('a'), {writer: '..', batch: 5})).toMatchObject({duplicate: true})
  })

  it('honours the tokens of a job written before (writers.json) for a writer without a record of its own', async () => {
    const files = await store()
    await files.startJob('job')
    writeFileSync(join(files.root, 'jobs', 'job', 'writers.json'), JSON.stringify({old: 7}))
    expect(await files.append('job', line('again'), {writer: 'old', batch: 7})).toMatchObject({duplicate: true})
    expect(await files.append('job', line('next'), {writer: 'old', batch: 8, after: 7})).toMatchObject({first: 1, last: 1})
    expect(await files.append('job', line('next'), {writer: 'old', batch: 8, after: 7})).toMatchObject({duplicate: true})
  })
})
