/**
 * What a command loads at start-up (issue 16): `ls` and `get` on the embedded file store
 * load the bundle's own modules (dist/) and Node's, nothing from node_modules — the AWS SDK,
 * Supabase, Vercel Blob, Ink and React stay unloaded — and none of the chunks that only
 * other backends or the viewer need; `get` of a live job does not load the archive's code.
 * `get` of a job archived in Supabase Storage or S3 imports nothing from node_modules as an
 * ES module (Supabase downloads go over node:http; the AWS SDK is required) and calls no fetch.
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import module from 'node:module'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isolatedEnv, ROOT, runCli, tempHome} from '../../helpers/cli.js'
import {startFaultProxy} from '../../helpers/fault-proxy.js'
import {startS3Server} from '../../helpers/s3-server.js'
import {startSupabaseStandin} from '../../helpers/supabase-storage-standin.js'

const REGISTER = join(ROOT, 'test', 'helpers', 'record-imports.mjs')
/** Chunks esbuild names after the module a backend or the viewer imports on demand. */
const ON_DEMAND = /\/dist\/(redis-store|s3-bucket|supabase-bucket|vercel-blob-bucket|object-live-store|relay-store|open-viewer)-[\w-]+\.js$/
/**
 * The archive's chunks: `ls` lists archived jobs too, once there is an archive (a file://
 * archive's directory is made by the first `logs archive`); `get` of a live job never opens it.
 */
const ARCHIVE = /\/dist\/(archive|blob-archive|directory-bucket)-[\w-]+\.js$/

let home: {home: string; cleanup: () => void}
/** A store never archived: no archive directory yet. */
let env: NodeJS.ProcessEnv
/** A store one of whose jobs was archived (into the default file:// archive). */
let archivedEnv: NodeJS.ProcessEnv

beforeAll(async () => {
  home = tempHome()
  env = isolatedEnv(home.home, {LOGS_STORE: `file://${join(home.home, 'store')}`})
  const pushed = await runCli(['push', '--job', 'start-1'], {env, input: 'one line\n'})
  expect(pushed.code).toBe(0)
  const archivedHome = join(home.home, 'archived')
  mkdirSync(archivedHome)
  archivedEnv = isolatedEnv(archivedHome, {LOGS_STORE: `file://${join(archivedHome, 'store')}`})
  for (const job of ['start-old', 'start-new']) expect((await runCli(['push', '--job', job], {env: archivedEnv, input: 'one line\n'})).code).toBe(0)
  const archived = await runCli(['archive', '--job', 'start-old'], {env: archivedEnv})
  expect(archived.code).toBe(0)
  const listed = JSON.parse((await runCli(['ls', '--json'], {env: archivedEnv})).stdout) as Array<{id: string; location: {kind: string}}>
  expect(listed.map((job) => [job.id, job.location.kind]).sort()).toEqual([
    ['start-new', 'live'],
    ['start-old', 'archived'],
  ])
})
afterAll(() => home.cleanup())

/** A case named `… archived` runs in the store with an archived job; its record file's name has no blank. */
const caseEnv = (name: string): NodeJS.ProcessEnv => (name.endsWith(' archived') ? archivedEnv : env)
const recordName = (name: string): string => name.replace(' ', '-')

/** The modules the command loaded, Node's own (`node:…`) too when `builtins`. */
async function loadedBy(args: string[], name: string, over: NodeJS.ProcessEnv = env, builtins = false, input?: string): Promise<string[]> {
  const record = join(home.home, `imports-${name}`)
  const result = await runCli(args, {env: {...over, NODE_OPTIONS: `--import=${REGISTER}`, RECORD_IMPORTS: record}, input})
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  const urls = readFileSync(record, 'utf8').trim().split('\n')
  return urls.filter((url) => (builtins || !url.startsWith('node:')) && !url.includes('/test/helpers/record-imports'))
}

describe('start-up', () => {
  // `… archived`: in the store with an archived job.
  it.each<[string, string[], boolean]>([
    ['ls', ['ls'], false],
    ['ls archived', ['ls'], true],
    ['get', ['get', 'start-1', '-n', '1'], false],
    ['get archived', ['get', 'start-new', '-n', '1'], false],
  ])('%s loads only the bundle in dist/, and no backend or viewer it does not use', async (name, args, archive) => {
    const urls = await loadedBy(args, recordName(name), caseEnv(name))
    expect(urls.length).toBeGreaterThan(0)
    expect(urls.filter((url) => !url.startsWith(`file://${ROOT}/bin/`) && !url.startsWith(`file://${ROOT}/dist/`))).toEqual([])
    expect(urls.filter((url) => ON_DEMAND.test(url))).toEqual([])
    expect(urls.some((url) => /\/dist\/read-[\w-]+\.js$/.test(url))).toBe(true)
    expect(urls.filter((url) => ARCHIVE.test(url)).length > 0).toBe(archive)
  })

  // Each module costs Node a resolution, a read, a compile and a link (~1.5 ms of CPU on
  // Node 20): scripts/bundle.mjs puts what start-up needs in a few chunks (START_UP).
  // Cut by shared use alone (esbuild's splitting) ls loaded 48 modules, get 49, push 52
  // (push loads the archive's two chunks when it also runs the store's maintenance). An
  // import() of a module already in a loaded chunk is a module of its own (a facade that
  // re-exports it): is-wsl was one more for every command, the file store and its URL
  // helper two more for each that opens the file store.
  // `ls` of a store never archived loads none of the archive (open/lazy-archive.ts).
  it.each<[string, string[], number, string?]>([
    ['--version', ['--version'], 4],
    ['get', ['get', 'start-1', '-n', '1'], 6],
    ['ls', ['ls'], 6],
    ['ls archived', ['ls'], 9],
    ['push', ['push', '--job', 'start-count'], 10, 'one line\n'],
  ])('logs %s loads at most a handful of modules', async (name, args, most, input) => {
    const urls = await loadedBy(args, `count-${recordName(name)}`, caseEnv(name), false, input)
    expect(urls.length).toBeGreaterThan(1)
    expect(urls.length).toBeLessThanOrEqual(most)
  })

  it.each([['ls'], ['get', 'start-1', '-n', '1'], ['--version']])("logs %s never calls localeCompare (its first call builds ICU's collator)", async (...args) => {
    const lines = await loadedBy(args, `collator-${args[0]}`)
    expect(lines.length).toBeGreaterThan(0)
    expect(lines).not.toContain('localeCompare')
  })

  // oclif reads the package.json and manifest of every plugin package.json lists, on every
  // run: its own plugins (help, not-found, autocomplete) are bundled as our commands instead.
  // Our package.json is read once, by bin/run.js, which hands it to oclif; the manifest with
  // readFileSync (scripts/oclif-patches.mjs): fs/promises made each read a round trip
  // through libuv's thread pool, the first of which started the pool's threads.
  it.each([['ls'], ['get', 'start-1', '-n', '1'], ['--version']])(
    "logs %s reads the CLI's own manifest at once, its package.json once, and nothing from node_modules",
    async (...args) => {
      await loadedBy(args, `reads-${args[0]}`)
      const reads = readFileSync(join(home.home, `imports-reads-${args[0]}.reads`), 'utf8')
        .trim()
        .split('\n')
      expect(reads).toContain(join(ROOT, 'oclif.manifest.json'))
      expect(reads.filter((path) => path === join(ROOT, 'package.json'))).toHaveLength(1)
      expect(reads.filter((path) => path.includes('/node_modules/'))).toEqual([])
    },
  )

  // What oclif uses on rare paths (help templates, glob, minimatch…) is bundled apart and
  // required on first use: scripts/oclif-patches.mjs.
  it.each<[string, string[], boolean]>([
    ['ls', ['ls'], false],
    ['get', ['get', 'start-1', '-n', '1'], false],
    ['--version', ['--version'], false],
    ['--help', ['--help'], true],
  ])('logs %s requires dist/oclif-rare.cjs only to show help', async (name, args, rare) => {
    await loadedBy(args, `rare-${name}`)
    const requires = readFileSync(join(home.home, `imports-rare-${name}.requires`), 'utf8')
      .trim()
      .split('\n')
    expect(requires).toContain('node:path')
    expect(requires.includes('./oclif-rare.cjs')).toBe(rare)
  })

  // oclif's util/os required child_process at the top, and imported wsl-utils (which does
  // too) to tell WSL from Linux; its parser required readline: scripts/oclif-patches.mjs.
  it.each([['ls'], ['get', 'start-1', '-n', '1'], ['--version']])('logs %s loads neither node:child_process nor node:readline', async (...args) => {
    const urls = await loadedBy(args, `child-${args[0]}`, env, true)
    const requires = readFileSync(join(home.home, `imports-child-${args[0]}.requires`), 'utf8')
      .trim()
      .split('\n')
    expect(urls).toContain('node:os')
    expect([...urls, ...requires].filter((name) => /^(node:)?(child_process|readline)$/.test(name))).toEqual([])
  })

  // Loading and compiling re2js took 20-30 ms: a pattern V8's RegExp matches as RE2 does goes without it.
  it.each<[string, boolean]>([
    ['item 1234[0-9]', false],
    ['ERROR|FATAL', false],
    ['one.l{2}ne', false],
    ['one +line', true],
    ['(one|two) line', true],
  ])('get --grep %j requires re2js: %s', async (pattern, re2) => {
    const name = `re2-${pattern.replace(/\W/g, '_')}`
    await loadedBy(['get', 'start-1', '--grep', pattern], name)
    const requires = readFileSync(join(home.home, `imports-${name}.requires`), 'utf8')
      .trim()
      .split('\n')
    expect(requires.includes('re2js')).toBe(re2)
  })

  // An ES import of one of Node's modules reads every export it has, lazy ones too: of
  // node:process its report (and worker and performance internals), of node:util parseArgs
  // and diff (9 ms of CPU on Node 24 for ls). The bundle takes them as require does
  // (scripts/builtin-imports.mjs); node:v8 and node:vm only where Node 20 needs them at exit,
  // node:perf_hooks only for OCLIF_PERFORMANCE. node:tty (which loads node:net) only where a
  // colour is decided for a terminal: the colour probes of chalk, debug and oclif's theme asked
  // tty.isatty at import, 7 ms of Node 24's start where stdout is a file (scripts/chalk-levels.mjs,
  // oclif-patches.mjs); here stdout and stderr are pipes, which do not load it.
  it.each([['ls'], ['get', 'start-1', '-n', '1'], ['--version']])("logs %s loads none of Node's modules for what it does not use", async (...args) => {
    const record = join(home.home, `builtins-${args[0]}`)
    const result = await runCli(args, {env: {...env, NODE_OPTIONS: `--require=${join(ROOT, 'test', 'helpers', 'record-builtins.cjs')}`, RECORD_BUILTINS: record}})
    expect(result.code).toBe(0)
    const builtins = readFileSync(record, 'utf8').trim().split('\n')
    expect(builtins).toContain('fs')
    const unused = ['internal/process/report', 'internal/util/parse_args/parse_args', 'internal/util/diff', 'worker_threads', 'perf_hooks', 'tty']
    if (Number(process.versions.v8.split('.')[0]) >= 12) unused.push('v8', 'vm')
    expect(builtins.filter((name) => unused.includes(name))).toEqual([])
  })

  it('get of a live job loads none of the Node modules only writers and the archive use', async () => {
    const urls = await loadedBy(['get', 'start-1', '-n', '1'], 'get-builtins', env, true)
    expect(urls).toContain('node:fs/promises')
    expect(urls.filter((url) => ['node:crypto', 'node:zlib', 'node:worker_threads'].includes(url))).toEqual([])
  })

  it('ls, which reads the archive, loads none of its writer (block-writer and its worker threads), nor crypto and zlib for an archive with nothing to decompress', async () => {
    const archive = join(home.home, 'empty-archive')
    mkdirSync(archive, {recursive: true})
    const urls = await loadedBy(['ls'], 'ls-builtins', {...env, LOGS_ARCHIVE: `file://${archive}`}, true)
    expect(urls.some((url) => ARCHIVE.test(url))).toBe(true)
    expect(urls).toContain('node:fs/promises')
    expect(urls.filter((url) => ['node:worker_threads', 'node:crypto', 'node:zlib'].includes(url) || /\/dist\/block-writer-[\w-]+\.js$/.test(url))).toEqual([])
  })

  it('push into the file store loads neither node:worker_threads (only a push into Redis ships from a thread) nor node:crypto (only a spool hashes)', async () => {
    const urls = await loadedBy(['push', '--job', 'start-push'], 'push-builtins', env, true, 'one line\n')
    expect(urls).toContain('node:fs/promises')
    expect(urls.filter((url) => ['node:worker_threads', 'node:crypto'].includes(url))).toEqual([])
  })
})

/** An archive on a real server (s3rver) or the stand-in, its environment, and how many object reads it served. */
interface ArchiveServer {
  env: NodeJS.ProcessEnv
  reads: () => number
  stop: () => Promise<void>
}

const archives: Array<[string, () => Promise<ArchiveServer>]> = [
  [
    'Supabase Storage (stand-in)',
    async () => {
      const standin = await startSupabaseStandin()
      return {env: {...standin.env(), LOGS_ARCHIVE: 'supabase://logs/start-up'}, reads: () => standin.downloads.length, stop: () => standin.stop()}
    },
  ],
  [
    'S3 (s3rver)',
    async () => {
      const s3 = await startS3Server()
      await s3.start()
      await s3.createBucket('logs')
      const proxy = await startFaultProxy(s3.endpoint)
      const stop = async () => {
        await proxy.stop()
        await s3.destroy()
      }
      return {env: {...s3.env(), AWS_ENDPOINT_URL: proxy.url, LOGS_ARCHIVE: 's3://logs/start-up'}, reads: () => proxy.statuses.get(206) ?? 0, stop}
    },
  ],
]

describe.each(archives)('start-up of a read from an archive on %s', (name, start) => {
  let server: ArchiveServer
  let archived: NodeJS.ProcessEnv
  beforeAll(async () => {
    server = await start()
    archived = {...env, ...server.env}
    expect((await runCli(['push', '--job', 'start-2'], {env: archived, input: 'one\ntwo\n'})).code).toBe(0)
    expect((await runCli(['archive', '--job', 'start-2'], {env: archived})).code).toBe(0)
  })
  afterAll(async () => {
    await server?.stop()
  })

  // storage-js would call fetch, whose first call compiles undici (~130 ms of CPU on Node
  // 20); an ES import of the CommonJS AWS SDK makes Node 20 scan it for export names (~40 ms).
  it('get -n imports nothing from node_modules as an ES module, never calls fetch, and loads no upload code', async () => {
    const before = server.reads()
    const urls = await loadedBy(['get', 'start-2', '-n', '1'], name.split(' ')[0], archived)
    expect(server.reads() - before).toBeGreaterThanOrEqual(2) // it did read the archive: the index table and the block, by range
    expect(urls.filter((url) => !url.startsWith(`file://${ROOT}/bin/`) && !url.startsWith(`file://${ROOT}/dist/`))).toEqual([])
    expect(urls.some((url) => /\/dist\/(supabase|s3)-bucket-[\w-]+\.js$/.test(url))).toBe(true)
  })
})

describe('compile cache', () => {
  const hasCompileCache = typeof (module as {enableCompileCache?: unknown}).enableCompileCache === 'function'

  const {version} = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}

  it(`${hasCompileCache ? 'is kept in $XDG_CACHE_HOME/logs/compile-cache/VERSION' : 'is not there on this Node, and nothing is written for it'}`, async () => {
    const cache = join(home.home, 'cache-ok')
    const result = await runCli(['ls'], {env: {...env, XDG_CACHE_HOME: cache}})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const dir = join(cache, 'logs', 'compile-cache')
    expect(existsSync(dir)).toBe(hasCompileCache)
    if (hasCompileCache) expect(readdirSync(join(dir, version), {recursive: true}).length).toBeGreaterThan(1)
  })

  it(`${hasCompileCache ? "the first run of a version removes other versions' caches, and only the first" : 'is not tidied on this Node'}`, async () => {
    const cache = join(home.home, 'cache-tidy')
    const dir = join(cache, 'logs', 'compile-cache')
    // An older release's cache, and one of the layout before versions (Node's own directory, right there).
    const older = [join(dir, '0.0.1', 'v24.0.0-x64-0a1b2c3d-0'), join(dir, 'v24.0.0-x64-0a1b2c3d-0')]
    for (const path of older) {
      mkdirSync(path, {recursive: true})
      writeFileSync(join(path, '5e6f7a8b'), 'code')
    }
    const first = await runCli(['ls'], {env: {...env, XDG_CACHE_HOME: cache}})
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('start-1')
    expect(readdirSync(dir).sort()).toEqual(hasCompileCache ? [version] : ['0.0.1', 'v24.0.0-x64-0a1b2c3d-0'])
    if (!hasCompileCache) return

    // Another version run meanwhile (as `npx logs@0.0.2` would) keeps its cache until that version runs for the first time.
    mkdirSync(join(dir, '0.0.2', 'v24.0.0-x64-0a1b2c3d-0'), {recursive: true})
    const again = await runCli(['ls'], {env: {...env, XDG_CACHE_HOME: cache}})
    expect(again.code).toBe(0)
    expect(readdirSync(dir).sort()).toEqual(['0.0.2', version])
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
