/**
 * Benchmark: what recognising a log's structure (sections, phase and progress, multi-line
 * records) costs `logs push` (file store):
 *   push of a plain log (the usual ~100-byte lines)                       (the reference)
 *   push of a log as large, full of markers and traces: a GitHub group, GitLab section or
 *   Buildkite group every 50 lines, a JSON phase/progress line every 100, and a Java,
 *   Python, Go or Node trace every 200
 * Both run the same code (detection is always on), so the difference is what the markers
 * and traces cost over lines that have none — detection and everything else those shorter,
 * more numerous lines cost (level detection, masking, storing). So the bench also times
 * detection alone, in this process: the record and section trackers over each log's
 * entries (cut by the one LineSplitter), as a share of that log's push CPU.
 *
 *   npx tsx bench/push-structure.ts [MB]      (default 128)
 *
 * Prints figures; never passes or fails. Needs a built CLI (npm run build).
 */
import {createReadStream, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, isolatedEnv} from '../test/helpers/cli.js'
import {LineSplitter} from '../src/lib/ingest/line-splitter.js'
import {RecordTracker} from '../src/lib/structure/records.js'
import {SectionTracker} from '../src/lib/structure/sections.js'
import {logLine, writeInput} from './lib/input.js'
import {measure, rate, table} from './lib/measure.js'

const MB = Number(process.argv[2] ?? process.env.BENCH_MB ?? 128)
const work = mkdtempSync(join(tmpdir(), 'logs-bench-structure-'))

const TRACES = [
  [
    'ERROR request failed',
    'java.lang.IllegalStateException: refused',
    '\tat com.example.Pool.acquire(Pool.java:42)',
    'Caused by: java.net.ConnectException: refused',
    '\t... 2 more',
  ],
  ['Traceback (most recent call last):', '  File "/app/main.py", line 10, in <module>', '    main()', 'ValueError: bad value'],
  ['panic: runtime error: index out of range', '', 'goroutine 1 [running]:', 'main.main()', '\t/src/main.go:20 +0x1d'],
  ['TypeError: Cannot read properties of undefined', '    at getUser (/app/users.js:14:20)', '    at async handler (/app/server.js:30:5)'],
]

function structured(n: number): string[] {
  if (n % 200 === 199) return TRACES[((n / 200) % TRACES.length) | 0]
  if (n % 100 === 99) return [JSON.stringify({phase: `step-${(n / 1000) | 0}`, progress: (n / 100) % 100})]
  if (n % 50 === 49) {
    const kind = ((n / 50) % 3) | 0
    if (kind === 0) return ['::endgroup::', `::group::Step ${n}`]
    if (kind === 1)
      return [`\u001b[0Ksection_end:${1_700_000_000 + n}:step_${n - 150}\r\u001b[0K`, `\u001b[0Ksection_start:${1_700_000_000 + n}:step_${n}[collapsed=true]\r\u001b[0KStep ${n}`]
    return [`--- :hammer: Step ${n}`]
  }
  return [logLine(n)]
}

/** CPU seconds the structure trackers take over a log's entries, as push feeds them (best of 3). */
async function detectionSeconds(path: string): Promise<number> {
  let best = Number.POSITIVE_INFINITY
  for (let round = 0; round < 3; round++) {
    const splitter = new LineSplitter()
    const records = new RecordTracker()
    const sections = new SectionTracker()
    let seq = 1
    let spent = 0
    for await (const chunk of createReadStream(path, {highWaterMark: 64 * 1024}) as AsyncIterable<Buffer>) {
      const entries = splitter.push(chunk, Date.now())
      const start = process.cpuUsage()
      records.observe(entries)
      sections.observeBatch(seq, entries)
      const used = process.cpuUsage(start)
      spent += used.user + used.system
      seq += entries.length
    }
    sections.end(false, Date.now())
    best = Math.min(best, spent / 1e6)
  }
  return best
}

try {
  const plain = join(work, 'plain.log')
  const rich = join(work, 'structured.log')
  const plainLines = await writeInput(plain, MB * 1e6)
  const richLines = await writeInput(rich, MB * 1e6, structured)
  console.log(
    `inputs: ${(statSync(plain).size / 1e6).toFixed(0)} MB plain (${plainLines} lines), ${(statSync(rich).size / 1e6).toFixed(0)} MB with markers and traces (${richLines} lines), in ${work}`,
  )
  const runs: Array<[string, string]> = [
    ['push, plain log (reference)', plain],
    ['push, markers and traces', rich],
  ]
  const best = new Map<string, {seconds: number; cpu: number; rss: number; bytes: number}>()
  const cpuFile = join(work, 'cpu')
  // Alternate the runs twice and keep each one's best: the machine is shared.
  for (let round = 0; round < 2; round++) {
    for (const [name, input] of runs) {
      const env = isolatedEnv(join(work, `home-${round}-${best.size}`))
      // CPU time (user + system, from GNU time) is what detection costs; wall time also holds the other load on the machine.
      const run = await measure('/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, process.execPath, BIN, 'push', '--job', 'bench'], {stdin: input, env})
      if (run.code !== 0) console.log(`${name}: exit code ${run.code}`)
      const cpu = readFileSync(cpuFile, 'utf8')
        .trim()
        .split(/\s+/)
        .slice(-2)
        .reduce((sum, value) => sum + Number(value), 0)
      const previous = best.get(name)
      if (!previous || cpu < previous.cpu) best.set(name, {seconds: run.seconds, cpu, rss: run.peakRssMB, bytes: statSync(input).size})
      rmSync(env.XDG_STATE_HOME!, {recursive: true, force: true})
    }
  }
  const reference = best.get(runs[0][0])!
  const perMB = (r: {cpu: number; bytes: number}) => r.cpu / r.bytes
  const detection = new Map<string, number>()
  for (const [name, input] of runs) detection.set(name, await detectionSeconds(input))
  console.log(
    table([
      ['what (best of 2 by CPU)', 'wall s', 'throughput', 'CPU s', 'CPU per MB vs reference', 'peak RSS', 'detection CPU s (best of 3)', 'detection share of push CPU'],
      ...[...best].map(([name, r]) => [
        name,
        r.seconds.toFixed(2),
        rate(r.bytes, r.seconds),
        r.cpu.toFixed(2),
        `${((perMB(r) / perMB(reference) - 1) * 100).toFixed(1)} %`,
        `${r.rss.toFixed(0)} MB`,
        detection.get(name)!.toFixed(3),
        `${((detection.get(name)! / r.cpu) * 100).toFixed(1)} %`,
      ]),
    ]),
  )
} finally {
  rmSync(work, {recursive: true, force: true})
}
