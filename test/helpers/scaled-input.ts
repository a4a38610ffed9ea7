/**
 * A deterministic input of several MB for round trips at scale: the bench's lines
 * (bench/lib/input.ts, text and pino JSON) with, at seeded places, every kind of line a
 * text pipeline mangles or a capture path treats apart — CRLF, invalid UTF-8, NUL bytes,
 * ANSI colours, multi-byte UTF-8, empty lines, section markers (GitHub, GitLab, Buildkite), phase and
 * progress JSON, a Node stack trace, secrets (a default detector's, one from --mask-env,
 * one registered with ::add-mask::), a line over 64 KiB, one over 1 MiB (stored as pieces)
 * and a last line without a newline. With it, what every store must give back: the stored
 * bytes (the input, secrets masked) and each entry's text, level and record mark.
 */
import {logLine} from '../../bench/lib/input.js'
import {seededRandom} from './seeded-random.js'

export const MAX_LINE_BYTES = 1024 * 1024

type Level = 'debug' | 'info' | 'warn' | 'error'

export interface ExpectedEntry {
  seq: number
  /** The stored bytes, without a newline. */
  bytes: Buffer
  eol: boolean
  level: Level | null
  record?: 'start' | 'continuation'
}

export interface ScaledInput {
  input: Buffer
  /** What `get --output raw` must print: the input with its secrets masked. */
  stored: Buffer
  entries: ExpectedEntry[]
  /** Secrets masked at capture: none may be in anything stored. */
  secrets: string[]
  /** Occurrences masked (the job's `masked`). */
  masked: number
  /** The environment `--mask-env SCALED_SECRET` reads. */
  env: NodeJS.ProcessEnv
  /** `::group::` sections opened (and closed). */
  groups: number
}

interface Line {
  input: Buffer
  stored?: Buffer
  /** Levels of the entries the line becomes (more than one for a line over MAX_LINE_BYTES). */
  levels: (Level | null)[]
  record?: 'start' | 'continuation'
  masked?: number
}

const BENCH_LEVELS: Level[] = ['info', 'info', 'info', 'debug', 'warn', 'error']
const GITHUB_TOKEN = `ghp_${'A1b2C3d4E5'.repeat(3)}xYz987`
const ENV_SECRET = 'hunter2-s3cr3t-from-env'
const ADDED_SECRET = 'added-s3cret-value-42'

const text = (s: string, level: Level | null, extra: Partial<Line> = {}): Line => ({input: Buffer.from(s, 'utf8'), levels: [level], ...extra})
const masked = (s: string, secret: string, level: Level | null): Line => ({
  input: Buffer.from(s, 'utf8'),
  stored: Buffer.from(s.replaceAll(secret, '***'), 'utf8'),
  levels: [level],
  masked: s.split(secret).length - 1,
})

/** `bytes` of input (at least), the same for the same seed. */
export function scaledInput(bytes = 5 * 1024 * 1024, seed = 4242): ScaledInput {
  const random = seededRandom(seed)
  const lines: Line[] = []
  let size = 0
  let n = 0
  let addMaskAt = -1
  let groups = 0
  const add = (...more: Line[]) => {
    for (const line of more) {
      lines.push(line)
      size += line.input.length + 1
    }
  }
  const specials: (() => void)[] = [
    () => add(text(`INFO crlf line ${n}\r`, 'info'), text('\r', null)),
    () => add({input: Buffer.concat([Buffer.from(`payload ${n} `), Buffer.from([0xff, 0xfe, 0x80, 0xc3, 0x28]), Buffer.from(' tail')]), levels: [null]}),
    () => add({input: Buffer.from(`nul\u0000inside ${n}\u0000`, 'latin1'), levels: [null]}, text('\u0000', null)),
    () => add(text(`\u001B[31mERROR\u001B[0m coloured failure ${n}`, 'error'), text(`\u001B[1;33mwarn\u001B[0m: yellow ${n}`, 'warn')),
    () => add(text('', null)),
    () => add(text(`INFO naïve café — 日本語 ✓ 🎉 ${n}`, 'info'), text(JSON.stringify({msg: `${'é'.repeat(3000)} ${n}`, level: 'error'}), 'error')),
    () => {
      groups++
      add(text(`::group::Step ${n}`, null), text(`INFO inside step ${n}`, 'info'), text('::endgroup::', null))
    },
    () =>
      add(
        text(`\u001B[0Ksection_start:${1795460000 + n}:step_${n}[collapsed=true]\r\u001B[0KGitLab step ${n}`, null),
        text(`INFO gitlab work ${n}`, 'info'),
        text(`\u001B[0Ksection_end:${1795460001 + n}:step_${n}\r\u001B[0K`, null),
      ),
    () => add(text(`--- :hammer: Buildkite step ${n}`, null)),
    () => add(text(JSON.stringify({phase: `phase-${n % 7}`, progress: n % 101}), null), text(JSON.stringify({current: n % 10, total: 10, msg: 'counting'}), null)),
    () =>
      add(
        text(`ERROR request ${n} failed`, 'error', {record: 'start'}),
        text('    at handler (/srv/app/handler.js:12:7)', 'error', {record: 'continuation'}),
        text('    at process (node:internal/process:88:3)', 'error', {record: 'continuation'}),
      ),
    () => add(masked(`INFO cloning with ${GITHUB_TOKEN} for ${n}`, GITHUB_TOKEN, 'info')),
    () => add(masked(`DEBUG password=${ENV_SECRET} (try ${n})`, ENV_SECRET, 'debug')),
    () => {
      if (addMaskAt < 0) {
        addMaskAt = lines.length
        add({input: Buffer.from(`::add-mask::${ADDED_SECRET}`), stored: Buffer.from('::add-mask::***'), levels: [null], masked: 1})
      } else {
        add(masked(`WARN session ${ADDED_SECRET} expires (${n})`, ADDED_SECRET, 'warn'))
      }
    },
  ]
  let longDone = false
  let hugeDone = false
  while (size < bytes) {
    if (!longDone && size > bytes / 3) {
      longDone = true
      add(text(`WARN long ${'w'.repeat(100_000)}`, 'warn'))
    }
    if (!hugeDone && size > bytes / 2) {
      hugeDone = true
      const huge = `INFO huge ${'h'.repeat(MAX_LINE_BYTES + 300_000)}`
      add(text(huge, 'info', {levels: ['info', null]}))
    }
    if (random() < 0.03) specials[Math.floor(random() * specials.length)]()
    else add(text(logLine(n), BENCH_LEVELS[n % 6]))
    n++
  }
  add(text(`INFO the last line ${n}, without a newline`, 'info'))

  const entries: ExpectedEntry[] = []
  const input: Buffer[] = []
  const stored: Buffer[] = []
  let maskedCount = 0
  lines.forEach((line, i) => {
    const last = i === lines.length - 1
    const kept = line.stored ?? line.input
    input.push(line.input, last ? Buffer.alloc(0) : Buffer.from('\n'))
    stored.push(kept, last ? Buffer.alloc(0) : Buffer.from('\n'))
    maskedCount += line.masked ?? 0
    let start = 0
    let piece = 0
    for (; kept.length - start > MAX_LINE_BYTES; start += MAX_LINE_BYTES) {
      entries.push({seq: entries.length + 1, bytes: kept.subarray(start, start + MAX_LINE_BYTES), eol: false, level: line.levels[piece++] ?? null})
    }
    entries.push({seq: entries.length + 1, bytes: start === 0 ? kept : kept.subarray(start), eol: !last, level: line.levels[piece] ?? null, record: line.record})
  })
  return {
    input: Buffer.concat(input),
    stored: Buffer.concat(stored),
    entries,
    secrets: [GITHUB_TOKEN, ENV_SECRET, ADDED_SECRET],
    masked: maskedCount,
    env: {SCALED_SECRET: ENV_SECRET},
    groups,
  }
}
