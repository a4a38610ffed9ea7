/**
 * Benchmark: start-up of the built CLI, each command next to `node -e 0` (Node's own start,
 * the floor) measured in the same run, interleaved so a busy machine slows both alike:
 *   logs --version, logs --help       oclif alone: config, manifest, help
 *   logs ls                           a file store of two one-line jobs
 *   logs get JOB -n 1                 one job's last line from the file store
 *   echo x | logs push --job J        push's start, open, append and end
 * and, as a second reference, Node started from a user-land start-up snapshot that holds
 * nothing (node --snapshot-blob): the least a snapshot of the CLI's code could start in,
 * before deserializing that code or running any of it.
 * Each command runs in batches of BENCH_BATCH (10) back to back, timed as one (GNU time's
 * CPU figure has a 10 ms resolution; over a batch it is 1 ms a run); the best of RUNS
 * batches is printed, per run: wall, and CPU time (user + system).
 *
 *   npx tsx bench/start-up.ts [RUNS]     (default 5)
 *
 * Prints figures; never passes or fails. Needs a built CLI (npm run build).
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, isolatedEnv} from '../test/helpers/cli.js'
import {measure, table, type Measured} from './lib/measure.js'

const RUNS = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 5)
const BATCH = Number(process.env.BENCH_BATCH ?? 10)
const work = mkdtempSync(join(tmpdir(), 'logs-bench-start-'))
const env = isolatedEnv(work, {LOGS_STORE: `file://${join(work, 'store')}`})
const oneLine = join(work, 'one-line')
writeFileSync(oneLine, 'x\n')
/** Runs "$@" $1 times, each with stdin from $IN; stops at the first failure. */
const LOOP = 'n=$1; shift; for ((i = 0; i < n; i++)); do "$@" <"$IN" >/dev/null || exit 1; done'

interface Case {
  what: string
  args: string[]
  stdin?: string
}

const REFERENCE: Case = {what: 'node -e 0 (reference)', args: ['-e', '0']}
const emptySnapshot = join(work, 'empty.blob')
writeFileSync(join(work, 'empty.cjs'), "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {})\n")
const built = spawnSync(process.execPath, ['--snapshot-blob', emptySnapshot, '--build-snapshot', join(work, 'empty.cjs')], {stdio: 'ignore'})
const SNAPSHOT: Case[] = built.status === 0 ? [{what: 'node from an empty start-up snapshot (reference)', args: ['--snapshot-blob', emptySnapshot]}] : []
const CASES: Case[] = [
  ...SNAPSHOT,
  {what: 'logs --version', args: [BIN, '--version']},
  {what: 'logs --help', args: [BIN, '--help']},
  {what: 'logs ls', args: [BIN, 'ls']},
  {what: 'logs get JOB -n 1', args: [BIN, 'get', 'bench', '-n', '1']},
  {what: 'echo x | logs push', args: [BIN, 'push', '--job', 'bench-push'], stdin: oneLine},
]

try {
  const first = await measure(process.execPath, [BIN, 'push', '--job', 'bench'], {env, stdin: oneLine})
  if (first.code !== 0) throw new Error(`logs push exited ${first.code}: is the CLI built (npm run build)?`)
  const runs = new Map<Case, Measured[]>([REFERENCE, ...CASES].map((c) => [c, []]))
  for (let i = 0; i < RUNS; i++) {
    for (const c of [REFERENCE, ...CASES]) {
      const batch = await measure('bash', ['-c', LOOP, 'loop', String(BATCH), process.execPath, ...c.args], {env: {...env, IN: c.stdin ?? '/dev/null'}})
      runs.get(c)!.push({...batch, seconds: batch.seconds / BATCH, cpuSeconds: batch.cpuSeconds / BATCH})
    }
  }
  const best = (c: Case) => {
    const all = runs.get(c)!
    return {seconds: Math.min(...all.map((m) => m.seconds)), cpuSeconds: Math.min(...all.map((m) => m.cpuSeconds)), failed: all.filter((m) => m.code !== 0).length}
  }
  const node = best(REFERENCE)
  const times = (a: number, b: number) => (Number.isNaN(a) || b === 0 ? '-' : `${(a / b).toFixed(2)}×`)
  const ms = (s: number) => (Number.isNaN(s) ? '-' : (s * 1000).toFixed(0))
  console.log(`Node ${process.version}, per run: the best of ${RUNS} batches of ${BATCH} runs`)
  console.log(
    table([
      ['what', 'wall ms', 'CPU ms', 'wall vs node -e 0', 'CPU vs node -e 0'],
      [REFERENCE.what, ms(node.seconds), ms(node.cpuSeconds), '', ''],
      ...CASES.map((c) => {
        const m = best(c)
        const label = m.failed ? `${c.what} (${m.failed} batches FAILED)` : c.what
        return [label, ms(m.seconds), ms(m.cpuSeconds), times(m.seconds, node.seconds), times(m.cpuSeconds, node.cpuSeconds)]
      }),
    ]),
  )
  console.log('goal: logs ls and logs get ≤ 1.6× node -e 0')
} finally {
  rmSync(work, {recursive: true, force: true})
}
