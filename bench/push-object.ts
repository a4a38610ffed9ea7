/**
 * Benchmark: `logs push` into an object store as the live store — s3rver and the Supabase
 * stand-in (test/helpers), and the Vercel Blob stand-in with BENCH_STORES — next to push into
 * the embedded file store (the reference), on the same input, in the same run: wall and CPU
 * time, throughput and peak RSS of the push process, for each input size. Memory should not
 * grow with the log (DESIGN.md, bounded memory): the RSS of the sizes side by side says
 * whether it does. Each push's job is checked afterwards (lines and bytes in its metadata).
 *
 *   npx tsx bench/push-object.ts [MB,MB,...]   (default 30,180; BENCH_MB works too)
 *   BENCH_ROUNDS=2                              rounds, stores interleaved; RSS as min-max, time the best
 *   BENCH_STORES=file,s3,supabase,vercel-blob   which stores (default file,s3,supabase)
 *
 * The push ships chunks every --flush-interval (default 10 s) and, at EOF, assembles them
 * into the final object: its peak is in that assembly, whose memory is mostly the archive
 * writer's (block-writer.ts and its worker threads), as `logs archive` of the same job shows.
 * Prints figures; never passes or fails. Needs a built CLI (npm run build).
 */
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'
import {mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, isolatedEnv} from '../test/helpers/cli.js'
import {startS3Server, type S3Server} from '../test/helpers/s3-server.js'
import {startSupabaseStandin, type SupabaseStandin} from '../test/helpers/supabase-storage-standin.js'
import {startVercelBlobStandin, type VercelBlobStandin} from '../test/helpers/vercel-blob-standin.js'
import {writeInput} from './lib/input.js'
import {measure, rate, table} from './lib/measure.js'

const SIZES = String(process.argv[2] ?? process.env.BENCH_MB ?? '30,180')
  .split(',')
  .map(Number)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const STORES = (process.env.BENCH_STORES ?? 'file,s3,supabase').split(',').filter(Boolean)
const work = mkdtempSync(join(tmpdir(), 'logs-bench-object-'))
/**
 * The default 60 s bounds the whole delivery after EOF, not a time without progress: 180 MB
 * into s3rver ships and assembles for 40-50 s here, past 60 s when the machine is busy.
 */
const DRAIN_TIMEOUT = '10m'

interface Target {
  name: string
  store: () => string
  env: () => NodeJS.ProcessEnv
}

let s3: S3Server | undefined
let supabase: SupabaseStandin | undefined
let blob: VercelBlobStandin | undefined

const TARGETS: Record<string, Target> = {
  file: {name: 'file store (reference)', store: () => `file://${join(work, 'file-store')}`, env: () => ({})},
  s3: {name: 's3rver', store: () => 's3://live/bench', env: () => ({...s3!.env(), AWS_EC2_METADATA_DISABLED: 'true'})},
  supabase: {name: 'Supabase stand-in', store: () => 'supabase://live/bench', env: () => supabase!.env()},
  'vercel-blob': {name: 'Vercel Blob stand-in', store: () => 'vercel-blob://bench', env: () => blob!.env()},
}

interface Row {
  target: Target
  mb: number
  bytes: number
  seconds: number[]
  cpu: number[]
  rss: number[]
  check: string
}

try {
  const unknown = STORES.filter((s) => !TARGETS[s])
  if (unknown.length > 0) throw new Error(`BENCH_STORES: unknown ${unknown.join(', ')}; known: ${Object.keys(TARGETS).join(', ')}`)
  if (STORES.includes('s3')) {
    s3 = await startS3Server()
    await s3.createBucket('live')
  }
  // The stand-ins run in this process: what they store is not in the measured push's memory.
  if (STORES.includes('supabase')) supabase = await startSupabaseStandin({fileSizeLimit: 1024 * 1024 * 1024})
  if (STORES.includes('vercel-blob')) blob = await startVercelBlobStandin()
  const rows: Row[] = []
  for (const mb of SIZES) {
    const input = join(work, `input-${mb}.log`)
    const lines = await writeInput(input, mb * 1e6)
    const bytes = statSync(input).size
    console.log(`input: ${(bytes / 1e6).toFixed(0)} MB, ${lines} lines`)
    for (let round = 0; round < ROUNDS; round++) {
      for (const key of STORES) {
        const target = TARGETS[key]
        const job = `bench-${mb}-${round}`
        const env = isolatedEnv(join(work, `home-${key}-${job}`), target.env())
        const run = await measure(process.execPath, [BIN, 'push', '--job', job, '--store', target.store(), '--drain-timeout', DRAIN_TIMEOUT], {stdin: input, env})
        let row = rows.find((r) => r.target === target && r.mb === mb)
        if (!row) rows.push((row = {target, mb, bytes, seconds: [], cpu: [], rss: [], check: ''}))
        row.seconds.push(run.seconds)
        row.cpu.push(run.cpuSeconds)
        row.rss.push(run.peakRssMB)
        // The first round that was not ok says so (a push past its --drain-timeout on a busy machine, say).
        const check = run.code === 0 ? await stored(target, job, env, lines, bytes) : `round ${round + 1}: push exited ${run.code}`
        if (!row.check || row.check === 'ok') row.check = check
        rmSync(env.HOME!, {recursive: true, force: true})
      }
    }
    rmSync(input, {force: true})
  }
  const reference = (mb: number) => rows.find((r) => r.mb === mb && r.target === TARGETS.file)
  const range = (values: number[]) =>
    Math.min(...values) === Math.max(...values) ? Math.min(...values).toFixed(0) : `${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)}`
  console.log(
    table([
      ['push into', 'MB', 'seconds (best)', 'throughput', 'CPU s', 'peak RSS MB', 'RSS vs file store', 'stored'],
      ...rows.map((r) => {
        const ref = reference(r.mb)
        const vsFile = ref && ref !== r ? `+${(Math.min(...r.rss) - Math.min(...ref.rss)).toFixed(0)} MB` : ''
        return [r.target.name, String(r.mb), Math.min(...r.seconds).toFixed(2), rate(r.bytes, Math.min(...r.seconds)), Math.min(...r.cpu).toFixed(2), range(r.rss), vsFile, r.check]
      }),
    ]),
  )
  for (const key of STORES) {
    const mine = rows.filter((r) => r.target === TARGETS[key])
    if (mine.length < 2) continue
    const [small, big] = [mine[0], mine.at(-1)!]
    console.log(
      `${TARGETS[key].name}: peak RSS ${Math.min(...small.rss).toFixed(0)} MB at ${small.mb} MB, ${Math.min(...big.rss).toFixed(0)} MB at ${big.mb} MB (${big.mb / small.mb}× the input)`,
    )
  }
} finally {
  await Promise.all([s3?.destroy(), supabase?.stop(), blob?.stop()])
  rmSync(work, {recursive: true, force: true})
}

/** 'ok', or what the job's metadata says instead of the input's lines and bytes. Not spawnSync: the stand-ins answer from this process. */
async function stored(target: Target, job: string, env: NodeJS.ProcessEnv, lines: number, bytes: number): Promise<string> {
  const ls = await promisify(execFile)(process.execPath, [BIN, 'ls', '--store', target.store(), '--json'], {env, maxBuffer: 64 * 1024 * 1024}).catch(
    (error: Error & {stderr?: string}) => ({stdout: '', stderr: error.stderr || error.message}),
  )
  const listed = JSON.parse(ls.stdout || '[]') as Array<{id: string; lines: number; bytes: number}>
  const meta = Array.isArray(listed) ? listed.find((m) => m.id === job) : undefined
  if (!meta) return `job missing (${ls.stderr.slice(0, 200)})`
  return meta.lines === lines && meta.bytes === bytes ? 'ok' : `${meta.lines} lines, ${meta.bytes} bytes`
}
