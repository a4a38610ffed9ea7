/**
 * Benchmark: `logs push` into Redis, against `redis-cli --pipe` of one XADD per line into
 * the same server in the same run, plus push → `get -f` latency at fixed input rates.
 *
 *   npx tsx bench/push-redis.ts [MB]          (default 50; BENCH_MB also works; the figure is 1024; 0: latency only)
 *   BENCH_RATES=1000,50000 BENCH_SECONDS=5    latency phase: rates (lines/s) and seconds per rate (BENCH_RATES= : none)
 *   BENCH_ROUNDS=3                            latency rounds (CLI and store alone interleaved); medians printed
 *
 * Prints figures; never passes or fails. Needs redis-server/redis-cli and a built CLI (npm run build).
 */
import {spawn} from 'node:child_process'
import {createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {once} from 'node:events'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {BIN, isolatedEnv, ROOT} from '../test/helpers/cli.js'
import {startRedis, type RedisServer} from '../test/helpers/redis-server.js'
import {openLiveStore} from '../src/lib/open/open-store.js'
import {newEntry, type NewEntry} from '../src/lib/entry.js'
import {writeInput} from './lib/input.js'
import {cliLatency, latencyTable, storeLatency} from './lib/latency.js'

const MB = Number(process.argv[2] ?? process.env.BENCH_MB ?? 50)
const RATES = (process.env.BENCH_RATES ?? '1000,50000').split(',').filter(Boolean).map(Number)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

const work = mkdtempSync(join(tmpdir(), 'logs-bench-'))
const TIME = '/usr/bin/time'
const now = () => performance.now()

/** user + system CPU seconds redis-server has used so far (INFO cpu). */
async function serverCpu(server: RedisServer): Promise<number> {
  const info = await server.cli('INFO', 'cpu')
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1])
}

/** The reference: the same lines as RESP `XADD ref * d <line>`, one per line, through `redis-cli --pipe`. */
async function writeResp(input: string, path: string): Promise<void> {
  const out = createWriteStream(path)
  let rest = ''
  for await (const chunk of createReadStream(input, 'utf8')) {
    const parts = (rest + chunk).split('\n')
    rest = parts.pop()!
    let resp = ''
    for (const line of parts) resp += `*5\r\n$4\r\nXADD\r\n$3\r\nref\r\n$1\r\n*\r\n$1\r\nd\r\n$${Buffer.byteLength(line)}\r\n${line}\r\n`
    if (!out.write(resp)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

/** Runs a command with a file as stdin; peak RSS is VmHWM from /proc, sampled until the process exits. */
function run(
  command: string,
  args: string[],
  stdinPath: string,
  env = process.env,
): Promise<{seconds: number; cpuSeconds: number; stderr: string; code: number | null; peakRssKb: number}> {
  // GNU time, where installed, gives the CPU time: the steadier figure on a busy machine.
  const timed = existsSync(TIME)
  const report = join(work, `time-${Date.now()}`)
  return new Promise((resolve, reject) => {
    const started = now()
    const child = timed
      ? spawn(TIME, ['-f', '%U %S', '-o', report, command, ...args], {env, stdio: ['pipe', 'ignore', 'pipe'], cwd: ROOT})
      : spawn(command, args, {env, stdio: ['pipe', 'ignore', 'pipe'], cwd: ROOT})
    let stderr = ''
    let peakRssKb = 0
    const sample = () => {
      try {
        const pid = timed ? Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]) : child.pid
        const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
        if (kb > peakRssKb) peakRssKb = kb
      } catch {
        // exited between two samples
      }
    }
    const sampler = setInterval(sample, 10)
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('exit', sample)
    child.on('close', (code) => {
      clearInterval(sampler)
      const [user, system] = timed ? readFileSync(report, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number) : [Number.NaN, 0]
      resolve({seconds: (now() - started) / 1000, cpuSeconds: user + system, stderr, code, peakRssKb})
    })
    createReadStream(stdinPath).pipe(child.stdin)
  })
}

async function memoryPerLine(server: RedisServer, keys: string[], lines: number): Promise<number> {
  let total = 0
  for (const key of keys) total += Number(await server.cli('MEMORY', 'USAGE', key, 'SAMPLES', '0'))
  return total / lines
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', {maximumFractionDigits: digits, minimumFractionDigits: digits})
}

async function throughput(server: RedisServer, inputPath: string, lines: number): Promise<void> {
  const bytes = statSync(inputPath).size
  const respPath = join(work, 'input.resp')
  await writeResp(inputPath, respPath)
  const cpu0 = await serverCpu(server)
  const reference = await run('redis-cli', ['-p', String(server.port), '--pipe'], respPath)
  const referenceServerCpu = (await serverCpu(server)) - cpu0
  const refLen = Number(await server.cli('XLEN', 'ref'))
  const refMemory = await memoryPerLine(server, ['ref'], refLen)
  await server.cli('DEL', 'ref')

  const env = isolatedEnv(join(work, 'home'))
  const cpu1 = await serverCpu(server)
  const pushed = await run(process.execPath, [BIN, 'push', '--job', 'bench', '--store', server.url], inputPath, env)
  const pushServerCpu = (await serverCpu(server)) - cpu1
  const rssKb = pushed.peakRssKb
  // The same push into the embedded file store: what the push pipeline does without Redis.
  const local = await run(process.execPath, [BIN, 'push', '--job', 'bench'], inputPath, isolatedEnv(join(work, 'home-file')))
  const localRssKb = local.peakRssKb
  const stored = Number(await server.cli('HGET', 'logs:{bench}:meta', 'lines'))
  const pushMemory = await memoryPerLine(server, ['logs:{bench}:log', 'logs:{bench}:meta'], stored)

  // The store alone (no spool, no CLI): batches of 4096 lines appended in one process.
  const store = await openLiveStore({value: `${server.url}?prefix=direct:`, from: 'bench'})
  await store.startJob('direct')
  const direct = Buffer.from(await import('node:fs/promises').then((fs) => fs.readFile(inputPath)))
  const entries: NewEntry[] = []
  let start = 0
  for (let at = direct.indexOf(10); at !== -1; at = direct.indexOf(10, start)) {
    entries.push(newEntry(direct.subarray(start, at), true, Date.now()))
    start = at + 1
  }
  const t0 = now()
  for (let i = 0; i < entries.length; i += 4096) await store.append('direct', entries.slice(i, i + 4096))
  const directSeconds = (now() - t0) / 1000
  await store.deleteJob('direct')
  await store.close()

  console.log(`input: ${fmt(lines)} lines, ${fmt(bytes / 1e6, 1)} MB (~${fmt(bytes / lines)} B/line)`)
  console.log('')
  console.log('                                   lines/s        MB/s   peak RSS   Redis B/line')
  const row = (name: string, seconds: number, rss: string, perLine?: number) =>
    console.log(
      `${name.padEnd(32)} ${fmt(lines / seconds).padStart(10)} ${fmt(bytes / 1e6 / seconds, 1).padStart(11)} ${rss.padStart(10)} ${(perLine === undefined ? '-' : fmt(perLine, 1)).padStart(14)}`,
    )
  row('reference: redis-cli --pipe', reference.seconds, '-', refMemory)
  row('logs push --store redis://', pushed.seconds, `${fmt(rssKb / 1024)} MB`, pushMemory)
  row('RedisStore.append (4096/batch)', directSeconds, '-', pushMemory)
  row('(logs push --store file://)', local.seconds, `${fmt(localRssKb / 1024)} MB`)
  const cpuText = (client: number, serverSide: number) => `${client.toFixed(2)} s + redis-server ${serverSide.toFixed(2)} s`
  console.log('')
  console.log(`CPU (user + system): reference redis-cli ${cpuText(reference.cpuSeconds, referenceServerCpu)}; logs push ${cpuText(pushed.cpuSeconds, pushServerCpu)}`)
  // The spool is written first (nothing read is lost): a push into the file store is the floor under a Redis push.
  console.log(`of which the spool's floor (the same push into the file store): ${local.cpuSeconds.toFixed(2)} s`)
  console.log(
    `logs push vs redis-cli --pipe: ${(reference.seconds / pushed.seconds).toFixed(2)}× its speed by wall time (goal ≥ 0.8×), ${((reference.cpuSeconds + referenceServerCpu) / (pushed.cpuSeconds + pushServerCpu)).toFixed(2)}× by CPU time; peak RSS ${fmt(rssKb / 1024)} MB (goal < 150 MB)`,
  )
  if (pushed.code !== 0 || stored !== lines) console.log(`!! push exited ${pushed.code}, stored ${stored} of ${lines} lines: ${pushed.stderr.trim()}`)
  if (refLen !== lines) console.log(`!! reference stored ${refLen} of ${lines} lines`)
}

/** push → `get -f` through the CLI, and the RedisStore alone as the reference (lib/latency.ts). */
async function latency(server: RedisServer): Promise<void> {
  const cli = (rate: number, round: number) => {
    const job = `latency-${rate}-${round}`
    const started = async () => (await server.cli('EXISTS', `logs:{${job}}:meta`)) === '1'
    return cliLatency({job, storeArgs: ['--store', server.url], env: isolatedEnv(join(work, 'home')), rate, seconds: SECONDS, started})
  }
  const store = async (rate: number, round: number) => {
    const url = `${server.url}?prefix=latency:`
    const [writer, reader] = await Promise.all([openLiveStore({value: url, from: 'bench'}), openLiveStore({value: url, from: 'bench'})])
    try {
      return await storeLatency({writer, reader, job: `store-${rate}-${round}`, rate, seconds: SECONDS})
    } finally {
      await Promise.all([writer.close(), reader.close()])
    }
  }
  await latencyTable(RATES, ROUNDS, [
    {what: 'logs push → logs get -f', run: cli},
    {what: 'RedisStore append → follow (reference)', run: store},
  ])
}

const server = await startRedis({extraArgs: ['--appendonly', 'no', '--save', '']})
try {
  console.log(`redis-server ${(await server.cli('INFO', 'server')).match(/redis_version:(\S+)/)?.[1]} on 127.0.0.1:${server.port} (no persistence); node ${process.version}`)
  if (MB > 0) {
    const inputPath = join(work, 'input.log')
    await throughput(server, inputPath, await writeInput(inputPath, MB * 1e6))
    console.log('')
  }
  if (RATES.length > 0) {
    console.log(
      `latency (${ROUNDS} rounds, ${SECONDS} s per rate after a 0.5 s warm-up): from writing a line to push's stdin (or to append) to the follower printing (or receiving) it; load = 1-minute load average`,
    )
    await latency(server)
  }
} finally {
  await server.destroy()
  rmSync(work, {recursive: true, force: true})
}
