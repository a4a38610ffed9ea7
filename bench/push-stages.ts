/**
 * Benchmark: where `push` into the file store spends its time, stage by stage, in one
 * process (no start-up, no profiler): the reads of the bench input (push-file.ts's lines)
 * go through the stages as capture runs them — cut, levels and masking scan (LineSplitter
 * with the default detectors, lines as columns: line-batch.ts), multi-line records (RecordTracker), the file store's
 * append (lock, index records, log bytes, counters), sections and phase (SectionTracker) —
 * next to the reference of a bare Node line split (`indexOf(10)`) over the same reads.
 * Each read is copied into one reused 64 KiB buffer first, as input-chunks.ts reads.
 * Each stage's figure is its best of the rounds; garbage collection pauses are counted
 * apart (they fall on whichever stage allocates when the heap is full).
 *
 *   npx tsx bench/push-stages.ts [MB]     (default 64; BENCH_ROUNDS=5)
 *
 * Prints figures; never passes or fails.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PerformanceObserver, performance} from 'node:perf_hooks'
import {LineSplitter} from '../src/lib/ingest/line-splitter.js'
import {Masker} from '../src/lib/mask/masker.js'
import {FileStore} from '../src/lib/store/file/file-store.js'
import {RecordTracker} from '../src/lib/structure/records.js'
import {SectionTracker} from '../src/lib/structure/sections.js'
import {logLine} from './lib/input.js'

const MB = Number(process.argv[2] ?? process.env.BENCH_MB ?? 64)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const READ_BYTES = 64 * 1024

// Made in parts, so that no string per line stays on the heap to slow the collections measured.
const parts: Buffer[] = []
let lineCount = 0
for (let bytes = 0; bytes < MB * 1e6;) {
  let text = ''
  for (let i = 0; i < 10_000 && bytes < MB * 1e6; i++, lineCount++) {
    const line = `${logLine(lineCount)}\n`
    text += line
    bytes += line.length
  }
  parts.push(Buffer.from(text, 'latin1'))
}
const input = Buffer.concat(parts)
parts.length = 0
const reads: Buffer[] = []
for (let at = 0; at < input.length; at += READ_BYTES) reads.push(input.subarray(at, at + READ_BYTES))

/** Collections as the observer is told of them (after the fact): [start, duration]. */
const collections: [number, number][] = []
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) collections.push([entry.startTime, entry.duration])
}).observe({entryTypes: ['gc']})

const STAGES = ['split', 'records', 'append', 'structure'] as const
type Stage = (typeof STAGES)[number]

async function round(): Promise<Record<Stage | 'reference', number> & {stages: [number, number]}> {
  const spent = {split: 0, records: 0, append: 0, structure: 0, reference: 0, stages: [0, 0] as [number, number]}
  const buffer = Buffer.allocUnsafeSlow(READ_BYTES)
  let newlines = 0
  for (const read of reads) {
    read.copy(buffer)
    const chunk = buffer.subarray(0, read.length)
    const start = performance.now()
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) newlines++
    spent.reference += performance.now() - start
  }
  const dir = mkdtempSync(join(tmpdir(), 'logs-bench-stages-'))
  const store = await new FileStore(dir).init()
  try {
    await store.startJob('bench')
    const splitter = new LineSplitter(undefined, undefined, new Masker({values: [], regexes: [], defaults: true}).forStream())
    const records = new RecordTracker()
    const sections = new SectionTracker()
    spent.stages[0] = performance.now()
    for (const read of reads) {
      read.copy(buffer)
      const chunk = buffer.subarray(0, read.length)
      const t0 = performance.now()
      const batch = splitter.cut(chunk, Date.now())
      const t1 = performance.now()
      records.observeBatch(batch)
      const t2 = performance.now()
      const {first} = await store.appendBatches('bench', [batch])
      const t3 = performance.now()
      sections.observeLineBatch(first, batch)
      const t4 = performance.now()
      spent.split += t1 - t0
      spent.records += t2 - t1
      spent.append += t3 - t2
      spent.structure += t4 - t3
    }
    spent.stages[1] = performance.now()
  } finally {
    await store.close()
    rmSync(dir, {recursive: true, force: true})
  }
  if (newlines !== lineCount) throw new Error(`the reference split found ${newlines} lines, not ${lineCount}`)
  return spent
}

const best: Record<string, number> = {}
const windows: [number, number][] = []
for (let r = 0; r < ROUNDS; r++) {
  const {stages, ...spent} = await round()
  windows.push(stages)
  for (const [stage, ms] of Object.entries(spent)) best[stage] = Math.min(best[stage] ?? Number.POSITIVE_INFINITY, ms)
}
// The observer hears of collections after the fact: a moment for the last ones to arrive.
await new Promise((resolve) => setTimeout(resolve, 200))
best.gc = Math.min(...windows.map(([from, to]) => collections.filter(([at]) => at >= from && at < to).reduce((sum, [, ms]) => sum + ms, 0)))
const total = STAGES.reduce((sum, stage) => sum + best[stage], 0)
const row = (what: string, ms: number) =>
  `${what.padEnd(44)} ${ms.toFixed(1).padStart(8)} ${((ms * 1e6) / lineCount).toFixed(0).padStart(8)} ${(ms / best.reference).toFixed(2).padStart(8)}×`
console.log(`input: ${(input.length / 1e6).toFixed(0)} MB, ${lineCount} lines, ${reads.length} reads of 64 KiB; best of ${ROUNDS} rounds per stage`)
console.log(`${'stage'.padEnd(44)} ${'ms'.padStart(8)} ${'ns/line'.padStart(8)} ${'vs split'.padStart(9)}`)
console.log(row('Node line split, indexOf(10) (reference)', best.reference))
console.log(row('cut, levels, mask scan (LineSplitter)', best.split))
console.log(row('multi-line records (RecordTracker)', best.records))
console.log(row('file store append (lock, index, log, stats)', best.append))
console.log(row('sections and phase (SectionTracker)', best.structure))
console.log(row('all stages', total))
console.log(row('garbage collection pauses, within the stages', best.gc))
