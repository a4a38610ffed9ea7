/**
 * Benchmark: `logs push` into the embedded file store, and `logs get --grep` over the
 * result, each next to a reference measured in the same run on the same data:
 *   push       vs `cat input > copy` (the disk's own speed) and a Node line split (the ceiling)
 *   get --grep vs `grep -c` on the raw file
 *
 *   npx tsx bench/push-file.ts [MB]      (default 256; the figure is 1024)
 *
 * Prints figures; never passes or fails. Needs a built CLI (npm run build).
 */
import {createReadStream, mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {BIN, isolatedEnv} from '../test/helpers/cli.js'
import {writeInput} from './lib/input.js'
import {measure, rate, table} from './lib/measure.js'

const MB = Number(process.argv[2] ?? process.env.BENCH_MB ?? 256)
const work = mkdtempSync(join(tmpdir(), 'logs-bench-file-'))
const env = isolatedEnv(work)

async function nodeSplit(path: string): Promise<number> {
  const start = performance.now()
  let lines = 0
  for await (const chunk of createReadStream(path, {highWaterMark: 1 << 20}) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++
  }
  return (performance.now() - start) / 1000 + lines * 0
}

try {
  const input = join(work, 'input.log')
  const lines = await writeInput(input, MB * 1e6)
  const bytes = statSync(input).size
  console.log(`input: ${(bytes / 1e6).toFixed(0)} MB, ${lines} lines (half plain, half JSON), in ${work}`)

  const cat = await measure('bash', ['-c', `cat "${input}" > "${join(work, 'copy.log')}"`])
  const split = await nodeSplit(input)
  const push = await measure(process.execPath, [BIN, 'push', '--job', 'bench'], {stdin: input, env})
  const grepPattern = 'item 12345[0-9]'
  // A real output file: GNU grep stops at the first match when its output is /dev/null.
  const grep = await measure('bash', ['-c', `grep -c "${grepPattern}" "${input}"`], {stdout: join(work, 'grep.out')})
  const getGrep = await measure(process.execPath, [BIN, 'get', 'bench', '--grep', grepPattern], {env})
  const getRaw = await measure(process.execPath, [BIN, 'get', 'bench', '--output', 'raw'], {env})
  const tail = await measure(process.execPath, [BIN, 'get', 'bench', '-n', '100'], {env})

  console.log(
    table([
      ['what', 'seconds', 'throughput', 'lines/s', 'peak RSS'],
      ['cat input > copy (reference)', cat.seconds.toFixed(2), rate(bytes, cat.seconds), '', ''],
      ['Node line split (ceiling)', split.toFixed(2), rate(bytes, split), `${(lines / split / 1e6).toFixed(2)} M`, ''],
      ['logs push (file store)', push.seconds.toFixed(2), rate(bytes, push.seconds), `${(lines / push.seconds / 1e6).toFixed(2)} M`, `${push.peakRssMB.toFixed(0)} MB`],
      ['grep -c (reference)', grep.seconds.toFixed(2), rate(bytes, grep.seconds), '', ''],
      ['logs get --grep', getGrep.seconds.toFixed(2), rate(bytes, getGrep.seconds), '', `${getGrep.peakRssMB.toFixed(0)} MB`],
      ['logs get --output raw', getRaw.seconds.toFixed(2), rate(bytes, getRaw.seconds), '', `${getRaw.peakRssMB.toFixed(0)} MB`],
      ['logs get -n 100', tail.seconds.toFixed(2), '', '', `${tail.peakRssMB.toFixed(0)} MB`],
    ]),
  )
  console.log(`push vs cat: ${(cat.seconds / push.seconds * 100).toFixed(0)}% of the disk copy speed; get --grep vs grep -c: ${(getGrep.seconds / grep.seconds).toFixed(1)}× the time`)
  if (push.code !== 0 || getGrep.code !== 0) console.log(`exit codes: push ${push.code}, get ${getGrep.code}`)
} finally {
  rmSync(work, {recursive: true, force: true})
}
