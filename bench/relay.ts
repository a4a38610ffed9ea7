/**
 * Benchmark of `logs serve`, each figure next to a reference measured in the same run:
 *
 *   fan-out: F SSE followers of one job while lines are appended at R lines/s for S seconds
 *            → delivery latency p50/p99 (writer's clock → follower's clock), relay CPU and
 *            RSS; reference: one follower reading the file store directly (store's own delay).
 *   ingest:  `logs push --url <relay>` vs direct `logs push` into the same store, same input,
 *            BENCH_ROUNDS rounds interleaved, medians: wall time (the figure of issue 16:
 *            push --url throughput as a share of direct push's) and the CPU time each costs
 *            (push --url: the client plus the relay; direct: the one process).
 *   latency: one line's way `logs push --url` → relay → `logs get -f --url` at fixed rates, vs
 *            `logs push` → `logs get -f` on the relay's store directly (bench/lib/latency.ts).
 *   history: `logs get JOB --url <relay>` vs direct `logs get JOB` of the same job (BENCH_GET_MB,
 *            default 64), text, raw, json, --level, --grep; BENCH_ROUNDS rounds interleaved,
 *            medians: wall time, CPU time (get --url: the client plus the relay) and their ratios.
 *
 *   npx tsx bench/relay.ts [followers] [lines/s] [seconds] [ingest MB]
 *   (env BENCH_FOLLOWERS, BENCH_RATE, BENCH_SECONDS, BENCH_MB; issue's figures: 1000 1000 30 100)
 *
 *   (latency: BENCH_LATENCY_RATES=1000,50000, empty to skip; BENCH_LATENCY_SECONDS=5; BENCH_ROUNDS=3)
 *   (BENCH_PARTS=fanout,ingest,latency,history: the parts to run, default all)
 *
 * Followers run in BENCH_WORKERS child processes (default 2). Prints; never passes or fails.
 * Needs a built CLI (npm run build).
 */
import {fork, spawn, type ChildProcess} from 'node:child_process'
import {request as httpRequest} from 'node:http'
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {fileURLToPath} from 'node:url'
import {FileStore} from '../src/lib/store/file/file-store.js'
import {writeInput} from './lib/input.js'
import {cliLatency, latencyTable} from './lib/latency.js'
import {measure, peakRssMB, rate, table, type Measured} from './lib/measure.js'

// Not from test/helpers/cli.ts: that module may use vitest hooks, which cannot load outside vitest.
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = join(ROOT, 'bin', 'run.js')

/** Its own state/data/config dirs and no LOGS_* from the shell, like the tests' isolatedEnv. */
function isolatedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('LOGS_') && key !== 'REDIS_URL'))
  return {...env, HOME: home, XDG_STATE_HOME: join(home, 'state'), XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config'), NO_COLOR: '1', ...extra}
}

const arg = (i: number, name: string, fallback: number) => Number(process.argv[2 + i] ?? process.env[name] ?? fallback)
const FOLLOWERS = arg(0, 'BENCH_FOLLOWERS', 1000)
const RATE = arg(1, 'BENCH_RATE', 1000)
const SECONDS = arg(2, 'BENCH_SECONDS', 10)
const MB = arg(3, 'BENCH_MB', 20)
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2)
const LATENCY_RATES = (process.env.BENCH_LATENCY_RATES ?? '1000,50000').split(',').filter(Boolean).map(Number)
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 5)
const LATENCY_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const TICK_MS = 10
const PARTS = new Set((process.env.BENCH_PARTS ?? 'fanout,ingest,latency,history').split(','))
const GET_MB = Number(process.env.BENCH_GET_MB ?? 64)

const work = mkdtempSync(join(tmpdir(), 'logs-bench-relay-'))
const env = isolatedEnv(work)
const storeDir = join(work, 'state', 'logs')

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // utime + stime, in clock ticks (100/s)
}

function rssMB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) / 1024 : 0
}

async function startRelay(): Promise<{child: ChildProcess; url: string}> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--max-clients', String(FOLLOWERS + 101)], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit']})
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk
      const match = /listening on (\S+)/.exec(out)
      if (match) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`logs serve exited with ${code}`)))
  })
  return {child, url}
}

interface WorkerReport {
  lines: number
  ended: number
  failed: number
  samples: number
  p50: number
  p90: number
  p99: number
  max: number
}

/** The reference: one follower of the store itself, in this process. */
async function directFollower(store: FileStore, job: string): Promise<number[]> {
  const latencies: number[] = []
  for await (const event of store.follow(job, {after: 0})) {
    if (event.type !== 'entries') continue
    const now = Date.now()
    for (const entry of event.entries) latencies.push(now - Number(/t=(\d+)/.exec(entry.line)![1]))
  }
  return latencies.sort((a, b) => a - b)
}

/** One more SSE follower, in this mostly idle process: what a client with CPU to spare sees while the relay serves all the others. */
function probeFollower(url: string, job: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = []
    let partial = ''
    const req = httpRequest(`${url}/v1/jobs/${job}/logs/stream`, {agent: false}, (res) => {
      res.setEncoding('latin1')
      res.on('data', (chunk: string) => {
        const now = Date.now()
        const text = partial + chunk
        let index = text.indexOf('t=')
        while (index !== -1 && index + 15 <= text.length) {
          latencies.push(now - Number(text.slice(index + 2, index + 15)))
          index = text.indexOf('t=', index + 15)
        }
        partial = index === -1 ? '' : text.slice(index)
      })
      res.on('close', () => resolve(latencies.sort((a, b) => a - b)))
    })
    req.on('error', reject)
    req.end()
  })
}

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

try {
  console.log(`relay bench (${[...PARTS].join(', ')}): ${FOLLOWERS} followers, ${RATE} lines/s for ${SECONDS}s, ingest ${MB} MB, history ${GET_MB} MB; work dir ${work}`)
  const store = await new FileStore(storeDir).init()
  const relay = await startRelay()
  if (PARTS.has('fanout')) await fanOut(relay, store)
  // Ingest: direct push vs push --url into the same store.
  if (MB > 0 && PARTS.has('ingest')) await ingest(relay.url, relay.child.pid!, store)
  if (LATENCY_RATES.length > 0 && PARTS.has('latency')) await latency(relay.url)
  if (GET_MB > 0 && PARTS.has('history')) await history(relay.url, relay.child.pid!)
  relay.child.kill('SIGTERM')
  await new Promise((resolve) => relay.child.once('exit', resolve))
  await store.close()
} finally {
  rmSync(work, {recursive: true, force: true})
}

/** F SSE followers of one job while lines are appended, next to one follower of the store itself. */
async function fanOut(relay: {child: ChildProcess; url: string}, store: FileStore): Promise<void> {
  const job = 'fanout'
  await store.startJob(job)

  // Followers connect before the first line.
  const workers = Array.from({length: WORKERS}, (_, w) => {
    const share = Math.floor(FOLLOWERS / WORKERS) + (w < FOLLOWERS % WORKERS ? 1 : 0)
    return fork(fileURLToPath(new URL('./relay-followers.ts', import.meta.url)), [relay.url, job, String(share)], {execArgv: ['--import', 'tsx'], stdio: 'inherit'})
  })
  const reports = workers.map((worker) => new Promise<WorkerReport>((resolve) => worker.on('message', (m: WorkerReport & {connected?: boolean}) => !m.connected && resolve(m))))
  const direct = directFollower(store, job)
  const probe = probeFollower(relay.url, job)
  for (let i = 0; i < 200; i++) {
    const metrics = await fetch(`${relay.url}/metrics`).then((r) => r.text())
    if (Number(/^logs_relay_clients (\d+)/m.exec(metrics)?.[1]) >= FOLLOWERS + 1) break
    await sleep(100)
  }
  const idleRss = rssMB(relay.child.pid!)

  // Writer: RATE lines/s in ticks of TICK_MS, each line carrying its send time.
  const cpuStart = cpuSeconds(relay.child.pid!)
  const started = Date.now()
  let written = 0
  let peakRss = idleRss
  for (let tick = 0; Date.now() - started < SECONDS * 1000; tick++) {
    const due = Math.floor(((Date.now() - started) / 1000) * RATE)
    const batch = []
    for (; written < due; written++) batch.push({ts: Date.now(), bytes: Buffer.from(`t=${Date.now()} line ${written + 1} ${'x'.repeat(60)}`), eol: true})
    if (batch.length) await store.append(job, batch)
    if (tick % 50 === 0) peakRss = Math.max(peakRss, rssMB(relay.child.pid!))
    await sleep(TICK_MS)
  }
  const elapsed = (Date.now() - started) / 1000
  await sleep(500)
  const cpu = cpuSeconds(relay.child.pid!) - cpuStart
  peakRss = Math.max(peakRss, rssMB(relay.child.pid!))
  await store.endJob(job, {status: 'ended'})
  const results = await Promise.all(reports)
  const directLatencies = await direct
  const probeLatencies = await probe
  const received = results.reduce((n, r) => n + r.lines, 0)
  const worst = (key: 'p50' | 'p99' | 'max') => Math.max(...results.map((r) => r[key]))

  console.log('\nfan-out')
  console.log(
    table([
      ['what', 'p50 ms', 'p99 ms', 'max ms', 'lines', 'relay CPU', 'relay RSS'],
      latencyRow('one direct store follower (reference)', directLatencies),
      latencyRow(`1 probe follower via the relay (+${FOLLOWERS} others)`, probeLatencies),
      [
        `${FOLLOWERS} SSE followers via the relay (in ${WORKERS} busy processes)`,
        String(worst('p50')),
        String(worst('p99')),
        String(worst('max')),
        `${received} of ${written * FOLLOWERS}`,
        `${((cpu / elapsed) * 100).toFixed(0)}% of a core`,
        `${peakRss.toFixed(0)} MB (idle ${idleRss.toFixed(0)} MB)`,
      ],
    ]),
  )
  const ended = results.reduce((n, r) => n + r.ended, 0)
  const failed = results.reduce((n, r) => n + r.failed, 0)
  console.log(
    `written ${written} lines in ${elapsed.toFixed(1)}s; followers ended ${ended}/${FOLLOWERS}, failed ${failed}; latency: writer's append → follower's read, sampled on 10% of followers, worst worker shown; peak relay RSS (VmHWM) ${peakRssMB(relay.child.pid!).toFixed(0)} MB`,
  )
}

async function ingest(relayUrl: string, relayPid: number, store: FileStore): Promise<void> {
  const input = join(work, 'input.log')
  const lines = await writeInput(input, MB * 1e6)
  const bytes = statSync(input).size
  const clientEnv = isolatedEnv(join(work, 'client'), {LOGS_URL: relayUrl})
  const direct: Array<Measured & {lines?: number}> = []
  const remote: Array<Measured & {lines?: number; relayCpu: number}> = []
  for (let round = 0; round < LATENCY_ROUNDS; round++) {
    const directJob = `ingest-direct-${round}`
    direct.push({...(await measure(process.execPath, [BIN, 'push', '--job', directJob], {stdin: input, env})), lines: (await store.getJob(directJob))?.lines})
    const remoteJob = `ingest-remote-${round}`
    const relayCpu0 = cpuSeconds(relayPid)
    const measured = await measure(process.execPath, [BIN, 'push', '--job', remoteJob], {stdin: input, env: clientEnv})
    remote.push({...measured, relayCpu: cpuSeconds(relayPid) - relayCpu0, lines: (await store.getJob(remoteJob))?.lines})
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
  const [directSeconds, remoteSeconds] = [median(direct.map((m) => m.seconds)), median(remote.map((m) => m.seconds))]
  const [directCpu, clientCpu, relayCpu] = [median(direct.map((m) => m.cpuSeconds)), median(remote.map((m) => m.cpuSeconds)), median(remote.map((m) => m.relayCpu))]
  const stored = (runs: Array<{lines?: number}>) => (runs.every((m) => m.lines === lines) ? String(lines) : runs.map((m) => m.lines).join('/'))
  console.log(
    `\ningest: ${(lines / 1000).toFixed(0)} k lines, ${(bytes / 1e6).toFixed(0)} MB; medians of ${LATENCY_ROUNDS} rounds, push --url and push interleaved; load ${loadavg()[0].toFixed(1)}`,
  )
  console.log(
    table([
      ['what', 'seconds', 'throughput', 'lines/s', 'CPU seconds', 'stored lines', 'peak RSS'],
      [
        'logs push (direct, reference)',
        directSeconds.toFixed(2),
        rate(bytes, directSeconds),
        `${(lines / directSeconds / 1000).toFixed(0)} k`,
        directCpu.toFixed(2),
        stored(direct),
        `${Math.max(...direct.map((m) => m.peakRssMB)).toFixed(0)} MB`,
      ],
      [
        'logs push --url (via the relay)',
        remoteSeconds.toFixed(2),
        rate(bytes, remoteSeconds),
        `${(lines / remoteSeconds / 1000).toFixed(0)} k`,
        `${clientCpu.toFixed(2)} + relay ${relayCpu.toFixed(2)}`,
        stored(remote),
        `${Math.max(...remote.map((m) => m.peakRssMB)).toFixed(0)} MB`,
      ],
    ]),
  )
  console.log(
    `push --url reaches ${((directSeconds / remoteSeconds) * 100).toFixed(0)}% of direct push throughput by wall time (issue 16's goal: ≥ 50%); ` +
      `its client alone costs ${(clientCpu / directCpu).toFixed(2)}× direct push's CPU time, client and relay together ${((clientCpu + relayCpu) / directCpu).toFixed(2)}×`,
  )
}

/** One line's way through the relay (push --url → serve → get -f --url), next to the same CLIs on the relay's store directly. */
async function latency(relayUrl: string): Promise<void> {
  console.log(`\nlatency, one follower (${LATENCY_ROUNDS} rounds, ${LATENCY_SECONDS} s per rate after a 0.5 s warm-up; load = 1-minute load average)`)
  const run = (what: string, args: string[], runEnv: NodeJS.ProcessEnv) => (rate: number, round: number) => {
    const job = `latency-${what}-${rate}-${round}`
    return cliLatency({job, storeArgs: args, env: runEnv, rate, seconds: LATENCY_SECONDS, started: () => existsSync(join(storeDir, 'jobs', job, 'meta.json'))})
  }
  await latencyTable(LATENCY_RATES, LATENCY_ROUNDS, [
    {what: 'logs push --url → logs get -f --url (via the relay)', run: run('relay', ['--url', relayUrl], isolatedEnv(join(work, 'latency-client')))},
    {what: "logs push → logs get -f (the relay's store directly, reference)", run: run('direct', [], env)},
  ])
}

/** A table row of sorted latencies: p50, p99, max (ms) and how many. */
function latencyRow(what: string, sorted: number[]): string[] {
  return [what, String(pct(sorted, 0.5)), String(pct(sorted, 0.99)), String(sorted.at(-1)), String(sorted.length), '', '']
}

/** `logs get --url` (the relay's streamed history) next to `logs get` on the relay's store directly, same job, same output. */
async function history(relayUrl: string, relayPid: number): Promise<void> {
  const input = join(work, 'history.log')
  const lines = await writeInput(input, GET_MB * 1e6)
  const bytes = statSync(input).size
  const job = 'history'
  const pushed = await measure(process.execPath, [BIN, 'push', '--job', job], {stdin: input, env})
  if (pushed.code !== 0) throw new Error(`push of the history job exited ${pushed.code}`)
  const clientEnv = isolatedEnv(join(work, 'history-client'), {LOGS_URL: relayUrl})
  const cases: Array<[string, string[]]> = [
    ['text', []],
    ['--output raw', ['--output', 'raw']],
    ['--output json', ['--output', 'json']],
    ['--level error', ['--level', 'error']],
    ['--grep "item 12345" (rare)', ['--grep', 'item 12345']],
  ]
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
  const rows: string[][] = [['get ' + job, 'direct s', '--url s', '× wall', 'direct CPU s', '--url CPU s (client + relay)', '× CPU']]
  const ratios: string[] = []
  for (const [what, args] of cases) {
    const direct: Measured[] = []
    const remote: Array<Measured & {relayCpu: number}> = []
    for (let round = 0; round < LATENCY_ROUNDS; round++) {
      direct.push(await measure(process.execPath, [BIN, 'get', job, ...args], {env}))
      const relayCpu0 = cpuSeconds(relayPid)
      const measured = await measure(process.execPath, [BIN, 'get', job, ...args], {env: clientEnv})
      remote.push({...measured, relayCpu: cpuSeconds(relayPid) - relayCpu0})
    }
    if ([...direct, ...remote].some((m) => m.code !== 0)) throw new Error(`get ${args.join(' ')} failed`)
    const [directS, remoteS] = [median(direct.map((m) => m.seconds)), median(remote.map((m) => m.seconds))]
    const [directCpu, clientCpu, relayCpu] = [median(direct.map((m) => m.cpuSeconds)), median(remote.map((m) => m.cpuSeconds)), median(remote.map((m) => m.relayCpu))]
    rows.push([
      what,
      directS.toFixed(2),
      remoteS.toFixed(2),
      (remoteS / directS).toFixed(2),
      directCpu.toFixed(2),
      `${(clientCpu + relayCpu).toFixed(2)} (${clientCpu.toFixed(2)} + ${relayCpu.toFixed(2)})`,
      ((clientCpu + relayCpu) / directCpu).toFixed(2),
    ])
    ratios.push(`${what} ${(remoteS / directS).toFixed(1)}×`)
  }
  console.log(
    `\nhistory: get of one ${(bytes / 1e6).toFixed(0)} MB job (${(lines / 1000).toFixed(0)} k lines), output to /dev/null; medians of ${LATENCY_ROUNDS} rounds, get --url and get interleaved; load ${loadavg()[0].toFixed(1)}`,
  )
  console.log(table(rows))
  console.log(
    `get --url ÷ direct get by wall time: ${ratios.join(', ')} (goal: within 2×; on a busy machine the relay and the client share its cores, and wall time tends to their CPU sum)`,
  )
}
