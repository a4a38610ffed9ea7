/**
 * Runs a command as a child process and measures wall time, CPU time and peak RSS (from
 * GNU time where it is installed, else VmHWM from /proc sampled until exit). For benchmarks only: figures are printed, never judged.
 */
import {spawn, type ChildProcess, type SpawnOptions} from 'node:child_process'
import {closeSync, existsSync, openSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'

export interface Measured {
  seconds: number
  /** user + system CPU seconds of the process (from /usr/bin/time; NaN where it is missing). */
  cpuSeconds: number
  peakRssMB: number
  code: number | null
}

export function peakRssMB(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) / 1024 : 0
  } catch {
    return 0
  }
}

/** GNU time reports a child's CPU time and peak RSS; wall time on a busy machine says little, CPU time more. */
const TIME = '/usr/bin/time'

/** A child under GNU time (where installed): `report()` after it exited gives its CPU seconds and peak RSS (NaN and 0 without GNU time). */
export function spawnTimed(command: string, args: string[], options: SpawnOptions): {child: ChildProcess; report: () => {cpuSeconds: number; peakRssKb: number}} {
  const timed = existsSync(TIME)
  const file = join(tmpdir(), `logs-bench-time-${process.pid}-${++reports}`)
  const child = timed ? spawn(TIME, ['-f', '%U %S %M', '-o', file, command, ...args], options) : spawn(command, args, options)
  return {
    child,
    report() {
      if (!timed) return {cpuSeconds: Number.NaN, peakRssKb: 0}
      // The last line: GNU time puts "Command exited with non-zero status N" before it.
      const [user, system, rssKb] = readFileSync(file, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number)
      rmSync(file, {force: true})
      return {cpuSeconds: user + system, peakRssKb: rssKb}
    },
  }
}

let reports = 0

export async function measure(command: string, args: string[], options: {stdin?: string; stdout?: string; env?: NodeJS.ProcessEnv} = {}): Promise<Measured> {
  const stdin = options.stdin ? openSync(options.stdin, 'r') : 'ignore'
  const stdout = openSync(options.stdout ?? '/dev/null', 'w')
  const start = performance.now()
  const {child, report} = spawnTimed(command, args, {stdio: [stdin, stdout, 'inherit'], env: options.env ?? process.env})
  const timed = existsSync(TIME)
  let peak = 0
  const sampler = timed ? undefined : setInterval(() => (peak = Math.max(peak, peakRssMB(child.pid!))), 20)
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  const seconds = (performance.now() - start) / 1000
  clearInterval(sampler)
  if (typeof stdin === 'number') closeSync(stdin)
  closeSync(stdout)
  const {cpuSeconds, peakRssKb} = report()
  return {seconds, cpuSeconds, peakRssMB: timed ? peakRssKb / 1024 : peak, code}
}

export function rate(bytes: number, seconds: number): string {
  return `${(bytes / 1e6 / seconds).toFixed(0)} MB/s`
}

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n')
}
