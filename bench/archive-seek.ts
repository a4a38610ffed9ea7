/**
 * Benchmark: reads of an archived job through its block index (archive format 2), with
 * the bytes and requests counted by the store that served them (the Supabase stand-in's
 * own counters, not this tool's bookkeeping), each next to a reference from the same run:
 *
 *   archive of the big job          vs gzip -1 < raw (speed), gzip -1 and zstd -3 of raw (size)
 *   archived get -n 100             vs the same query while the job was live
 *   --after SEQ --head 1, --level error (50 error lines), --grep of a rare token: bytes read
 *   archived get --grep             vs zcat OBJECT | grep -c
 *   blocks as gzip members          vs zstd -3 frames of the same blocks, vs whole-stream gzip -1 / zstd -3
 *   ls of 200 archived jobs         requests served
 *
 *   npx tsx bench/archive-seek.ts [MB] [SMALL_JOBS]    (defaults 150 and 200; env BENCH_MB, BENCH_SMALL_JOBS)
 *
 * Prints figures; never passes or fails. Needs a built CLI and the `zstd` command.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {gunzipSync, gzipSync} from 'node:zlib'
import {startSupabaseStandin} from '../test/helpers/supabase-storage-standin.js'
import {BLOCK_BYTES} from '../src/lib/archive/block-writer.js'
import {logLine} from './lib/input.js'
import {measure, rate, table} from './lib/measure.js'

const MB = Number(process.argv[2] ?? process.env.BENCH_MB ?? 150)
const SMALL_JOBS = Number(process.argv[3] ?? process.env.BENCH_SMALL_JOBS ?? 200)
const ERRORS = 50
const RARE = 'needle-7f3a9c'
const work = mkdtempSync(join(tmpdir(), 'logs-bench-seek-'))
const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const standin = await startSupabaseStandin()
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('LOGS_'))),
  ...standin.env(),
  HOME: work,
  XDG_STATE_HOME: join(work, 'state'),
  XDG_DATA_HOME: join(work, 'data'),
  XDG_CONFIG_HOME: join(work, 'config'),
  NO_COLOR: '1',
  LOGS_STORE: `file://${join(work, 'live')}`,
  LOGS_ARCHIVE: 'supabase://logs/bench',
}

/** The bench's usual lines without their error levels, then 50 errors and one rare token spread through the job. */
function writeJob(path: string, bytes: number): number {
  const lines: string[] = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const line = logLine(i).replace('ERROR', 'INFO ').replace('"level":50', '"level":30')
    lines.push(line)
    size += line.length + 1
  }
  for (let e = 0; e < ERRORS; e++) lines[Math.floor(((e + 0.5) * lines.length) / ERRORS)] = `ERROR job step ${e} failed: OutOfMemoryError in worker-${e % 17}`
  lines[Math.floor(lines.length * 0.37)] = `INFO saw ${RARE} once`
  writeFileSync(path, lines.join('\n') + '\n')
  return lines.length
}

/** Runs a CLI read and returns its time with the bytes and requests the stand-in served for it. */
async function served(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{seconds: number; bytes: number; requests: number; code: number | null}> {
  const bytes = standin.bytesServed()
  const requests = standin.requests.length
  const run = await measure(process.execPath, [BIN, ...args], {env: {...env, ...extraEnv}})
  return {seconds: run.seconds, bytes: standin.bytesServed() - bytes, requests: standin.requests.length - requests, code: run.code}
}

const MiB = (n: number): string => `${(n / 1048576).toFixed(2)} MiB`

try {
  const input = join(work, 'input.log')
  const lines = writeJob(input, MB * 1e6)
  const raw = statSync(input).size
  console.log(`big job: ${(raw / 1e6).toFixed(0)} MB, ${lines} lines, ${ERRORS} errors; ${SMALL_JOBS} small jobs; in ${work}`)

  const push = await measure(process.execPath, [BIN, 'push', '--job', 'big', '--exit-code', '0'], {stdin: input, env})
  const liveTail = await measure(process.execPath, [BIN, 'get', 'big', '-n', '100'], {env})
  const gzip = await measure('bash', ['-c', `gzip -1 < "${input}" > "${join(work, 'raw.gz')}"`])
  const zstd = await measure('bash', ['-c', `zstd -q -3 < "${input}" > "${join(work, 'raw.zst')}"`])
  const archive = await served(['archive', '--job', 'big'])
  // The stand-in holds the object in parts (Supabase's upload cap): big.jsonl.gz, .001, … — one gzip stream together.
  const parts = (standin.keys('logs') ?? []).filter((key) => /^bench\/big\.jsonl\.gz(\.\d{3})?$/.test(key)).sort()
  const object = Buffer.concat(parts.map((key) => standin.object('logs', key)!))
  const indexBytes = standin.object('logs', 'bench/big.jsonl.gz.idx')?.length ?? 0
  const objectFile = join(work, 'big.jsonl.gz')
  writeFileSync(objectFile, object)
  if (push.code !== 0 || archive.code !== 0) console.log(`exit codes: push ${push.code}, archive ${archive.code} (figures below are not meaningful)`)

  console.log(
    table([
      ['archive of the big job', 'seconds', 'MB/s (raw log)', 'size', '% of raw'],
      ['gzip -1 < raw (reference)', gzip.seconds.toFixed(2), rate(raw, gzip.seconds), MiB(statSync(join(work, 'raw.gz')).size), pct(statSync(join(work, 'raw.gz')).size, raw)],
      ['zstd -3 < raw (reference)', zstd.seconds.toFixed(2), rate(raw, zstd.seconds), MiB(statSync(join(work, 'raw.zst')).size), pct(statSync(join(work, 'raw.zst')).size, raw)],
      ['logs archive → Supabase stand-in', archive.seconds.toFixed(2), rate(raw, archive.seconds), MiB(object.length), pct(object.length, raw)],
      ['  + its block index', '', '', MiB(indexBytes), pct(indexBytes, raw)],
    ]),
  )

  const seq = Math.floor(lines * 0.61)
  const reads: Array<[string, string[]]> = [
    ['get -n 100', ['get', 'big', '-n', '100']],
    [`get --after ${seq} --head 1`, ['get', 'big', '--after', String(seq), '--head', '1']],
    ['get --level error', ['get', 'big', '--level', 'error']],
    [`get --grep ${RARE}`, ['get', 'big', '--grep', RARE]],
    ['get --grep OutOfMemoryError', ['get', 'big', '--grep', 'OutOfMemoryError']],
    ['get (everything)', ['get', 'big']],
  ]
  const rows = [['archived read (Supabase stand-in)', 'seconds', 'read from store', 'requests', '% of object']]
  rows.push(['(live get -n 100, reference)', liveTail.seconds.toFixed(2), '', '', ''])
  for (const [what, args] of reads) {
    const run = await served(args)
    rows.push([what, run.seconds.toFixed(2), MiB(run.bytes), String(run.requests), pct(run.bytes, object.length)])
  }
  const zgrep = await measure('bash', ['-c', `zcat "${objectFile}" | grep -c OutOfMemoryError`], {stdout: join(work, 'zgrep.out')})
  rows.push(['(zcat OBJECT | grep -c, reference)', zgrep.seconds.toFixed(2), '', '', ''])
  console.log(`\n${table(rows)}`)

  // Gzip members vs zstd frames of the same 512 KiB blocks (what the format could have used).
  const ndjson = gunzipSync(object)
  let members = 0
  let frames = 0
  let gzipMs = 0
  let zstdMs = 0
  for (let at = 0; at < ndjson.length; at += BLOCK_BYTES) {
    const block = ndjson.subarray(at, at + BLOCK_BYTES)
    let t = performance.now()
    members += gzipSync(block, {level: 1, memLevel: 9}).length
    gzipMs += performance.now() - t
    t = performance.now()
    frames += spawnSync('zstd', ['-q', '-3', '-c'], {input: block, maxBuffer: 64 << 20}).stdout.length
    zstdMs += performance.now() - t
  }
  const whole = (command: string): number => spawnSync('bash', ['-c', command], {input: ndjson, maxBuffer: 1 << 30}).stdout.length
  console.log(
    `\n${table([
      [`NDJSON of the job (${MiB(ndjson.length)}) compressed as`, 'size', '% of raw log', 'single-core ms'],
      ['gzip -1 members, 512 KiB blocks (format 2)', MiB(members), pct(members, raw), gzipMs.toFixed(0)],
      ['zstd -3 frames, 512 KiB blocks', MiB(frames), pct(frames, raw), `${zstdMs.toFixed(0)} (incl. a spawn per block)`],
      ['gzip -1, one stream', MiB(whole('gzip -1')), pct(whole('gzip -1'), raw), ''],
      ['zstd -3, one stream', MiB(whole('zstd -q -3')), pct(whole('zstd -q -3'), raw), ''],
    ])}`,
  )

  // Listing: requests per `ls` of SMALL_JOBS archived jobs.
  for (let i = 0; i < SMALL_JOBS; i++) spawnSync(process.execPath, [BIN, 'push', '--job', `small-${i}`, '--exit-code', '0'], {input: `job ${i} line\n`.repeat(20), env})
  await served(['archive'])
  const ls = await served(['ls'])
  console.log(`\nls of ${SMALL_JOBS + 1} archived jobs: ${ls.requests} requests, ${ls.seconds.toFixed(2)} s (the issue asks for ≤ 20)`)
  const tailRatio = (await served(['get', 'big', '-n', '100'])).seconds / liveTail.seconds
  console.log(`archived get -n 100 / live: ${tailRatio.toFixed(1)}×`)
} finally {
  await standin.stop()
  rmSync(work, {recursive: true, force: true})
}

function pct(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(1)}%`
}
