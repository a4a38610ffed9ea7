/**
 * Runs every benchmark, one after the other, each as its own process, and prints each
 * one's table (its figures next to the reference measured in the same run), then a summary.
 *
 *   npm run bench                        every bench at small sizes (a few minutes)
 *   npm run bench -- archive push-file   only these
 *   npm run bench -- --full              each bench's own default sizes (much longer)
 *   BENCH_MB=64 npm run bench -- push-file   any bench's own variables win over the small sizes
 *
 * Prints figures; never passes or fails on them. A bench that cannot run (no redis-server,
 * tmux or chromium) is reported as failed and the others carry on; the exit code is 1 then.
 * Needs a built CLI (npm run build).
 */
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {performance} from 'node:perf_hooks'
import {table} from './lib/measure.js'

interface Bench {
  name: string
  what: string
  /** Variables that make it cheap; each applies only when the caller has not set it. */
  small: Record<string, string>
}

const BENCHES: Bench[] = [
  {name: 'start-up', what: 'start-up of ls, get, push, --help, --version vs node -e 0', small: {BENCH_RUNS: '3'}},
  {
    name: 'push-file',
    what: 'push vs a Node line split; get --output raw vs a Node file copy; get --grep vs grep -c; push → follower latency',
    small: {BENCH_MB: '16', BENCH_RATES: '1000', BENCH_SECONDS: '2', BENCH_ROUNDS: '2'},
  },
  {name: 'push-stages', what: "push's stages in one process (split, records, file store append, sections) vs a Node line split", small: {BENCH_MB: '16', BENCH_ROUNDS: '3'}},
  {name: 'push-mask', what: 'push with secret masking vs push --no-mask-defaults', small: {BENCH_MB: '16'}},
  {name: 'level-detect', what: 'level detection ns/line vs decoding the line; accuracy on the labelled corpus', small: {BENCH_ROUNDS: '5'}},
  {name: 'push-structure', what: 'push of a log full of sections and traces vs a plain log', small: {BENCH_MB: '16'}},
  {name: 'push-redis', what: 'push into Redis vs redis-cli --pipe; push → follower latency', small: {BENCH_MB: '8', BENCH_RATES: '1000', BENCH_SECONDS: '2', BENCH_ROUNDS: '2'}},
  {name: 'push-object', what: 'push into s3rver and the Supabase stand-in vs the file store: MB/s and peak RSS at two input sizes', small: {BENCH_MB: '8,32', BENCH_ROUNDS: '1'}},
  {name: 'archive', what: 'archive MB/s and RSS vs gzip -1; small jobs at concurrency 1/8/32', small: {BENCH_MB: '16', BENCH_SMALL_JOBS: '200'}},
  {
    name: 'archive-continued',
    what: 'archive of a job pushed again after archive (blocks copied) vs one job of the same lines',
    small: {BENCH_MB: '16', BENCH_SMALL_MB: '1', BENCH_ROUNDS: '2'},
  },
  {name: 'archive-seek', what: 'archived reads by block index: bytes and requests vs live and zstdcat', small: {BENCH_MB: '16', BENCH_SMALL_JOBS: '50'}},
  {
    name: 'cross-job',
    what: 'get over 200 small archived jobs: ls requests, rare --grep bytes vs stored bytes and vs zstdcat | grep',
    small: {BENCH_SMALL_JOBS: '200', BENCH_JOB_LINES: '2000'},
  },
  {name: 'relay', what: 'SSE followers latency vs the store; push --url vs push', small: {BENCH_FOLLOWERS: '100', BENCH_RATE: '500', BENCH_SECONDS: '3', BENCH_MB: '4'}},
  {name: 'tail', what: 'viewer time to first screen vs less +G; push → screen latency', small: {BENCH_TAIL_LINES: '100000', BENCH_TAIL_RATES: '1000', BENCH_TAIL_SECONDS: '2'}},
  {name: 'web.viewer', what: 'web viewer: first lines, page memory, frame timing', small: {BENCH_LINES: '20000', BENCH_RATE: '2000', BENCH_SECONDS: '2'}},
]

const args = process.argv.slice(2)
const full = args.includes('--full')
const names = args.filter((a) => !a.startsWith('--'))
const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n))
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`)
  process.exit(2)
}
const chosen = names.length > 0 ? BENCHES.filter((b) => names.includes(b.name)) : BENCHES

function run(bench: Bench): Promise<{code: number | null; seconds: number; sizes: string}> {
  const env = {...process.env}
  const sizes: string[] = []
  for (const [key, value] of Object.entries(full ? {} : bench.small)) {
    env[key] ??= value
  }
  for (const key of Object.keys(bench.small)) if (env[key] !== undefined) sizes.push(`${key}=${env[key]}`)
  const file = fileURLToPath(new URL(`${bench.name}.ts`, import.meta.url))
  const start = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', file], {env, stdio: 'inherit'})
  return new Promise((resolve) => {
    child.on('error', () => resolve({code: null, seconds: 0, sizes: sizes.join(' ')}))
    child.on('exit', (code) => resolve({code, seconds: (performance.now() - start) / 1000, sizes: sizes.join(' ') || 'defaults'}))
  })
}

const rows = [['bench', 'measures', 'sizes', 'took', 'status']]
let failed = false
for (const bench of chosen) {
  console.log(`\n=== bench/${bench.name}.ts — ${bench.what}\n`)
  const result = await run(bench)
  failed ||= result.code !== 0
  rows.push([bench.name, bench.what, result.sizes, `${result.seconds.toFixed(0)} s`, result.code === 0 ? 'ok' : `failed (${result.code})`])
}
console.log(`\n=== summary${full ? ' (full sizes)' : ' (small sizes; --full for the benches’ defaults)'}\n`)
console.log(table(rows))
process.exit(failed ? 1 : 0)
