/**
 * Benchmark: level detection, the per-line work `push` does on every line it reads.
 * Cost per line of detectLevelInBytes over (a) the bench input push-file.ts uses (half
 * plain text, half JSON) and (b) the labelled real-format corpus of the level tests,
 * next to the reference of decoding the same bytes to a string (what any look at the
 * text costs at least). Also prints the accuracy on the labelled corpus.
 *
 *   npx tsx bench/level-detect.ts [rounds]     (default 20; or BENCH_ROUNDS)
 *
 * Prints figures; never passes or fails.
 */
import {performance} from 'node:perf_hooks'
import {detectLevelInBytes} from '../src/lib/entry.js'
import {labelledCorpus} from '../test/helpers/level-corpus.js'
import {logLine} from './lib/input.js'

const ROUNDS = Number(process.argv[2] ?? process.env.BENCH_ROUNDS ?? 20)

function nsPerLine(lines: Buffer[], work: (bytes: Buffer) => unknown): number {
  let sink = 0
  for (const line of lines.slice(0, 2000)) sink += work(line) ? 1 : 0 // warm up
  const start = performance.now()
  for (let round = 0; round < ROUNDS; round++) for (const line of lines) sink += work(line) ? 1 : 0
  const ns = ((performance.now() - start) * 1e6) / (ROUNDS * lines.length)
  return sink < 0 ? -1 : ns
}

const corpus = labelledCorpus()
const sets: [string, Buffer[]][] = [
  ['bench input (push-file.ts)', Array.from({length: 100_000}, (_, i) => Buffer.from(logLine(i)))],
  ['labelled corpus', corpus.flatMap((set) => set.lines.map((line) => Buffer.from(line)))],
]
console.log('set                          lines   detect ns/line   decode ns/line (reference)')
for (const [name, lines] of sets) {
  const detect = nsPerLine(lines, detectLevelInBytes)
  const decode = nsPerLine(lines, (bytes) => bytes.toString('utf8').length)
  console.log(`${name.padEnd(28)} ${String(lines.length).padStart(6)}   ${detect.toFixed(0).padStart(14)}   ${decode.toFixed(0).padStart(14)}`)
}
let right = 0
let total = 0
for (const set of corpus) {
  set.lines.forEach((line, i) => {
    total++
    if ((detectLevelInBytes(Buffer.from(line)) ?? null) === set.levels[i]) right++
  })
}
console.log(`accuracy on the labelled corpus: ${right}/${total} = ${((100 * right) / total).toFixed(2)} %`)
