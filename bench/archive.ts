/**
 * Benchmark: `logs archive` and reads of archived jobs, each next to a reference measured
 * in the same run on the same data:
 *   archive of one big job     vs `gzip -1`, `gzip -6`, `zstd -3` of the raw log (MB/s of the original log; peak RSS; sizes)
 *   get --grep on that archive vs `zstdcat JOB.jsonl.zst | grep -c` (`zcat` for an older gzip object)
 *   archive of many small jobs at --concurrency 1, 8, 32 (jobs/s)
 *
 *   npx tsx bench/archive.ts [MB] [SMALL_JOBS]     (defaults 100 and 2000; the issue's big job is 1024 MB)
 *   env BENCH_MB, BENCH_SMALL_JOBS do the same.
 *
 * Into the embedded file archive. Prints figures; never passes or fails. Needs a built CLI.
 */
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {spawnSync} from 'node:child_process'
import {openLiveStore} from '../src/lib/open/open-store.js'
import {writeInput} from './lib/input.js'
import {measure, rate, table} from './lib/measure.js'

const MB = Number(process.argv[2] ?? process.env.BENCH_MB ?? 100)
const SMALL_JOBS = Number(process.argv[3] ?? process.env.BENCH_SMALL_JOBS ?? 2000)
const work = mkdtempSync(join(tmpdir(), 'logs-bench-archive-'))
const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('LOGS_'))),
  HOME: work,
  XDG_STATE_HOME: join(work, 'state'),
  XDG_DATA_HOME: join(work, 'data'),
  XDG_CONFIG_HOME: join(work, 'config'),
  XDG_CACHE_HOME: join(work, 'cache'),
  NO_COLOR: '1',
}
const archiveDir = join(work, 'archive')
const HAS_ZSTD = spawnSync('zstd', ['--version']).status === 0

async function seedSmallJobs(storeDir: string, count: number): Promise<void> {
  const live = await openLiveStore({value: `file://${storeDir}`, from: 'bench'}, env)
  const ts = Date.now()
  for (let i = 0; i < count; i++) {
    const id = `small-${i}`
    await live.startJob(id)
    await live.append(
      id,
      Array.from({length: 20}, (_, n) => ({ts, bytes: Buffer.from(`job ${i} line ${n} ${'x'.repeat(60)}`), eol: true})),
    )
    await live.endJob(id, {status: 'succeeded', exitCode: 0})
  }
  await live.close()
}

try {
  const input = join(work, 'input.log')
  const lines = await writeInput(input, MB * 1e6)
  const bytes = statSync(input).size
  console.log(`big job: ${(bytes / 1e6).toFixed(0)} MB, ${lines} lines; small jobs: ${SMALL_JOBS} × 20 lines; in ${work}`)

  const push = await measure(process.execPath, [BIN, 'push', '--job', 'big', '--exit-code', '0'], {stdin: input, env})
  const gzip = await measure('bash', ['-c', `gzip -1 < "${input}" > "${join(work, 'raw.gz1')}"`])
  const gzip6 = await measure('bash', ['-c', `gzip -6 < "${input}" > "${join(work, 'raw.gz6')}"`])
  const zstd = HAS_ZSTD ? await measure('bash', ['-c', `zstd -q -3 < "${input}" > "${join(work, 'raw.zst')}"`]) : undefined
  const sizeOf = (name: string): number => statSync(join(work, name)).size
  const archive = await measure(process.execPath, [BIN, 'archive', '--job', 'big', '--archive', `file://${archiveDir}`], {env})
  const objectKey = (JSON.parse(readFileSync(join(archiveDir, 'big.meta.json'), 'utf8')) as {parts: Array<{key: string}>}).parts[0].key
  const object = join(archiveDir, objectKey)
  const objectBytes = statSync(object).size
  const cat = objectKey.endsWith('.zst') ? 'zstdcat' : 'zcat'
  const pattern = 'item 12345[0-9]'
  // A real output file: GNU grep stops at the first match when its output is /dev/null.
  const zgrep = await measure('bash', ['-c', `${cat} "${object}" | grep -c "${pattern}"`], {stdout: join(work, 'zgrep.out')})
  const getGrep = await measure(process.execPath, [BIN, 'get', 'big', '--grep', pattern, '--archive', `file://${archiveDir}`], {env})
  const tail = await measure(process.execPath, [BIN, 'get', 'big', '-n', '100', '--archive', `file://${archiveDir}`], {env})

  console.log(
    table([
      ['what', 'seconds', 'CPU s', 'MB/s (raw log)', 'peak RSS'],
      ['(logs push, to build the job)', push.seconds.toFixed(2), push.cpuSeconds.toFixed(2), rate(bytes, push.seconds), `${push.peakRssMB.toFixed(0)} MB`],
      ['gzip -1 < raw (reference)', gzip.seconds.toFixed(2), gzip.cpuSeconds.toFixed(2), rate(bytes, gzip.seconds), `${gzip.peakRssMB.toFixed(0)} MB`],
      ['gzip -6 < raw (reference)', gzip6.seconds.toFixed(2), gzip6.cpuSeconds.toFixed(2), rate(bytes, gzip6.seconds), `${gzip6.peakRssMB.toFixed(0)} MB`],
      zstd
        ? ['zstd -3 < raw (reference)', zstd.seconds.toFixed(2), zstd.cpuSeconds.toFixed(2), rate(bytes, zstd.seconds), `${zstd.peakRssMB.toFixed(0)} MB`]
        : ['zstd -3 < raw (reference)', 'n/a (no zstd command)', '', '', ''],
      ['logs archive (file archive)', archive.seconds.toFixed(2), archive.cpuSeconds.toFixed(2), rate(bytes, archive.seconds), `${archive.peakRssMB.toFixed(0)} MB`],
      [`${cat} | grep -c (reference)`, zgrep.seconds.toFixed(2), zgrep.cpuSeconds.toFixed(2), rate(bytes, zgrep.seconds), `${zgrep.peakRssMB.toFixed(0)} MB`],
      ['logs get --grep (archived)', getGrep.seconds.toFixed(2), getGrep.cpuSeconds.toFixed(2), rate(bytes, getGrep.seconds), `${getGrep.peakRssMB.toFixed(0)} MB`],
      ['logs get -n 100 (archived, by its index)', tail.seconds.toFixed(2), tail.cpuSeconds.toFixed(2), rate(bytes, tail.seconds), `${tail.peakRssMB.toFixed(0)} MB`],
    ]),
  )
  const pct = (size: number): string => `${(size / 1e6).toFixed(1)} MB (${((size / bytes) * 100).toFixed(1)}%)`
  console.log(
    `object ${objectKey}: ${pct(objectBytes)} of the raw log (NDJSON records in blocks); the raw log with gzip -1: ${pct(sizeOf('raw.gz1'))}, gzip -6: ${pct(sizeOf('raw.gz6'))}, zstd -3: ${HAS_ZSTD ? pct(sizeOf('raw.zst')) : 'n/a'}`,
  )
  console.log(
    `archive vs gzip -1: ${((gzip.seconds / archive.seconds) * 100).toFixed(0)}% of its speed (${(archive.cpuSeconds / gzip.cpuSeconds).toFixed(1)}× its CPU); get --grep vs ${cat} | grep -c: ${(getGrep.seconds / zgrep.seconds).toFixed(1)}× the time (${(getGrep.cpuSeconds / zgrep.cpuSeconds).toFixed(1)}× the CPU); the issue asks for ≥ 100% of gzip -1's speed, an object ≤ gzip -1's size, get --grep ≤ 1× the time`,
  )
  if ([push, archive, getGrep].some((m) => m.code !== 0)) console.log(`exit codes: push ${push.code}, archive ${archive.code}, get ${getGrep.code}`)

  const rows = [['--concurrency', 'seconds', 'jobs/s', 'peak RSS']]
  for (const concurrency of [1, 8, 32]) {
    const storeDir = join(work, `small-${concurrency}`)
    await seedSmallJobs(storeDir, SMALL_JOBS)
    const run = await measure(
      process.execPath,
      [BIN, 'archive', '--store', `file://${storeDir}`, '--archive', `file://${join(work, `small-archive-${concurrency}`)}`, '--concurrency', String(concurrency)],
      {env},
    )
    rows.push([String(concurrency), run.seconds.toFixed(2), (SMALL_JOBS / run.seconds).toFixed(0), `${run.peakRssMB.toFixed(0)} MB`])
    if (run.code !== 0) console.log(`archive at --concurrency ${concurrency} exited ${run.code}`)
  }
  console.log(`\n${SMALL_JOBS} small jobs into the file archive (file live store):`)
  console.log(table(rows))
} finally {
  rmSync(work, {recursive: true, force: true})
}
