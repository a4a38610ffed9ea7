/**
 * Benchmark: `logs push` into the embedded file store, and `logs get --grep` over the
 * result, each next to a reference measured in the same run on the same data:
 *   push              vs `cat input > copy` (the disk's own speed) and a Node line split
 *   get --output raw  vs a Node file copy (pipeline, 1 MiB reads), checked byte for byte
 *   get --grep        vs `grep -c` on the raw file, for a literal and a simple regex, checked
 *                     for the same number of matches
 * Wall time and CPU time (user + system, from GNU time): on a busy machine CPU time is the
 * steadier figure.
 *
 *   npx tsx bench/push-file.ts [MB]      (default 256; the figure is 1024)
 *
 * Prints figures; never passes or fails. Needs a built CLI (npm run build).
 */
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, isolatedEnv} from '../test/helpers/cli.js'
import {writeInput} from './lib/input.js'
import {measure, rate, table, type Measured} from './lib/measure.js'

const MB = Number(process.argv[2] ?? process.env.BENCH_MB ?? 256)
const work = mkdtempSync(join(tmpdir(), 'logs-bench-file-'))
const env = isolatedEnv(work)

/** The references in Node, as child processes like the CLI so their CPU time is measured the same way. */
const NODE_SPLIT = `let lines = 0; for await (const chunk of require('node:fs').createReadStream(process.argv[1], {highWaterMark: 1 << 20})) for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++`
const NODE_COPY = `require('node:stream/promises').pipeline(require('node:fs').createReadStream(process.argv[1], {highWaterMark: 1 << 20}), process.stdout)`

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
  // A real output file: GNU grep stops at the first match when its output is /dev/null.
  const greps = []
  for (const pattern of ['item 12345', 'item 12345[0-9]']) {
    const grep = await measure('grep', ['-c', pattern, input], {stdout: join(work, 'grep.out')})
    const getGrep = await measure(process.execPath, [BIN, 'get', 'bench', '--grep', pattern, '--output', 'raw'], {env, stdout: join(work, 'get-grep.out')})
    const same = Number(readFileSync(join(work, 'grep.out'), 'utf8')) === readFileSync(join(work, 'get-grep.out'), 'utf8').split('\n').length - 1
    greps.push({pattern, grep, getGrep, same})
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
      ...greps.flatMap(({pattern, grep, getGrep}) => [row(`grep -c '${pattern}' (reference)`, grep), row(`logs get --grep '${pattern}'`, getGrep)]),
      row('logs get -n 100', tail, false),
    ]),
  )
  console.log(`push vs the Node line split: ${ratio(push, split)} (goal ≤ 3×)`)
  console.log(`get --output raw vs a Node file copy: ${ratio(getRaw, copy)} (goal ≤ 2×); byte for byte: ${sameBytes ? 'yes' : 'NO'}`)
  for (const {pattern, grep, getGrep, same} of greps) console.log(`get --grep '${pattern}' vs grep -c: ${ratio(getGrep, grep)} (goal ≤ 2×); same matches: ${same ? 'yes' : 'NO'}`)
  if (push.code !== 0 || getRaw.code !== 0) console.log(`exit codes: push ${push.code}, get ${getRaw.code}`)
} finally {
  rmSync(work, {recursive: true, force: true})
}
