/**
 * Benchmark: the `logs tail` viewer on a real terminal (tmux), next to `less` measured in
 * the same run on the same data.
 *
 *   time to first screen   `logs tail big` on a LINES-line job  vs  `less +G` on the same lines
 *   push → screen latency  lines pushed at each RATE through `logs push`, read back from the
 *                          pane; each line carries its send time (p50/p99 over samples)
 *   key → screen latency   space (pause/resume) while the job streams at RATE
 *   peak RSS of the viewer (VmHWM)
 *
 *   npx tsx bench/tail.ts [LINES] [RATES] [SECONDS]     defaults: 1000000 1000,50000 5
 *   (env: BENCH_TAIL_LINES, BENCH_TAIL_RATES, BENCH_TAIL_SECONDS)
 *
 * Prints figures; never passes or fails. Needs a built CLI (npm run build) and tmux.
 */
import {execFileSync, spawn} from 'node:child_process'
import {createWriteStream, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {performance} from 'node:perf_hooks'
import {once} from 'node:events'
import {fileURLToPath} from 'node:url'
import {peakRssMB, table} from './lib/measure.js'

// Not from test/helpers/cli.ts: that module needs vitest's runner, and a bench runs without it.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const BIN = join(ROOT, 'bin', 'run.js')

const LINES = Number(process.argv[2] ?? process.env.BENCH_TAIL_LINES ?? 1_000_000)
const RATES = (process.argv[3] ?? process.env.BENCH_TAIL_RATES ?? '1000,50000').split(',').map(Number)
const SECONDS = Number(process.argv[4] ?? process.env.BENCH_TAIL_SECONDS ?? 5)
const REPEAT = 3

const work = mkdtempSync(join(tmpdir(), 'logs-bench-tail-'))
const env: NodeJS.ProcessEnv = {...process.env, HOME: work, XDG_STATE_HOME: join(work, 'state'), XDG_DATA_HOME: join(work, 'data'), XDG_CONFIG_HOME: join(work, 'config')}
// Own stores only; and ink draws no live updates when it believes it runs in CI.
for (const key of Object.keys(env)) if (key.startsWith('LOGS_') || ['REDIS_URL', 'CI', 'CONTINUOUS_INTEGRATION', 'NO_COLOR', 'TMUX'].includes(key)) delete env[key]
const socket = `logs-bench-tail-${process.pid}`

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], {env, cwd: ROOT, encoding: 'utf8'})
}
const capture = (): string => tmux('capture-pane', '-p', '-t', 'bench')
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs a command in the pane and returns ms until the screen satisfies `ready`. */
async function timeToScreen(command: string, ready: (screen: string) => boolean): Promise<number> {
  const start = performance.now()
  tmux('respawn-pane', '-k', '-t', 'bench', command)
  for (;;) {
    if (ready(capture())) return performance.now() - start
    if (performance.now() - start > 60_000) throw new Error(`no first screen within 60 s for ${command}:\n${capture()}`)
    await sleep(5)
  }
}

async function quitPane(): Promise<void> {
  tmux('send-keys', '-t', 'bench', 'q')
  for (let i = 0; i < 200 && tmux('display', '-p', '-t', 'bench', '#{pane_dead}').trim() !== '1'; i++) await sleep(10)
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

async function writeLines(path: string, count: number): Promise<void> {
  const out = createWriteStream(path)
  const chunk = 10_000
  for (let from = 1; from <= count; from += chunk) {
    let text = ''
    for (let i = from; i < Math.min(count + 1, from + chunk); i++)
      text += `line ${i} ${i % 13 === 0 ? 'ERROR request failed' : 'INFO request served'} path=/api/items/${i % 977} ms=${i % 250}\n`
    if (!out.write(text)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

/** Pushes `rate` lines/s for `seconds` into `logs push`; each line carries its send time. */
function startPusher(job: string, rate: number, seconds: number): {done: Promise<void>} {
  const script = `
    const rate = ${rate}, end = Date.now() + ${seconds * 1000}; let seq = 0; const started = Date.now()
    const tick = () => {
      const due = Math.floor((Date.now() - started) / 1000 * rate)
      let text = ''
      while (seq < due) { seq++; text += 'sent=' + Date.now() + ' seq=' + seq + ' INFO streaming payload\\n' }
      if (text) process.stdout.write(text)
      if (Date.now() < end) setTimeout(tick, 5); else process.stdout.end()
    }
    tick()`
  const producer = spawn(process.execPath, ['-e', script], {stdio: ['ignore', 'pipe', 'inherit']})
  const push = spawn(process.execPath, [BIN, 'push', '--job', job], {stdio: ['pipe', 'ignore', 'inherit'], env})
  producer.stdout.pipe(push.stdin)
  return {done: once(push, 'exit').then(() => undefined)}
}

async function latencyRun(rate: number): Promise<string[]> {
  const job = `stream-${rate}`
  tmux('respawn-pane', '-k', '-t', 'bench', `node ${BIN} tail ${job}`)
  await sleep(1500)
  const viewerPid = Number(tmux('display', '-p', '-t', 'bench', '#{pane_pid}').trim())
  const pusher = startPusher(job, rate, SECONDS)
  const samples: number[] = []
  const keyTimes: number[] = []
  // Start the clock at the first streamed line on screen (the pusher needs a moment to start).
  const waitStart = performance.now()
  while (!capture().includes('sent=') && performance.now() - waitStart < 20_000) await sleep(20)
  if (!capture().includes('sent=')) console.log(`no streamed line on screen after 20 s at ${rate} lines/s:\n${capture()}`)
  const streamEnd = performance.now() + SECONDS * 1000 - 300
  const keysFrom = performance.now() + SECONDS * 700
  while (performance.now() < keysFrom) {
    const screen = capture()
    const now = Date.now()
    const sent = [...screen.matchAll(/sent=(\d+)/g)].at(-1)?.[1]
    if (sent) samples.push(now - Number(sent))
    await sleep(20)
  }
  // Keyboard while streaming: space toggles pause; time until the toolbar says so.
  let paused = false
  while (performance.now() < streamEnd - 200 && keyTimes.length < 10) {
    const start = performance.now()
    tmux('send-keys', '-t', 'bench', ' ')
    paused = !paused
    const want = paused ? 'paused' : 'following'
    while (!capture().split('\n')[0].includes(want) && performance.now() - start < 5000) await sleep(2)
    keyTimes.push(performance.now() - start)
  }
  if (paused) tmux('send-keys', '-t', 'bench', ' ')
  await pusher.done
  const rss = peakRssMB(viewerPid)
  await quitPane()
  return [
    `${rate.toLocaleString('en-US')} lines/s`,
    String(samples.length),
    samples.length ? median(samples).toFixed(0) : '-',
    samples.length ? percentile(samples, 99).toFixed(0) : '-',
    keyTimes.length ? median(keyTimes).toFixed(0) : '-',
    keyTimes.length ? Math.max(...keyTimes).toFixed(0) : '-',
    `${rss.toFixed(0)} MB`,
  ]
}

try {
  tmux('new-session', '-d', '-x', '120', '-y', '30', '-s', 'bench', 'sleep 3600')
  tmux('set-option', '-t', 'bench', 'remain-on-exit', 'on')
  const input = join(work, 'big.log')
  await writeLines(input, LINES)
  const pushStart = performance.now()
  execFileSync(process.execPath, [BIN, 'push', '--job', 'big'], {env, stdio: [(await import('node:fs')).openSync(input, 'r'), 'ignore', 'inherit']})
  console.log(`data: ${LINES.toLocaleString('en-US')} lines (pushed in ${((performance.now() - pushStart) / 1000).toFixed(1)} s), in ${work}`)

  const last = `line ${LINES} `
  const tailTimes: number[] = []
  const lessTimes: number[] = []
  const getTimes: number[] = []
  let tailRss = 0
  for (let i = 0; i < REPEAT; i++) {
    tailTimes.push(await timeToScreen(`node ${BIN} tail big`, (s) => s.includes(last) && s.includes('total')))
    tailRss = Math.max(tailRss, peakRssMB(Number(tmux('display', '-p', '-t', 'bench', '#{pane_pid}').trim())))
    await quitPane()
    lessTimes.push(await timeToScreen(`less +G ${input}`, (s) => s.includes(last)))
    await quitPane()
    // Node + oclif start-up and a tail read, no viewer: the floor the viewer builds on.
    getTimes.push(await timeToScreen(`node ${BIN} get big -n 28`, (s) => s.includes(last)))
  }
  console.log('\ntime to first screen (median of 3, 120×30 tmux pane)')
  console.log(
    table([
      ['what', 'ms', 'runs (ms)', 'peak RSS'],
      ['less +G (reference)', median(lessTimes).toFixed(0), lessTimes.map((t) => t.toFixed(0)).join(' '), ''],
      ['logs get -n 28 (no viewer: start-up floor)', median(getTimes).toFixed(0), getTimes.map((t) => t.toFixed(0)).join(' '), ''],
      ['logs tail (viewer)', median(tailTimes).toFixed(0), tailTimes.map((t) => t.toFixed(0)).join(' '), `${tailRss.toFixed(0)} MB`],
    ]),
  )

  console.log(`\npush → screen latency (${SECONDS} s per rate; screen read every ~20 ms, so figures include up to that much sampling delay)`)
  const rows = [['rate', 'samples', 'p50 ms', 'p99 ms', 'key p50 ms', 'key max ms', 'viewer peak RSS']]
  for (const rate of RATES) rows.push(await latencyRun(rate))
  console.log(table(rows))
} finally {
  try {
    tmux('kill-server')
  } catch {
    // the server did not start
  }
  rmSync(work, {recursive: true, force: true})
}
