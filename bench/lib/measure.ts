/**
 * Runs a command as a child process and measures wall time and peak RSS (VmHWM from
 * /proc, sampled until exit). For benchmarks only: figures are printed, never judged.
 */
import {spawn} from 'node:child_process'
import {closeSync, openSync, readFileSync} from 'node:fs'
import {performance} from 'node:perf_hooks'

export interface Measured {
  seconds: number
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

export async function measure(command: string, args: string[], options: {stdin?: string; stdout?: string; env?: NodeJS.ProcessEnv} = {}): Promise<Measured> {
  const stdin = options.stdin ? openSync(options.stdin, 'r') : 'ignore'
  const stdout = openSync(options.stdout ?? '/dev/null', 'w')
  const start = performance.now()
  const child = spawn(command, args, {stdio: [stdin, stdout, 'inherit'], env: options.env ?? process.env})
  let peak = 0
  const sampler = setInterval(() => (peak = Math.max(peak, peakRssMB(child.pid!))), 20)
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  clearInterval(sampler)
  if (typeof stdin === 'number') closeSync(stdin)
  closeSync(stdout)
  return {seconds: (performance.now() - start) / 1000, peakRssMB: peak, code}
}

export function rate(bytes: number, seconds: number): string {
  return `${(bytes / 1e6 / seconds).toFixed(0)} MB/s`
}

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n')
}
