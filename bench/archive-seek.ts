/**
 * Benchmark: archiving one big job and reading it back through its block index (archive
 * format 2), each figure next to a reference measured in the same run on the same data.
 * Bytes and requests are what the store served (the Supabase stand-in's own counters, a
 * counting proxy in front of s3rver), not this tool's bookkeeping. Times are the minimum of ROUNDS runs, with CPU time (user + system)
 * beside them: on a machine shared with other work, CPU time says more than wall time.
 *
 *   archive of the big job     vs gzip -1 < raw (time, CPU, size) and zstd -3 < raw
 *   archived get -n 100        vs the same query while the job was live    (issue: ≤ 2×, ≤ 4 MiB read)
 *                              on each object store: the Supabase stand-in, S3 (s3rver, counted by a
 *                              proxy in front of it) and the file:// archive
 *   --after SEQ --head 1                                                   (issue: ≤ 4 MiB read)
 *   --level error, 50 errors                                               (issue: ≤ 8 MiB read)
 *   --section of 1.5 % of the job (GitHub ::group:: markers)               (the section's blocks)
 *   archived get --grep        vs zstdcat OBJECT | grep -c, and zcat | grep -c of the same blocks as gzip
 *                              members (the object before zstd); same match count  (issue: at least as fast)
 *   zstd -1 frames of 512 KiB blocks (the object) vs gzip members and zstd -3 frames of the same blocks, vs one stream of each
 *   ls of the archived jobs    requests served                             (issue: ≤ 20)
 *   --grep, --level error, -n 100 on S3 with BENCH_LATENCY_MS (25) added to each request (the proxy holds it)
 *
 *   npx tsx bench/archive-seek.ts [MB] [SMALL_JOBS]   (defaults 150 and 200; env BENCH_MB, BENCH_SMALL_JOBS, BENCH_ROUNDS, BENCH_LATENCY_MS)
 *
 * The job is ~100-byte lines from bench/lib/input.ts (150 MB: 1.5 M lines). Prints
 * figures; never passes or fails. Needs a built CLI; `zstd` figures need the zstd command.
 */
import {spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {BIN, isolatedEnv} from '../test/helpers/cli.js'
import {startSupabaseStandin} from '../test/helpers/supabase-storage-standin.js'
import {startS3Server} from '../test/helpers/s3-server.js'
import {startFaultProxy} from '../test/helpers/fault-proxy.js'
import {BLOCK_BYTES} from '../src/lib/archive/block-writer.js'
import {GZIP_LEVEL} from '../src/lib/archive/format.js'
import {logLine, writeInput} from './lib/input.js'
import {measure, rate, table, type Measured} from './lib/measure.js'

const MB = Number(process.argv[2] ?? process.env.BENCH_MB ?? 150)
const SMALL_JOBS = Number(process.argv[3] ?? process.env.BENCH_SMALL_JOBS ?? 200)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const ERRORS = 50
const RARE = 'needle-7f3a9c'
/** What each request to the S3 store waits in the last table: a store in another zone or region. */
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 25)
const COMMON = 'OutOfMemoryError'
const work = mkdtempSync(join(tmpdir(), 'logs-bench-seek-'))
const HAS_ZSTD = spawnSync('zstd', ['--version']).status === 0
const standin = await startSupabaseStandin()
const env = isolatedEnv(work, {
  ...standin.env(),
  LOGS_STORE: `file://${join(work, 'live')}`,
  LOGS_ARCHIVE: 'supabase://logs/bench',
})
const s3 = await startS3Server()
await s3.start()
await s3.createBucket('logs')
// Not a fault in it: it forwards every request to s3rver and counts what s3rver sent back.
const s3Proxy = await startFaultProxy(s3.endpoint)

/** Where a command runs and how the store it reads counts what it served. */
interface Store {
  env: NodeJS.ProcessEnv
  bytes: () => number
  requests: () => number
}
const supabase: Store = {env, bytes: () => standin.bytesServed(), requests: () => standin.requests.length}

/**
 * The bench's usual lines without their error levels, 50 errors spread through the job, one
 * rare token, and four GitHub Actions sections (`Publish` holds 1.5 % of the lines).
 */
function jobLine(total: number): (n: number) => string | string[] {
  const at = (fraction: number): number => Math.floor(total * fraction)
  const errors = new Set(Array.from({length: ERRORS}, (_, e) => at((e + 0.5) / ERRORS)))
  const markers = new Map([
    [0, '::group::Set up job'],
    // Not where an error goes (at (e + 0.5) / 50).
    [at(0.015), '::endgroup::\n::group::Build'],
    [at(0.6), '::endgroup::\n::group::Publish'],
    [at(0.615), '::endgroup::\n::group::Test'],
    [total - 1, '::endgroup::'],
  ])
  return (n) => {
    const marker = markers.get(n)
    if (marker) return marker.split('\n')
    if (errors.has(n)) return `ERROR job step ${n} failed: ${COMMON} in worker-${n % 17}`
    if (n === at(0.37)) return `INFO saw ${RARE} once`
    return logLine(n).replace('ERROR', 'INFO ').replace('"level":50', '"level":30')
  }
}

/** The best of ROUNDS runs (least CPU), with the bytes and requests the stand-in served for it. */
async function served(args: string[], stdout?: string, rounds = ROUNDS, store = supabase): Promise<Measured & {bytes: number; requests: number}> {
  let best: (Measured & {bytes: number; requests: number}) | undefined
  for (let round = 0; round < rounds; round++) {
    const bytes = store.bytes()
    const requests = store.requests()
    const run = await measure(process.execPath, [BIN, ...args], {env: store.env, stdout})
    const result = {...run, bytes: store.bytes() - bytes, requests: store.requests() - requests}
    if (!best || result.cpuSeconds < best.cpuSeconds) best = result
  }
  return best!
}

async function best(command: string, args: string[], options: Parameters<typeof measure>[2] = {}): Promise<Measured> {
  let result: Measured | undefined
  for (let round = 0; round < ROUNDS; round++) {
    const run = await measure(command, args, options)
    if (!result || run.cpuSeconds < result.cpuSeconds) result = run
  }
  return result!
}

const MiB = (n: number): string => `${(n / 1048576).toFixed(2)} MiB`
const pct = (part: number, whole: number): string => `${((part / whole) * 100).toFixed(1)}%`
const secs = (m: Measured): string => `${m.seconds.toFixed(2)} s`
const cpu = (m: Measured): string => `${m.cpuSeconds.toFixed(2)} s`
const lineCount = (path: string): number => readFileSync(path, 'utf8').split('\n').filter(Boolean).length

try {
  const input = join(work, 'input.log')
  const lines = await writeInput(input, MB * 1e6, jobLine(Math.ceil((MB * 1e6) / 100)))
  const raw = statSync(input).size
  console.log(`big job: ${(raw / 1e6).toFixed(0)} MB, ${lines} lines, ${ERRORS} errors; ${SMALL_JOBS} small jobs; best of ${ROUNDS} runs; in ${work}`)

  const push = await measure(process.execPath, [BIN, 'push', '--job', 'big', '--exit-code', '0'], {stdin: input, env})
  const liveTail = await served(['get', 'big', '-n', '100'])
  // The same live job for the other object stores: a copy of the live store each.
  cpSync(join(work, 'live'), join(work, 'live-s3'), {recursive: true})
  cpSync(join(work, 'live'), join(work, 'live-file'), {recursive: true})
  const gzip = await best('bash', ['-c', `gzip -1 < "${input}" > "${join(work, 'raw.gz')}"`])
  const zstd = HAS_ZSTD ? await best('bash', ['-c', `zstd -q -3 < "${input}" > "${join(work, 'raw.zst')}"`]) : undefined
  // Archived once (it moves the job); the live copy it leaves nothing of is the reference above.
  const archive = await served(['archive', '--job', 'big'], undefined, 1)
  if (push.code !== 0 || archive.code !== 0) console.log(`exit codes: push ${push.code}, archive ${archive.code} (figures below are not meaningful)`)
  // The stand-in holds the object in parts (Supabase's upload cap): big.jsonl.zst, .001, … — one zstd stream together.
  const parts = (standin.keys('logs') ?? []).filter((key) => /^bench\/big\.jsonl\.zst(\.\d{3})?$/.test(key)).sort()
  const object = Buffer.concat(parts.map((key) => standin.object('logs', key)!))
  const indexBytes = standin.object('logs', 'bench/big.jsonl.zst.idx')?.length ?? 0
  const objectFile = join(work, 'big.jsonl.zst')
  writeFileSync(objectFile, object)
  const size = (file: string): number => statSync(join(work, file)).size
  // 2 ** 31, not 1 << 31: that is negative, and spawnSync rejects it.
  const ndjson = spawnSync('zstd', ['-dcq', objectFile], {maxBuffer: 2 ** 31}).stdout
  // The same NDJSON as the gzip writer stored it before zstd (gzip members of the same blocks), for zcat | grep -c.
  const gzipObject = Buffer.concat(
    Array.from({length: Math.ceil(ndjson.length / BLOCK_BYTES)}, (_, b) => gzipSync(ndjson.subarray(b * BLOCK_BYTES, (b + 1) * BLOCK_BYTES), {level: GZIP_LEVEL, memLevel: 9})),
  )
  const gzipObjectFile = join(work, 'big.jsonl.gz')
  writeFileSync(gzipObjectFile, gzipObject)

  console.log(
    table([
      ['archive of the big job', 'wall', 'CPU', 'MB/s (raw, wall)', 'size', '% of raw'],
      ['gzip -1 < raw (reference)', secs(gzip), cpu(gzip), rate(raw, gzip.seconds), MiB(size('raw.gz')), pct(size('raw.gz'), raw)],
      zstd
        ? ['zstd -3 < raw (reference)', secs(zstd), cpu(zstd), rate(raw, zstd.seconds), MiB(size('raw.zst')), pct(size('raw.zst'), raw)]
        : ['zstd -3 < raw (reference)', 'n/a', 'n/a', 'n/a', 'n/a (no zstd command)', ''],
      ['logs archive → Supabase stand-in (once)', secs(archive), cpu(archive), rate(raw, archive.seconds), MiB(object.length), pct(object.length, raw)],
      ['  + its block index', '', '', '', MiB(indexBytes), pct(indexBytes, raw)],
    ]),
  )
  console.log(
    `archive: ${(archive.seconds / gzip.seconds).toFixed(1)}× gzip -1's wall time, ${(archive.cpuSeconds / gzip.cpuSeconds).toFixed(1)}× its CPU (${process.env.BENCH_CORES ?? 'all'} cores); ` +
      `object ${(object.length / size('raw.gz')).toFixed(2)}× gzip -1 of the raw log (it is NDJSON records: ${MiB(ndjson.length)} before compression, ${pct(ndjson.length, raw)} of the raw log); ` +
      `the issue asks for ≤ 1× gzip -1's time and size`,
  )

  const seq = Math.floor(lines * 0.61)
  const rows = [['archived read (Supabase stand-in)', 'wall', 'CPU', 'read from store', 'requests', '% of object', 'issue asks']]
  rows.push(['(live get -n 100, reference)', secs(liveTail), cpu(liveTail), '', '', '', ''])
  const reads: Array<[string, string[], string]> = [
    ['get -n 100', ['get', 'big', '-n', '100'], '≤ 2× live, ≤ 4 MiB'],
    [`get --after ${seq} --head 1`, ['get', 'big', '--after', String(seq), '--head', '1'], '≤ 4 MiB'],
    ['get --level error', ['get', 'big', '--level', 'error'], '≤ 8 MiB'],
    ['get --section Publish (1.5 % of lines)', ['get', 'big', '--section', 'Publish'], ''],
    [`get --grep ${RARE}`, ['get', 'big', '--grep', RARE], ''],
  ]
  let archivedTail: Awaited<ReturnType<typeof served>> | undefined
  for (const [what, args, ask] of reads) {
    const run = await served(args)
    archivedTail ??= run
    rows.push([what, secs(run), cpu(run), MiB(run.bytes), String(run.requests), pct(run.bytes, object.length), ask])
  }
  // --grep of a token in 50 blocks, against zstdcat | grep -c of the same object (and zcat | grep -c of its gzip form): same count of matches.
  const getOut = join(work, 'get-grep.out')
  const getGrep = await served(['get', 'big', '--grep', COMMON], getOut)
  // A real output file: GNU grep stops at the first match when its output is /dev/null.
  const zgrepOut = join(work, 'zgrep.out')
  const zgrep = await best('bash', ['-c', `zstdcat "${objectFile}" | grep -c ${COMMON}`], {stdout: zgrepOut})
  const gzgrepOut = join(work, 'gzgrep.out')
  const gzgrep = await best('bash', ['-c', `zcat "${gzipObjectFile}" | grep -c ${COMMON}`], {stdout: gzgrepOut})
  rows.push([
    `get --grep ${COMMON} (${lineCount(getOut)} lines)`,
    secs(getGrep),
    cpu(getGrep),
    MiB(getGrep.bytes),
    String(getGrep.requests),
    pct(getGrep.bytes, object.length),
    '≤ zstdcat (zcat) | grep -c',
  ])
  rows.push([`(zstdcat OBJECT | grep -c, reference: ${readFileSync(zgrepOut, 'utf8').trim()})`, secs(zgrep), cpu(zgrep), '', '', '', ''])
  rows.push([`(zcat OBJECT-as-gzip | grep -c, reference: ${readFileSync(gzgrepOut, 'utf8').trim()})`, secs(gzgrep), cpu(gzgrep), '', '', '', ''])
  const everything = await served(['get', 'big'])
  rows.push(['get (everything)', secs(everything), cpu(everything), MiB(everything.bytes), String(everything.requests), pct(everything.bytes, object.length), ''])
  console.log(`\n${table(rows)}`)
  console.log(
    `archived get -n 100 / live: ${(archivedTail!.seconds / liveTail.seconds).toFixed(1)}× wall, ${(archivedTail!.cpuSeconds / liveTail.cpuSeconds).toFixed(1)}× CPU; ` +
      `get --grep / zstdcat | grep -c: ${(getGrep.seconds / zgrep.seconds).toFixed(1)}× wall, ${(getGrep.cpuSeconds / zgrep.cpuSeconds).toFixed(1)}× CPU; ` +
      `/ zcat | grep -c: ${(getGrep.seconds / gzgrep.seconds).toFixed(1)}× wall, ${(getGrep.cpuSeconds / gzgrep.cpuSeconds).toFixed(1)}× CPU (the issue asks for ≤ 2× live and ≤ 1× zcat/zstdcat | grep -c)`,
  )

  // get -n 100 on each object store, the job archived into each from a copy of the same live store.
  const stores: Array<[string, Store]> = [
    ['Supabase stand-in', supabase],
    [
      'S3 (s3rver)',
      {
        env: {...env, ...s3.env(), AWS_ENDPOINT_URL: s3Proxy.url, LOGS_STORE: `file://${join(work, 'live-s3')}`, LOGS_ARCHIVE: 's3://logs/bench'},
        bytes: () => s3Proxy.bytesServed,
        requests: () => s3Proxy.forwarded,
      },
    ],
    [
      'file:// archive',
      {env: {...env, LOGS_STORE: `file://${join(work, 'live-file')}`, LOGS_ARCHIVE: `file://${join(work, 'archive')}`}, bytes: () => Number.NaN, requests: () => Number.NaN},
    ],
  ]
  const perStore = [['archived get -n 100 on', 'wall', 'CPU', 'read from store', 'requests', '× live (wall)', '× live (CPU)']]
  perStore.push(['(live get -n 100, reference)', secs(liveTail), cpu(liveTail), '', '', '', ''])
  for (const [what, store] of stores) {
    if (store !== supabase) {
      const moved = await served(['archive', '--job', 'big'], undefined, 1, store)
      if (moved.code !== 0) console.log(`archive into ${what}: exit ${moved.code} (its row is not meaningful)`)
    }
    const run = store === supabase ? archivedTail! : await served(['get', 'big', '-n', '100'], undefined, ROUNDS, store)
    const counted = Number.isNaN(run.bytes) ? ['n/a (no server)', 'n/a'] : [MiB(run.bytes), String(run.requests)]
    perStore.push([what, secs(run), cpu(run), ...counted, `${(run.seconds / liveTail.seconds).toFixed(1)}×`, `${(run.cpuSeconds / liveTail.cpuSeconds).toFixed(1)}×`])
  }
  console.log(`\n${table(perStore)}\n(the issue asks for ≤ 2× live and ≤ 4 MiB read)`)

  // A store some way off: every request to s3rver held LATENCY_MS by the proxy, as a bucket in another zone or region would
  // answer. Reads of many blocks then wait on round trips, which reading several runs at once overlaps.
  const s3Store = stores[1][1]
  s3Proxy.inject({kind: 'slow', ms: LATENCY_MS})
  const farRows = [[`S3 (s3rver), ${LATENCY_MS} ms a request`, 'wall', 'CPU', 'requests']]
  for (const args of [
    ['--grep', COMMON],
    ['--level', 'error'],
    ['-n', '100'],
  ]) {
    const run = await served(['get', 'big', ...args], join(work, 'far.out'), ROUNDS, s3Store)
    farRows.push([`get ${args.join(' ')}`, secs(run), cpu(run), String(run.requests)])
  }
  s3Proxy.clear()
  console.log(`\n${table(farRows)}`)

  // The object's zstd frames vs gzip members and zstd -3 frames of the same 512 KiB blocks.
  const members = gzipObject.length
  let frames = 0
  for (let at = 0; HAS_ZSTD && at < ndjson.length; at += BLOCK_BYTES) {
    frames += spawnSync('zstd', ['-q', '-3', '-c'], {input: ndjson.subarray(at, at + BLOCK_BYTES), maxBuffer: 64 << 20}).stdout.length
  }
  const whole = (command: string): number => spawnSync('bash', ['-c', command], {input: ndjson, maxBuffer: 1 << 30}).stdout.length
  const zstdRow = (what: string, bytes: () => number): string[] => (HAS_ZSTD ? [what, MiB(bytes()), pct(bytes(), raw)] : [what, 'n/a', 'n/a'])
  console.log(
    `\n${table([
      [`NDJSON of the job (${MiB(ndjson.length)}) compressed as`, 'size', '% of raw log'],
      [`zstd -1 frames, 512 KiB blocks (the object)`, MiB(object.length), pct(object.length, raw)],
      [`gzip -${GZIP_LEVEL} members, 512 KiB blocks (format 2 before zstd)`, MiB(members), pct(members, raw)],
      zstdRow('zstd -3 frames, 512 KiB blocks', () => frames),
      ['gzip -1, one stream', MiB(whole('gzip -1')), pct(whole('gzip -1'), raw)],
      zstdRow('zstd -3, one stream', () => whole('zstd -q -3')),
    ])}`,
  )

  // Listing: requests per `ls` of SMALL_JOBS archived jobs.
  // Not spawnSync: push asks the archive whether the job was archived before, and the stand-in answers from this process.
  const smallInput = join(work, 'small.log')
  for (let i = 0; i < SMALL_JOBS; i++) {
    writeFileSync(smallInput, `job ${i} line\n`.repeat(20))
    const pushed = await measure(process.execPath, [BIN, 'push', '--job', `small-${i}`, '--exit-code', '0'], {env, stdin: smallInput})
    if (pushed.code !== 0) console.log(`push of small-${i} exited ${pushed.code}`)
  }
  await served(['archive'], undefined, 1)
  const ls = await served(['ls'])
  console.log(`\nls of ${SMALL_JOBS + 1} archived jobs: ${ls.requests} requests, ${secs(ls)} (the issue asks for ≤ 20)`)
} finally {
  await Promise.all([standin.stop(), s3Proxy.stop(), s3.destroy()])
  rmSync(work, {recursive: true, force: true})
}
