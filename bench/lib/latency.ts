/**
 * Push → follower latency, two ways, with one procedure:
 *
 *   cliLatency    the way a user sees it: `logs push` reads lines from a pipe, `logs get -f
 *                 --output raw` prints them (both fresh processes)
 *   storeLatency  the reference: a store's append and another instance's follow, in this process
 *
 * Each line starts with the time it was written (to push's stdin, or to append), and is
 * timed when the follower has it. A run sends one line alone first — its latency is the
 * cold path (first append, first read, code not compiled yet) — then WARMUP_MS of lines at
 * the rate, not counted, then `seconds` of lines at the rate, counted.
 *
 * On a shared machine latency under load is mostly the scheduler's: callers run several
 * rounds, the CLI and its reference interleaved, and report the median with the load average.
 */
import type {ChildProcessByStdio} from 'node:child_process'
import {once} from 'node:events'
import {readFileSync} from 'node:fs'
import type {Readable, Writable} from 'node:stream'
import {performance} from 'node:perf_hooks'
import {setTimeout as sleep} from 'node:timers/promises'
import {newEntry} from '../../src/lib/entry.js'
import type {LiveStore} from '../../src/lib/store/types.js'
import {BIN} from '../../test/helpers/cli.js'
import {waitUntil} from '../../test/helpers/wait.js'
import {logLine} from './input.js'
import {spawnTimed, table} from './measure.js'

const WARMUP_MS = 500

const now = (): number => performance.timeOrigin + performance.now()

export interface LatencyRun {
  /** ms from writing the first line to the follower having it. */
  firstLine: number
  /** ms per counted line, sorted. */
  latencies: number[]
  /** 1-minute load average when the run ended. */
  load: number
  /** CLI runs under GNU time: CPU seconds (user + system) of push and of the follower, start-up included. */
  cpu?: {push: number; follower: number}
}

export interface CliLatencyOptions {
  job: string
  /** Arguments of both commands naming the store (`--store redis://…`); none: the default file store. */
  storeArgs: string[]
  env: NodeJS.ProcessEnv
  /** Lines per second. */
  rate: number
  seconds: number
  /** True once push has started the job (its store says so). */
  started: () => Promise<boolean> | boolean
}

export async function cliLatency({job, storeArgs, env, rate, seconds, started}: CliLatencyOptions): Promise<LatencyRun> {
  const timedFollower = spawnTimed(process.execPath, [BIN, 'get', job, '-f', '--output', 'raw', ...storeArgs], {env, stdio: ['ignore', 'pipe', 'pipe']})
  const follower = timedFollower.child as ChildProcessByStdio<null, Readable, Readable>
  const followerDone = once(follower, 'close')
  let notice = ''
  follower.stderr.setEncoding('utf8')
  follower.stderr.on('data', (chunk: string) => (notice += chunk))
  await until(() => notice.includes('waiting for job'), 'the follower waiting for the job')
  const timedPush = spawnTimed(process.execPath, [BIN, 'push', '--job', job, ...storeArgs], {env, stdio: ['pipe', 'ignore', 'inherit']})
  const push = timedPush.child as ChildProcessByStdio<Writable, null, null>
  const pushDone = once(push, 'close')
  await until(started, 'push starting the job')

  const arrivals: number[] = []
  let rest = ''
  follower.stdout.setEncoding('utf8')
  follower.stdout.on('data', (chunk: string) => {
    const arrived = now()
    const parts = (rest + chunk).split('\n')
    rest = parts.pop()!
    for (const line of parts) arrivals.push(arrived - stampOf(line))
  })
  const run = await paced(rate, seconds, arrivals, async (lines) => {
    const text = `${lines.join('\n')}\n`
    if (!push.stdin.write(text)) await once(push.stdin, 'drain')
  })
  push.stdin.end()
  await Promise.all([followerDone, pushDone])
  return {...run, cpu: {push: timedPush.report().cpuSeconds, follower: timedFollower.report().cpuSeconds}}
}

/** The store alone: `writer` appends (what arrived while an append was in flight goes in the next), `reader` follows on its own connection. */
export async function storeLatency({writer, reader, job, rate, seconds}: {writer: LiveStore; reader: LiveStore; job: string; rate: number; seconds: number}): Promise<LatencyRun> {
  await writer.startJob(job)
  const arrivals: number[] = []
  const following = (async () => {
    for await (const event of reader.follow(job, {after: 0})) {
      if (event.type !== 'entries') continue
      const arrived = now()
      for (const entry of event.entries) arrivals.push(arrived - stampOf(entry.line))
    }
  })()
  const run = await paced(rate, seconds, arrivals, async (lines) => {
    await writer.append(
      job,
      lines.map((line) => newEntry(Buffer.from(line), true, Date.now())),
    )
  })
  await writer.endJob(job, {status: 'ended'})
  await following
  return run
}

/**
 * Sends the first line alone and waits for it, then warm-up and counted lines at `rate`
 * in ~1 ms ticks, each tick's lines stamped with the time they are sent; returns once
 * every line has arrived in `arrivals`.
 */
async function paced(rate: number, seconds: number, arrivals: number[], send: (lines: string[]) => Promise<void>): Promise<LatencyRun> {
  await send([`${now().toFixed(3)} first`])
  await until(() => arrivals.length > 0, 'the first line at the follower')
  const warmup = Math.round((rate * WARMUP_MS) / 1000)
  const total = warmup + rate * seconds
  const begin = now()
  let sent = 0
  while (sent < total) {
    const due = Math.min(total, Math.floor(((now() - begin) / 1000) * rate) + 1)
    const stamp = now().toFixed(3)
    const lines: string[] = []
    for (; sent < due; sent++) lines.push(`${stamp} ${logLine(sent).slice(0, 80)}`)
    if (lines.length > 0) await send(lines)
    await sleep(1)
  }
  await until(() => arrivals.length === 1 + total, 'every line at the follower')
  return {firstLine: arrivals[0], latencies: arrivals.slice(1 + warmup).sort((a, b) => a - b), load: loadAverage()}
}

function stampOf(line: string): number {
  return Number(line.slice(0, line.indexOf(' ')))
}

function until(condition: () => Promise<boolean> | boolean, what: string): Promise<unknown> {
  return waitUntil(condition, {what, timeout: 60_000, interval: 2})
}

function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
}

/** The q-th quantile (0..1) of sorted figures. */
export function percentile(sorted: number[], q: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  )
}

/** Issue 16's push → follower goals: p99 ≤ 5 ms at 1 k lines/s, ≤ 15 ms at 50 k lines/s. */
export function p99Goal(rate: number): string {
  return rate <= 1000 ? '≤ 5 ms' : rate <= 50_000 ? '≤ 15 ms' : 'none set'
}

/**
 * Runs `rounds` rounds of every rate, each row of `kinds` in turn (a CLI path and its
 * reference, interleaved), prints a row per run and the median p99 of each kind and rate.
 */
export async function latencyTable(rates: number[], rounds: number, kinds: Array<{what: string; run: (rate: number, round: number) => Promise<LatencyRun>}>): Promise<void> {
  const ms = (n: number) => n.toFixed(2)
  const rows = [['what', 'rate', 'round', 'first line ms', 'p50 ms', 'p99 ms', 'max ms', 'lines', 'CPU s push + follower', 'load']]
  const p99s = new Map<string, number[]>()
  for (let round = 1; round <= rounds; round++) {
    for (const rate of rates) {
      for (const {what, run} of kinds) {
        const {firstLine, latencies, load, cpu} = await run(rate, round)
        const key = `${rate} ${what}`
        p99s.set(key, [...(p99s.get(key) ?? []), percentile(latencies, 0.99)])
        rows.push([
          what,
          `${rate.toLocaleString('en-US')}/s`,
          String(round),
          ms(firstLine),
          ms(percentile(latencies, 0.5)),
          ms(percentile(latencies, 0.99)),
          ms(latencies.at(-1)!),
          String(latencies.length),
          cpu ? `${cpu.push.toFixed(2)} + ${cpu.follower.toFixed(2)}` : '-',
          load.toFixed(2),
        ])
      }
    }
  }
  console.log(table(rows))
  console.log('')
  for (const rate of rates) {
    const figures = kinds.map(({what}, i) => `${what} ${ms(median(p99s.get(`${rate} ${what}`)!))} ms${i === 0 ? ` (goal ${p99Goal(rate)})` : ''}`)
    console.log(`${rate.toLocaleString('en-US').padStart(6)} lines/s, median p99 of ${rounds} rounds: ${figures.join('; ')}`)
  }
}
