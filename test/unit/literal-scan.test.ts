import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {LiteralScanner, packNow} from '../../src/lib/mask/literal-scan.js'
import {LITERAL_SCAN_WASM} from '../../src/lib/mask/literal-scan-wasm.js'
import {literalAlternation} from '../../src/lib/mask/literal-alternation.js'
import {Masker} from '../../src/lib/mask/masker.js'
import {ADD_MASK, DEFAULT_DETECTORS, PEM_TRIGGERS} from '../../src/lib/mask/detectors.js'
import {MODULES, assemble, moduleSource} from '../../scripts/wasm-modules.mjs'
import {ROOT} from '../helpers/cli.js'
import {seededRandom} from '../helpers/seeded-random.js'

/** Every offset where some literal starts, found the slow and obvious way. */
function everyStart(chunk: Buffer, literals: Buffer[]): number[] {
  const starts = new Set<number>()
  for (const literal of literals) for (let at = chunk.indexOf(literal); at !== -1; at = chunk.indexOf(literal, at + 1)) starts.add(at)
  return [...starts].sort((a, b) => a - b)
}

/** Text of log-like bytes (high bytes too) with literals, and pieces of them, planted at random. */
function plantedText(next: () => number, literals: Buffer[], bytes: number): Buffer {
  const filler = Buffer.from('2026-11-23T10:00:00Z INFO worker processed item 42 in 7ms {"level":30} é\u00ff:/-_\n', 'latin1')
  const parts: Buffer[] = []
  for (let length = 0; length < bytes;) {
    const roll = next()
    const literal = literals[Math.floor(next() * literals.length)]
    const part = roll < 0.1 ? literal : roll < 0.2 ? literal.subarray(0, Math.max(1, literal.length - 1)) : filler.subarray(Math.floor(next() * filler.length))
    parts.push(part)
    length += part.length
  }
  return Buffer.concat(parts)
}

const DEFAULT_TRIGGERS = [ADD_MASK, ...PEM_TRIGGERS, ...DEFAULT_DETECTORS.flatMap((detector) => detector.triggers)]

describe('LiteralScanner: where literals start, 16 bytes a step', () => {
  it('runs from the module assembled from literal-scan.wat', async () => {
    const committed = readFileSync(join(ROOT, 'src/lib/mask/literal-scan-wasm.ts'), 'utf8')
    expect(committed).toBe(moduleSource(MODULES.literalScan, await assemble(MODULES.literalScan)))
    expect(Buffer.from(LITERAL_SCAN_WASM, 'base64').subarray(0, 4).toString('latin1')).toBe('\0asm')
  })

  // `npx vitest run test/unit/literal-scan.test.ts -u` writes the file anew (CI never does).
  it('comes with the default triggers packed as they are packed now (default-packing.ts)', async () => {
    const {key, tables} = packNow(new Masker({values: [], regexes: [], defaults: true}).scannedBytes())
    const packing = JSON.stringify({key, tables: Buffer.from(tables).toString('base64')})
    await expect(`// Written by test/unit/literal-scan.test.ts (vitest -u): do not edit.\nexport const DEFAULT_PACKING = ${packing}\n`).toMatchFileSnapshot(
      '../../src/lib/mask/default-packing.ts',
    )
  })

  const sets: [string, string[]][] = [
    ['the default triggers', DEFAULT_TRIGGERS],
    ['short and overlapping literals', ['a', 'ab', 'aab', '::', '-', 'xox']],
    ['a value in UTF-8 and high bytes', [Buffer.from('pässwörd-42').toString('latin1'), '\u00ff\u00fe', 'é']],
    ['one literal', ['npm_']],
  ]
  for (const [name, strings] of sets) {
    it(`finds every start of ${name}, and nothing else, across window edges`, () => {
      const literals = strings.map((s) => Buffer.from(s, 'latin1'))
      const next = seededRandom(strings.length)
      for (const window of [16, 37, 64, 1000, 1 << 20]) {
        const scanner = LiteralScanner.of(literals, {window})!
        for (let round = 0; round < 20; round++) {
          const chunk = plantedText(next, literals, 200 + Math.floor(next() * 3000))
          expect(scanner.scan(chunk), `window ${window}, round ${round}`).toEqual(everyStart(chunk, literals))
        }
      }
    })
  }

  it('scans for another set of literals in the same memory', () => {
    const scanner = LiteralScanner.of([Buffer.from('first')])!
    const chunk = Buffer.from('first second first-value second-value')
    expect(scanner.scan(chunk)).toEqual([0, 13])
    expect(scanner.use(['second', 'first-value'].map((s) => Buffer.from(s)))).toBe(true)
    expect(scanner.scan(chunk)).toEqual(
      everyStart(
        chunk,
        ['second', 'first-value'].map((s) => Buffer.from(s)),
      ),
    )
    expect(scanner.use([Buffer.alloc(0)])).toBe(false)
  })

  it('a Masker finds values registered mid-stream, however many (one scanner for them all)', () => {
    const masker = new Masker({values: [], regexes: [], defaults: true})
    const stream = masker.forStream()
    for (let i = 0; i < 300; i++) stream.mask(Buffer.from(`::add-mask::value-number-${i}`), true)
    const chunk = Buffer.from('nothing here\nvalue-number-7 and value-number-299\n')
    expect(masker.scan(chunk)).toEqual(everyStart(chunk, [Buffer.from('value-number-7'), Buffer.from('value-number-299')]))
  })

  // Before: the sorted literals were cut into equal runs, so adding two (`\\u`, `\\/`) moved
  // the cuts and made a bucket flag 4 times as many places in plain log lines.
  it('packs the literals so that they flag few places in plain log lines, whatever the set', () => {
    const values = Array.from({length: 20}, (_, i) => `value-${i}-${'x'.repeat(20)}`)
    const literals = [...DEFAULT_TRIGGERS, '\\u', '\\/', ...values].map((literal) => Buffer.from(literal, 'latin1'))
    const lines = Array.from({length: 600}, (_, i) =>
      i % 2 === 0
        ? `2026-11-23T10:00:${String(i % 60).padStart(2, '0')}Z ${['INFO', 'DEBUG', 'WARN', 'ERROR'][i % 4]} worker-${i % 17} processed item ${i} in ${i % 97}ms`
        : JSON.stringify({level: 30, time: 1795460000000 + i, pid: 4242, worker: i % 17, msg: `processed item ${i}`, ms: i % 97}),
    )
    const chunk = Buffer.from(lines.join('\n') + '\n')
    // Flagging more than `cap` places makes scan() give up: one flag a line at most.
    expect(LiteralScanner.of(literals, {window: 1 << 16, cap: lines.length})!.scan(chunk)).toEqual(everyStart(chunk, literals))
  })

  // Before: placed by how many nibble mixes a bucket allows, as if bytes were uniform, the
  // default set flagged 4.9 places a line there, and 6.2 with 20 values. Then, in 8 buckets,
  // 0.9 and 1.4, but adding the triggers of five more detectors gave 1.5 to 3.3 as their
  // spelling changed (`zip` or ` -P`, `7z` or `7z `…). In 16 buckets: 0.5 to 0.9.
  it("flags at most one place a line in Loghub's lines, with the default triggers, other spellings of them, and 20 values beside them", () => {
    const names = ['Android_2k.log', 'Apache_2k.log', 'HDFS_2k.log', 'Spark_2k.log', 'Zookeeper_2k.log']
    const chunk = Buffer.concat(names.map((name) => readFileSync(join(ROOT, 'test/fixtures/loghub', name))))
    const lines = chunk.filter((byte) => byte === 10).length
    const values = Array.from({length: 20}, (_, i) => `value-${i}-${'x'.repeat(20)}`)
    const respelled = new Map([
      [' -P', 'zip'],
      ['7z ', '7z'],
      ['7za', '7z'],
      ['7zr', '7z'],
      ['7zz', '7z'],
      ['redis-cli', 'dis-cli'],
      ['storepass', 'torepass'],
    ])
    const otherSpellings = [...new Set(DEFAULT_TRIGGERS.map((trigger) => respelled.get(trigger) ?? trigger))]
    expect(otherSpellings).toHaveLength(DEFAULT_TRIGGERS.length - 3) // '7z ', '7za', '7zr' and '7zz' are one
    for (const set of [DEFAULT_TRIGGERS, otherSpellings, [...DEFAULT_TRIGGERS, ...values], [...otherSpellings, ...values]]) {
      const literals = [...set, '\\u', '\\/'].map((literal) => Buffer.from(literal, 'latin1'))
      expect(LiteralScanner.of(literals, {window: chunk.length, cap: lines})!.scan(chunk)).toEqual(everyStart(chunk, literals))
    }
  })

  it('gives up on a window that flags more places than it has room for (the caller then scans with its regular expression)', () => {
    const literals = [Buffer.from('eyJ')]
    const chunk = Buffer.from('eyJ'.repeat(100))
    expect(LiteralScanner.of(literals, {cap: 50})!.scan(chunk)).toBeUndefined()
    expect(LiteralScanner.of(literals, {cap: 100})!.scan(chunk)).toEqual(everyStart(chunk, literals))
  })

  it('gives the Masker the lines its regular expression would, whatever the chunk', () => {
    const masker = new Masker({values: ['s3cr3t-value', 'pässwörd'], regexes: [/token-\d+/], defaults: true})
    const triggers = [...DEFAULT_TRIGGERS, 's3cr3t-value', Buffer.from('pässwörd').toString('latin1'), 'token-']
    const prefilter = literalAlternation(triggers)!
    const linesOf = (chunk: Buffer, offsets: number[]) => new Set(offsets.map((at) => chunk.subarray(0, at).filter((byte) => byte === 10).length))
    const next = seededRandom(7)
    for (let round = 0; round < 50; round++) {
      const chunk = plantedText(
        next,
        triggers.map((t) => Buffer.from(t, 'latin1')),
        5000,
      )
      const text = chunk.toString('latin1')
      const byRegex: number[] = []
      prefilter.lastIndex = 0
      for (let match = prefilter.exec(text); match; match = prefilter.exec(text)) byRegex.push(match.index)
      const scanned = masker.scan(chunk)
      expect(scanned).not.toBe('every-line')
      expect(linesOf(chunk, scanned as number[])).toEqual(linesOf(chunk, byRegex))
    }
  })
})
