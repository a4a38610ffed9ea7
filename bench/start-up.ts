/**
 * Benchmark: start-up of the built CLI, each command next to `node -e 0` (Node's own start,
 * the floor) measured in the same run, interleaved so a busy machine slows both alike:
 *   logs --version, logs --help       oclif alone: config, manifest, help
 *   logs ls                           a file store of two one-line jobs
 *   logs get JOB -n 1                 one job's last line from the file store
 *   echo x | logs push --job J        push's start, open, append and end
 * Best of N runs (wall, and CPU time from GNU time: user + system, 10 ms resolution).
 *
 *   npx tsx bench/start-up.ts [RUNS]     (default 11)
 *
 * Prints figures; never passes or fails. Needs a built CLI (npm run build).
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, isolatedEnv} from '../test/helpers/cli.js'
import {measure, table, type Measured} from './lib/measure.js'

const RUNS = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 11)
const work = mkdtempSync(join(tmpdir(), 'logs-bench-start-'))
const env = isolatedEnv(work, {LOGS_STORE: `file://${join(work, 'store')}`})
const oneLine = join(work, 'one-line')
writeFileSync(oneLine, 'x\n')

interface Case {
  what: string
  args: string[]
  stdin?: string
}

const REFERENCE: Case = {what: 'node -e 0 (reference)', args: ['-e', '0']}
const CASES: Case[] = [
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
    for (const c of [REFERENCE, ...CASES]) runs.get(c)!.push(await measure(process.execPath, c.args, {env, stdin: c.stdin}))
  }
  const best = (c: Case) => {
    const all = runs.get(c)!
    return {seconds: Math.min(...all.map((m) => m.seconds)), cpuSeconds: Math.min(...all.map((m) => m.cpuSeconds)), failed: all.filter((m) => m.code !== 0).length}
  }
  const node = best(REFERENCE)
  const times = (a: number, b: number) => (Number.isNaN(a) || b === 0 ? '-' : `${(a / b).toFixed(2)}×`)
  const ms = (s: number) => (Number.isNaN(s) ? '-' : (s * 1000).toFixed(0))
  console.log(`Node ${process.version}, best of ${RUNS} runs each`)
  console.log(
    table([
      ['what', 'wall ms', 'CPU ms', 'wall vs node -e 0', 'CPU vs node -e 0'],
      [REFERENCE.what, ms(node.seconds), ms(node.cpuSeconds), '', ''],
      ...CASES.map((c) => {
        const m = best(c)
        const label = m.failed ? `${c.what} (${m.failed} runs FAILED)` : c.what
        return [label, ms(m.seconds), ms(m.cpuSeconds), times(m.seconds, node.seconds), times(m.cpuSeconds, node.cpuSeconds)]
      }),
    ]),
  )
  console.log('goal: logs ls and logs get ≤ 1.6× node -e 0')
} finally {
  rmSync(work, {recursive: true, force: true})
}
