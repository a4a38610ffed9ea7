/**
 * Levels: from JSON fields (`level`, `severity`, `lvl`, pino/bunyan numbers, …) or
 * from the text (`ERROR`, `[warn]`, `level=info`, klog's `E1123`, logcat's ` D Tag:`),
 * ANSI codes stripped first.
 */
export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const
export type Level = (typeof LEVELS)[number]

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level)
}

const ALIASES: Record<string, Level> = {
  trace: 'trace', verbose: 'trace', v: 'trace', finest: 'trace', finer: 'trace',
  debug: 'debug', d: 'debug', dbg: 'debug', fine: 'debug',
  info: 'info', i: 'info', inf: 'info', information: 'info', informational: 'info', notice: 'info', log: 'info', config: 'info',
  warn: 'warn', w: 'warn', wrn: 'warn', warning: 'warn',
  error: 'error', e: 'error', err: 'error', eror: 'error', severe: 'error',
  fatal: 'fatal', f: 'fatal', crit: 'fatal', critical: 'fatal', panic: 'fatal', emerg: 'fatal', emergency: 'fatal', alert: 'fatal',
}

/** The aliases as loggers spell them (info, INFO, Info), so the common case needs no case folding. */
const NAMES = new Map<string, Level>(
  Object.entries(ALIASES).flatMap(([name, level]) => [name, name.toUpperCase(), name[0].toUpperCase() + name.slice(1)].map((spelling) => [spelling, level] as const)),
)

/** A level name or number as loggers write it → our level (pino/bunyan: 10 trace … 60 fatal; syslog 0-7 is not guessed). */
export function normalizeLevel(value: unknown): Level | undefined {
  if (typeof value === 'number') {
    if (value >= 60) return 'fatal'
    if (value >= 50) return 'error'
    if (value >= 40) return 'warn'
    if (value >= 30) return 'info'
    if (value >= 20) return 'debug'
    if (value >= 10) return 'trace'
    return undefined
  }
  if (typeof value !== 'string') return undefined
  return NAMES.get(value) ?? NAMES.get(value.trim().toLowerCase())
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)|[@-Z\\-_])/g

export function stripAnsi(text: string): string {
  return text.includes('\u001B') ? text.replace(ANSI, '') : text
}

const WORDS = 'TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|FATAL|CRITICAL|CRIT|PANIC'

const startsWithDigit = (text: string) => text.charCodeAt(0) >= 48 && text.charCodeAt(0) <= 57

/**
 * Tried in order; the first that yields a level wins. `worthTrying` is a cheap test for a
 * character the pattern cannot match without: push runs this on every line, and most
 * lines fail most patterns.
 */
const PATTERNS: {worthTrying: (head: string) => boolean; pattern: RegExp}[] = [
  // logfmt and friends: level=info, lvl="warn", severity=ERROR
  {worthTrying: (head) => head.includes('='), pattern: /\b(?:level|lvl|severity|loglevel)=["']?([A-Za-z]+)/i},
  // JSON that did not parse (cut by --max-line-bytes, or not quite JSON): "level": "warn"
  {worthTrying: (head) => head.includes('"'), pattern: /"(?:level|lvl|severity|levelname)"\s*:\s*"([A-Za-z]+)"/i},
  // [warn], [ERROR], <error>, (info)
  {
    worthTrying: (head) => head.includes('[') || head.includes('(') || head.includes('<'),
    pattern: new RegExp(`[[<(](${WORDS}|trace|debug|info|notice|warn|warning|error|fatal|critical)[\\]>)]`, 'i'),
  },
  // klog/glog: E1123 10:00:00.000000
  {worthTrying: (head) => 'IWEF'.includes(head[0]), pattern: /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}/},
  // Android logcat: "03-17 16:13:38.811  1702  2395 D Tag: ..."
  {worthTrying: startsWithDigit, pattern: /^\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\s+\d+\s+\d+ ([VDIWEF]) /},
  // upper-case words: "INFO dfs.DataNode", "- WARN  [", "ERROR:"
  {worthTrying: () => true, pattern: new RegExp(`(?:^|[\\s:|\\-])(${WORDS})(?=[\\s:|\\]\\-]|$)`)},
  // lower/capitalised word followed by a colon at the start: "error: ...", "Warning: ..."
  {worthTrying: (head) => head.includes(':'), pattern: /^(trace|debug|info|notice|warn|warning|error|fatal|critical|panic):/i},
]

/** Only the start of a long line is searched: levels live in prefixes, and this keeps huge lines cheap. */
export const SCAN_LIMIT = 512

export function detectTextLevel(line: string): Level | undefined {
  const head = stripAnsi(line.length > SCAN_LIMIT ? line.slice(0, SCAN_LIMIT) : line)
  for (const {worthTrying, pattern} of PATTERNS) {
    if (!worthTrying(head)) continue
    const match = pattern.exec(head)
    if (match) {
      const level = normalizeLevel(match[1])
      if (level) return level
    }
  }
  return undefined
}
