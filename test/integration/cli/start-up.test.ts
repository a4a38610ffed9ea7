/**
 * What a command loads at start-up (issue 16): `ls` and `get` on the embedded file store
 * load the bundle's own modules (dist/) and Node's, nothing from node_modules — the AWS SDK,
 * Supabase, Vercel Blob, Ink and React stay unloaded — and none of the chunks that only
 * other backends or the viewer need; `get` of a live job does not load the archive's code.
 * `get` of a job archived in Supabase Storage loads no storage-js and calls no fetch: its
 * downloads go over node:http (fetch's first call costs ~130 ms of CPU on Node 20).
 */
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import module from 'node:module'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isolatedEnv, ROOT, runCli, tempHome} from '../../helpers/cli.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'

const REGISTER = join(ROOT, 'test', 'helpers', 'record-imports.mjs')
/** Chunks esbuild names after the module a backend or the viewer imports on demand. */
const ON_DEMAND = /\/dist\/(redis-store|s3-bucket|supabase-bucket|vercel-blob-bucket|object-live-store|relay-store|open-viewer)-[A-Z0-9]+\.js$/
/** The archive's chunks: `ls` lists archived jobs too; `get` of a live job never opens the archive. */
const ARCHIVE = /\/dist\/(blob-archive|directory-bucket)-[A-Z0-9]+\.js$/

let home: {home: string; cleanup: () => void}
let env: NodeJS.ProcessEnv

beforeAll(async () => {
  home = tempHome()
  env = isolatedEnv(home.home, {LOGS_STORE: `file://${join(home.home, 'store')}`})
  const pushed = await runCli(['push', '--job', 'start-1'], {env, input: 'one line\n'})
  expect(pushed.code).toBe(0)
})
afterAll(() => home.cleanup())

async function loadedBy(args: string[], name: string, over: NodeJS.ProcessEnv = env): Promise<string[]> {
  const record = join(home.home, `imports-${name}`)
  const result = await runCli(args, {env: {...over, NODE_OPTIONS: `--import=${REGISTER}`, RECORD_IMPORTS: record}})
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  const urls = readFileSync(record, 'utf8').trim().split('\n')
  return urls.filter((url) => !url.startsWith('node:') && !url.includes('/test/helpers/record-imports'))
}

describe('start-up', () => {
  it.each<[string, string[], boolean]>([
    ['ls', ['ls'], true],
    ['get', ['get', 'start-1', '-n', '1'], false],
  ])('%s loads only the bundle in dist/, and no backend or viewer it does not use', async (name, args, archive) => {
    const urls = await loadedBy(args, name)
    expect(urls.length).toBeGreaterThan(0)
    expect(urls.filter((url) => !url.startsWith(`file://${ROOT}/bin/`) && !url.startsWith(`file://${ROOT}/dist/`))).toEqual([])
    expect(urls.filter((url) => ON_DEMAND.test(url))).toEqual([])
    expect(urls.some((url) => /\/dist\/file-store-[A-Z0-9]+\.js$/.test(url))).toBe(true)
    expect(urls.filter((url) => ARCHIVE.test(url)).length > 0).toBe(archive)
  })
})

describe('start-up of a read from a Supabase archive', () => {
  let standin: SupabaseStandin
  let archived: NodeJS.ProcessEnv
  beforeAll(async () => {
    standin = await startSupabaseStandin()
    archived = {...env, ...standin.env(), LOGS_ARCHIVE: 'supabase://logs/start-up'}
    expect((await runCli(['push', '--job', 'start-2'], {env: archived, input: 'one\ntwo\n'})).code).toBe(0)
    expect((await runCli(['archive', '--job', 'start-2'], {env: archived})).code).toBe(0)
  })
  afterAll(async () => {
    await standin?.stop()
  })

  it('get -n loads nothing from node_modules (no storage-js) and never calls fetch', async () => {
    const before = standin.requests.length
    const urls = await loadedBy(['get', 'start-2', '-n', '1'], 'supabase', archived)
    // It did read the archive: the manifest, the index table and the block.
    expect(standin.requests.slice(before).filter((r) => r === 'GET object').length).toBeGreaterThanOrEqual(3)
    expect(urls.some((url) => /\/dist\/supabase-bucket-[A-Z0-9]+\.js$/.test(url))).toBe(true)
    expect(urls.filter((url) => !url.startsWith(`file://${ROOT}/bin/`) && !url.startsWith(`file://${ROOT}/dist/`))).toEqual([])
  })
})

describe('compile cache', () => {
  const hasCompileCache = typeof (module as {enableCompileCache?: unknown}).enableCompileCache === 'function'

  it(`${hasCompileCache ? 'is kept in $XDG_CACHE_HOME/logs/compile-cache' : 'is not there on this Node, and nothing is written for it'}`, async () => {
    const cache = join(home.home, 'cache-ok')
    const result = await runCli(['ls'], {env: {...env, XDG_CACHE_HOME: cache}})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const dir = join(cache, 'logs', 'compile-cache')
    expect(existsSync(dir)).toBe(hasCompileCache)
    if (hasCompileCache) expect(readdirSync(dir, {recursive: true}).length).toBeGreaterThan(1)
  })

  it('a cache dir that cannot be made changes nothing but the speed', async () => {
    const file = join(home.home, 'not-a-dir')
    writeFileSync(file, '')
    const result = await runCli(['ls'], {env: {...env, XDG_CACHE_HOME: join(file, 'cache')}})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('start-1')
  })
})
