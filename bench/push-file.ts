/**
 * Benchmark: `logs push` into the embedded file store, and `logs get --grep` over the
 * result, each next to a reference measured in the same run on the same data:
 *   push              vs `cat input > copy` (the disk's own speed) and a Node line split
 *   get --output raw  vs a Node file copy (pipeline, 1 MiB reads), checked byte for byte
 *   get (text output) the same, for the default output
 *   get --grep        vs `grep -c` on the raw file, for a literal and a simple regex, checked
 *                     for the same number of matches; for a literal in many lines (WARN) vs
 *                     `grep` writing them to a file, checked byte for byte
 *   push → get -f     latency at fixed rates vs the FileStore's own append → follow
 * Wall time and CPU time (user + system, from GNU time): on a busy machine CPU time is the
 * steadier figure.
 *
 *   npx tsx bench/push-file.ts [MB]      (default 256; the figure is 1024)
 *   BENCH_RATES=1000,50000 BENCH_SECONDS=5 BENCH_ROUNDS=3   push → get -f latency (BENCH_RATES= skips it)
 *
 * Prints figures; never passes or fails. Needs a built CLI (npm run build).
 */
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, isolatedEnv} from '../test/helpers/cli.js'
import {FileStore} from '../src/lib/store/file/file-store.js'
import {writeInput} from './lib/input.js'
import {cliLatency, latencyTable, storeLatency} from './lib/latency.js'
import {measure, rate, table, type Measured} from './lib/measure.js'

const MB = Number(process.argv[2] ?? process.env.BENCH_MB ?? 256)
const RATES = (process.env.BENCH_RATES ?? '1000,50000').split(',').filter(Boolean).map(Number)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const work = mkdtempSync(join(tmpdir(), 'logs-bench-file-'))
const env = isolatedEnv(work)

/** The references in Node, as child processes like the CLI so their CPU time is measured the same way. */
const NODE_SPLIT = `let lines = 0; for await (const chunk of require('node:fs').createReadStream(process.argv[1], {highWaterMark: 1 << 20})) for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++`
const NODE_COPY = `require('node:stream/promises').pipeline(require('node:fs').createReadStream(process.argv[1], {highWaterMark: 1 << 20}), process.stdout)`

/** push → `get -f` through the CLI on the file store, and the FileStore alone as the reference (lib/latency.ts). */
async function latency(): Promise<void> {
  console.log('')
  console.log(
    `latency (${ROUNDS} rounds, ${SECONDS} s per rate after a 0.5 s warm-up): from writing a line to push's stdin (or to append) to the follower printing (or receiving) it; load = 1-minute load average`,
  )
  const cli = (rate: number, round: number) => {
    const job = `latency-${rate}-${round}`
    const started = () => existsSync(join(work, 'state', 'logs', 'jobs', job, 'meta.json'))
    return cliLatency({job, storeArgs: [], env, rate, seconds: SECONDS, started})
  }
  const store = async (rate: number, round: number) => {
    const root = join(work, 'latency-store')
    const [writer, reader] = await Promise.all([new FileStore(root).init(), new FileStore(root).init()])
    try {
      return await storeLatency({writer, reader, job: `store-${rate}-${round}`, rate, seconds: SECONDS})
    } finally {
      await Promise.all([writer.close(), reader.close()])
    }
  }
  await latencyTable(RATES, ROUNDS, [
    {what: 'logs push → logs get -f (file store)', run: cli},
    {what: 'FileStore append → follow (reference)', run: store},
  ])
}

const cpu = (m: Measured) => (Number.isNaN(m.cpuSeconds) ? '-' : m.cpuSeconds.toFixed(2))
const ratio = (a: Measured, b: Measured) => `${(a.seconds / b.seconds).toFixed(2)}× wall, ${Number.isNaN(a.cpuSeconds) ? '-' : (a.cpuSeconds / b.cpuSeconds).toFixed(2)}× CPU`

try {
  const input = join(work, 'input.log')
  const lines = await writeInput(input, MB * 1e6)
  const bytes = statSync(input).size
  console.log(`input: ${(bytes / 1e6).toFixed(0)} MB, ${lines} lines (half plain, half JSON), in ${work}`)

  const cat = await measure('bash', ['-c', `cat "${input}" > "${join(work, 'copy.log')}"`])
  const split = await measure(process.execPath, ['-e', `(async () => { ${NODE_SPLIT} })()`, input])
  const push = await measure(process.execPath, [BIN, 'push', '--job', 'bench'], {stdin: input, env})
  const copy = await measure(process.execPath, ['-e', NODE_COPY, input], {stdout: join(work, 'copy.out')})
  const getRaw = await measure(process.execPath, [BIN, 'get', 'bench', '--output', 'raw'], {env, stdout: join(work, 'raw.out')})
  const sameBytes = readFileSync(join(work, 'raw.out')).equals(readFileSync(input))
  // The default output: for plain text lines, the same bytes (blocks copied, render/plain-text.ts).
  const getText = await measure(process.execPath, [BIN, 'get', 'bench'], {env, stdout: join(work, 'text.out')})
  const sameText = readFileSync(join(work, 'text.out')).equals(readFileSync(input))
  // A real output file: GNU grep stops at the first match when its output is /dev/null.
  const greps = []
  // Rare matches against grep -c; a literal in many lines (WARN) against grep writing the lines, byte for byte.
  for (const [pattern, count] of [
    ['item 12345', true],
    ['item 12345[0-9]', true],
    ['WARN', false],
  ] as const) {
    const grep = await measure('grep', count ? ['-c', pattern, input] : ['-a', pattern, input], {stdout: join(work, 'grep.out')})
    const getGrep = await measure(process.execPath, [BIN, 'get', 'bench', '--grep', pattern, '--output', 'raw'], {env, stdout: join(work, 'get-grep.out')})
    const [expected, got] = [readFileSync(join(work, 'grep.out')), readFileSync(join(work, 'get-grep.out'))]
    const same = count ? Number(expected.toString()) === got.toString().split('\n').length - 1 : expected.equals(got)
    greps.push({pattern, reference: count ? 'grep -c' : 'grep > file', grep, getGrep, same})
  }
  const tail = await measure(process.execPath, [BIN, 'get', 'bench', '-n', '100'], {env})

  const row = (what: string, m: Measured, withRate = true) => [
    what,
    m.seconds.toFixed(2),
    cpu(m),
    withRate ? rate(bytes, m.seconds) : '',
    m.peakRssMB ? `${m.peakRssMB.toFixed(0)} MB` : '',
  ]
  console.log(
    table([
      ['what', 'seconds', 'CPU s', 'throughput', 'peak RSS'],
      row('cat input > copy (reference)', cat),
      row('Node line split (reference)', split),
      row('logs push (file store)', push),
      row('Node file copy (reference)', copy),
      row('logs get --output raw', getRaw),
      row('logs get (text output)', getText),
      ...greps.flatMap(({pattern, reference, grep, getGrep}) => [row(`${reference} '${pattern}' (reference)`, grep), row(`logs get --grep '${pattern}' --output raw`, getGrep)]),
      row('logs get -n 100', tail, false),
    ]),
  )
  console.log(`push vs the Node line split: ${ratio(push, split)} (goal ≤ 3×)`)
  console.log(`get --output raw vs a Node file copy: ${ratio(getRaw, copy)} (goal ≤ 2×); byte for byte: ${sameBytes ? 'yes' : 'NO'}`)
  console.log(`get (text output) vs a Node file copy: ${ratio(getText, copy)}; byte for byte with the input: ${sameText ? 'yes' : 'NO'}`)
  for (const {pattern, reference, grep, getGrep, same} of greps)
    console.log(`get --grep '${pattern}' vs ${reference}: ${ratio(getGrep, grep)} (goal ≤ 2× grep -c); same matches: ${same ? 'yes' : 'NO'}`)
  if (push.code !== 0 || getRaw.code !== 0) console.log(`exit codes: push ${push.code}, get ${getRaw.code}`)
  if (RATES.length > 0) await latency()
} finally {
  rmSync(work, {recursive: true, force: true})
}
