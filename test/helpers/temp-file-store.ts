import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, beforeAll} from 'vitest'
import {openFileStore} from '../../src/lib/store/file/file-store.js'
import type {LiveStore} from '../../src/lib/store/types.js'

/** A file store in a temp dir for the calling test file: opened before its tests, closed and removed after. */
export function useTempFileStore(name: string): () => LiveStore {
  let dir: string | undefined
  let store: LiveStore | undefined
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `logs-${name}-`))
    store = await openFileStore(pathToFileURL(join(dir, 'store')))
  })
  afterAll(async () => {
    await store?.close()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })
  return () => {
    if (!store) throw new Error('the temp file store is opened in beforeAll')
    return store
  }
}
