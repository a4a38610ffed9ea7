/**
 * Benchmark: `logs archive` of a job pushed again after it was archived — a big archived
 * run and a small live one — which writes one object of both runs, the archived run's gzip
 * members copied as they are stored (src/lib/archive/block-copy.ts). Measured next to the
 * references of the same run on the same data:
 *
 *   archive of the continued job (BIG MB archived + SMALL MB live)
 *     vs archive of one job of the same BIG + SMALL lines, all live (everything encoded and compressed)
 *     vs archive of the SMALL MB alone (what is left to encode when the rest is copied)
 *
 *   npx tsx bench/archive-continued.ts [BIG_MB] [SMALL_MB]   (defaults 64 and 1; env BENCH_MB, BENCH_SMALL_MB, BENCH_ROUNDS)
 *
 * file store → file:// archive. Times are the least of ROUNDS runs, CPU (user + system) beside
 * them: on a shared machine CPU time says more than wall time. Prints figures; never passes or fails.
 */
import {mkdtempSync, rmSync, statSync, writeFileSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, isolatedEnv} from '../test/helpers/cli.js'
import {writeInput} from './lib/input.js'
import {measure, table, type Measured} from './lib/measure.js'

const BIG_MB = Number(process.argv[2] ?? process.env.BENCH_MB ?? 64)
const SMALL_MB = Number(process.argv[3] ?? process.env.BENCH_SMALL_MB ?? 1)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const work = mkdtempSync(join(tmpdir(), 'logs-bench-continued-'))

const big = join(work, 'big.log')
const small = join(work, 'small.log')
const both = join(work, 'both.log')
await writeInput(big, BIG_MB * 1e6)
await writeInput(small, SMALL_MB * 1e6, (n) => `small run line ${n}`.padEnd(99, '.'))
writeFileSync(both, Buffer.concat([readFileSync(big), readFileSync(small)]))

async function logs(env: NodeJS.ProcessEnv, args: string[], stdin?: string): Promise<Measured> {
  const result = await measure(process.execPath, [BIN, ...args], {env, stdin})
  if (result.code !== 0) throw new Error(`logs ${args.join(' ')} exited ${result.code}`)
  return result
}

/** One round in fresh stores: the three archives measured, and the objects' sizes. */
async function round(n: number): Promise<Record<string, Measured & {objectBytes: number}>> {
  const dir = join(work, `round-${n}`)
  const archive = join(dir, 'archive')
  const env = isolatedEnv(dir, {LOGS_STORE: `file://${join(dir, 'live')}`, LOGS_ARCHIVE: `file://${archive}`})
  const size = (job: string) => statSync(join(archive, `${job}.jsonl.zst`)).size
  await logs(env, ['push', '--job', 'continued'], big)
  await logs(env, ['archive', '--job', 'continued'])
  await logs(env, ['push', '--job', 'continued'], small)
  await logs(env, ['push', '--job', 'whole'], both)
  await logs(env, ['push', '--job', 'alone'], small)
  const continued = await logs(env, ['archive', '--job', 'continued'])
  const whole = await logs(env, ['archive', '--job', 'whole'])
  const alone = await logs(env, ['archive', '--job', 'alone'])
  const measured = {
    continued: {...continued, objectBytes: size('continued')},
    whole: {...whole, objectBytes: size('whole')},
    alone: {...alone, objectBytes: size('alone')},
  }
  rmSync(dir, {recursive: true, force: true})
  return measured
}

const best: Record<string, Measured & {objectBytes: number}> = {}
for (let n = 1; n <= ROUNDS; n++) {
  for (const [name, m] of Object.entries(await round(n))) {
    const kept = best[name]
    best[name] = kept
      ? {...m, seconds: Math.min(kept.seconds, m.seconds), cpuSeconds: Math.min(kept.cpuSeconds, m.cpuSeconds), peakRssMB: Math.min(kept.peakRssMB, m.peakRssMB)}
      : m
  }
}
rmSync(work, {recursive: true, force: true})

const row = (label: string, m: Measured & {objectBytes: number}): string[] => [
  label,
  `${m.seconds.toFixed(2)} s`,
  `${m.cpuSeconds.toFixed(2)} s CPU`,
  `${m.peakRssMB.toFixed(0)} MB RSS`,
  `${(m.objectBytes / 1e6).toFixed(2)} MB object`,
]
console.log(`logs archive, file store → file:// archive, least of ${ROUNDS} rounds (Node ${process.version})`)
console.log(
  table([
    ['', 'wall', 'CPU', 'peak RSS', 'object'],
    row(`continued job: ${BIG_MB} MB archived + ${SMALL_MB} MB live (blocks copied)`, best.continued),
    row(`reference: one live job of the same ${BIG_MB + SMALL_MB} MB (all encoded)`, best.whole),
    row(`reference: the ${SMALL_MB} MB live run alone`, best.alone),
  ]),
)
console.log(
  `continued / whole: ${(best.continued.cpuSeconds / best.whole.cpuSeconds).toFixed(2)}× the CPU, ${(best.continued.seconds / best.whole.seconds).toFixed(2)}× the wall time`,
)
