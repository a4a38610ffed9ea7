/**
 * Levels: from JSON fields (`level`, `severity`, `lvl`, pino/bunyan numbers, journald's
 * `PRIORITY`, …) or from the text. In text the level is a field of a known layout, not
 * a word found anywhere:
 *   1. layouts recognised by how the line starts (syslog `<3>`, klog `E1201 10:00:00`,
 *      Ruby's `E, [ts #pid] ERROR --`, logcat, CUPS, Redis, `2016-09-28 04:30:30, Info`,
 *      a timestamp followed by a level word in any case, the workflow commands of
 *      GitHub Actions `::error::`, Azure Pipelines and TeamCity, npm's `npm error`, make's
 *      `make: ***`, ESLint's `  2:1  error`);
 *   2. otherwise the leftmost level-shaped field of the line's head: `level=warn`,
 *      `[warn]`, `[core:error]`, `<Error>`, `ERROR:` (Python, PostgreSQL's `LOG:`), an
 *      upper-case `WARN` (or a test runner's `FAILED`) between separators, `error:` at the
 *      start, a compiler's `a.c:2:35: error:` after a position.
 * Leftmost wins, so `INFO request failed: [error] …` is info: a level word inside the
 * message of a line whose layout already named its level does not change it. Behind a
 * line prefix (`kubectl logs --timestamps`, a CI system's download, `gh run view --log`: line-prefix.ts)
 * the line is read as it would be without it.
 */
import {linePrefixLength} from './line-prefix.js'

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const
export type Level = (typeof LEVELS)[number]

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level)
}

const LEVEL_CODES = Object.fromEntries(LEVELS.map((level, i) => [level, i + 1])) as Record<Level, number>

/** A level as the stores' binary formats keep it (index records, chunk indexes, archive blocks): 0 for none, else 1 + its rank. */
export function levelCode(level: Level | undefined): number {
  return level === undefined ? 0 : LEVEL_CODES[level]
}

const LEVELS_BY_CODE: readonly (Level | undefined)[] = [undefined, ...LEVELS]

/** The level a levelCode stands for. */
export function levelOfCode(code: number): Level | undefined {
  return LEVELS_BY_CODE[code]
}

const ALIASES: Record<string, Level> = {
  trace: 'trace',
  verbose: 'trace',
  v: 'trace',
  finest: 'trace',
  finer: 'trace',
  debug: 'debug',
  d: 'debug',
  dbg: 'debug',
  fine: 'debug',
  debug1: 'debug',
  debug2: 'debug',
  debug3: 'debug',
  debug4: 'debug',
  debug5: 'debug',
  info: 'info',
  i: 'info',
  inf: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  note: 'info',
  log: 'info',
  config: 'info',
  warn: 'warn',
  w: 'warn',
  wrn: 'warn',
  warning: 'warn',
  error: 'error',
  e: 'error',
  err: 'error',
  eror: 'error',
  severe: 'error',
  // Test runners' and build tools' verdicts: Go's "--- FAIL: TestX", cargo's "test x ... FAILED", Gradle's "BUILD FAILED"
  fail: 'error',
  failed: 'error',
  failure: 'error',
  fatal: 'fatal',
  f: 'fatal',
  crit: 'fatal',
  critical: 'fatal',
  panic: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  alert: 'fatal',
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

const SYSLOG_SEVERITIES: readonly Level[] = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug']

/** A syslog priority (`<11>`: facility 1, severity 3) or severity (0 emerg … 7 debug) → our level. */
export function syslogLevel(priority: number): Level | undefined {
  return Number.isInteger(priority) && priority >= 0 && priority < 192 ? SYSLOG_SEVERITIES[priority % 8] : undefined
}

/**
 * An escape sequence (ECMA-48): CSI; a control string (OSC, DCS, SOS, PM, APC) to its
 * terminator, or to the line's end when it has none, which a terminal would have swallowed;
 * else ESC, intermediates, a final byte (`ESC 7`, `ESC ( 0`).
 */
export const ESCAPE_SEQUENCE = String.raw`\u001B(?:\[[0-?]*[ -/]*[@-~]|[\]PX^_][^\u0007\u001B]*(?:\u0007|\u001B\\)?|[ -/]*[0-~])`
const ANSI = new RegExp(ESCAPE_SEQUENCE, 'g')

export function stripAnsi(text: string): string {
  return text.includes('\u001B') ? text.replace(ANSI, '') : text
}

const UPPER = 'TRACE|DEBUG[1-5]?|INFO|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|FATAL|CRITICAL|CRIT|PANIC|EMERG|ALERT|FAILED|FAILURE|FAIL'
const ANY_CASE = 'trace|debug[1-5]?|info|notice|note|warn|warning|error|err|severe|fatal|critical|crit|panic|emerg|alert'
/** A timestamp that opens a line: ISO-ish dates, `17/06/09 20:10:52`, HDFS's `081109 203615`, with fractions and zones. */
const TIMESTAMP = String.raw`\[?(?:\d{4}[-/.]\d{2}[-/.]\d{2}[T ]\d{2}:\d{2}:\d{2}|\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}|\d{6} \d{6})(?:[.,:]\d+)?(?:Z|[+-]\d{2}:?\d{2})?(?: (?!CRIT\b)(?:UTC|GMT|MSK|[A-Z]{1,3}T))?\]?`
/** Level words a timestamp may be followed by (not the one-letter or `log` aliases: too common as words). */
const WORDS_AFTER_TIMESTAMP = new Set([...ANY_CASE.replace('debug[1-5]?', 'debug|debug1|debug2|debug3|debug4|debug5').split('|'), 'information', 'verbose'])
const RUBY_LETTERS: Record<string, Level> = {D: 'debug', I: 'info', W: 'warn', E: 'error', F: 'fatal', A: 'fatal', U: 'fatal'}
const CUPS_LETTERS: Record<string, Level> = {D: 'debug', d: 'debug', I: 'info', N: 'info', W: 'warn', E: 'error', C: 'fatal', A: 'fatal', X: 'fatal'}
const REDIS_MARKS: Record<string, Level> = {'.': 'debug', '-': 'trace', '*': 'info', '#': 'warn'}
const LOGCAT_LETTERS: Record<string, Level> = {V: 'trace', D: 'debug', I: 'info', W: 'warn', E: 'error', F: 'fatal', A: 'fatal'}

/** The level a layout gives a line's head; undefined when the line is not of the layout or names no level. */
type LayoutLevel = (head: string) => Level | undefined

const isDigit = (code: number) => code >= 48 && code <= 57
const isLetter = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
const byName = (match: RegExpExecArray) => normalizeLevel(match[1])

/** A layout read by a regular expression anchored at the start. */
function matching(pattern: RegExp, level: (match: RegExpExecArray) => Level | undefined): LayoutLevel {
  return (head) => {
    const match = pattern.exec(head)
    return match ? level(match) : undefined
  }
}

/** The level words after a timestamp, as loggers spell them (info, INFO, Info), so the common case needs no case folding. */
const AFTER_TIMESTAMP_SPELLINGS = new Map<string, Level | undefined>(
  [...WORDS_AFTER_TIMESTAMP].flatMap((word) => [word, word.toUpperCase(), word[0].toUpperCase() + word.slice(1)].map((spelling) => [spelling, normalizeLevel(spelling)] as const)),
)

/**
 * A timestamp, then a level word. The line's most common layout, so matched without a
 * match object: the sticky pattern's lastIndex is the end of the word, which starts after
 * whitespace (the pattern's `\s+` or `- `) and is letters and an optional digit.
 */
function afterTimestamp(pattern: RegExp): LayoutLevel {
  const sticky = new RegExp(pattern.source, 'y')
  return (head) => {
    sticky.lastIndex = 0
    if (!sticky.test(head)) return undefined
    const end = sticky.lastIndex
    let start = isDigit(head.charCodeAt(end - 1)) ? end - 1 : end
    while (isLetter(head.charCodeAt(start - 1))) start--
    return levelAfterTimestamp(head.slice(start, end))
  }
}

/** The words that name a level after a timestamp, in lower case, with the level each names (in any case). */
export function levelWordsAfterTimestamp(): Map<string, Level> {
  return new Map([...WORDS_AFTER_TIMESTAMP].map((word) => [word, normalizeLevel(word)!]))
}

/** The level a word names when it follows a timestamp (letters and an optional digit); undefined when it names none. */
export function levelAfterTimestamp(word: string): Level | undefined {
  const known = AFTER_TIMESTAMP_SPELLINGS.get(word)
  if (known !== undefined || AFTER_TIMESTAMP_SPELLINGS.has(word)) return known
  return WORDS_AFTER_TIMESTAMP.has(word.toLowerCase()) ? normalizeLevel(word) : undefined
}

// Layouts recognised at the start of the line, tried in layoutLevel's order.
// syslog/sd-daemon priority prefix: <3>, <11>1 2017-04-27T…
const SYSLOG = matching(/^<(\d{1,3})>/, (m) => syslogLevel(Number(m[1])))
// klog/glog: E1201 10:00:00.000000, I20200308 23:47:32
const KLOG = matching(/^([IWEF])(?:\d{4}|\d{8}) \d{2}:\d{2}:\d{2}/, byName)
// Ruby's Logger: E, [2022-05-07T18:02:41.592912 #20536] ERROR -- : …
const RUBY = matching(/^([DIWEFAU]), \[[^\]]*\] +[A-Z]+ -- /, (m) => RUBY_LETTERS[m[1]])
// CUPS: E [08/Jun/2013:11:28:58 -0700] …
const CUPS = matching(/^([DdINWECAX]) \[\d{2}\/\w{3}\/\d{4}:/, (m) => CUPS_LETTERS[m[1]])
// A timestamp, then (after a comma, padding, an optional pid) a level word in any case:
// Windows CBS "2016-09-28 04:30:30, Info   CBS", "2016-06-30 12:00:01 trace …", zap's tab-separated "…Z\tinfo\t"
const AFTER_TIMESTAMP = afterTimestamp(new RegExp(`^${TIMESTAMP},?\\s+(?:- )?(?:\\[?\\d+\\]?:?\\s+)?([A-Za-z]{4,11}[1-5]?)(?=[\\s:|\\]]|$)`))
// Android logcat: "03-17 16:13:38.811  1702  2395 D Tag: …" and "05-26 14:57:03.870 V/Tag( 1766): …"
const LOGCAT = matching(/^\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}(?:\s+\S+\s+\d+(?:\s+\d+)? ([VDIWEFA]) | ([VDIWEFA])\/)/, (m) => LOGCAT_LETTERS[m[1] ?? m[2]])
// Redis: "1:M 29 Aug 2023 13:47:38.984 * …", "[3574] 13 Apr 12:52:30.731 # …"
const REDIS = matching(/^(?:\d+:[XCSM]|\[\d+\]) \d{1,2} [A-Z][a-z]{2}(?: \d{4})? [\d:.]+ ([.\-*#]) /, (m) => REDIS_MARKS[m[1]])
// Build tools that print a level word of their own: npm "npm error …", "npm warn …" (and npm 6's "npm ERR!");
// GNU make "make: *** [Makefile:2: all] Error 1"; ESLint "  2:1  error  'foo' is not defined  no-undef"
const NPM_LEVELS: Record<string, Level> = {
  'ERR!': 'error',
  error: 'error',
  warn: 'warn',
  WARN: 'warn',
  notice: 'info',
  info: 'info',
  http: 'debug',
  timing: 'debug',
  verbose: 'debug',
  verb: 'debug',
  silly: 'trace',
  sill: 'trace',
}
const NPM = matching(/^npm (ERR!|error|warn|WARN|notice|info|http|timing|verbose|verb|silly|sill) /, (m) => NPM_LEVELS[m[1]])
const MAKE = matching(/^g?make(?:\[\d+\])?: \*\*\* /, () => 'error')
const ESLINT = matching(/^ +\d+:\d+ +(error|warning) /, byName)
// CI runners' workflow commands, which their log pages show as annotations:
// GitHub Actions "::error file=app.js,line=1::msg", "::warning::", "::notice::", "::debug::"
const GITHUB_COMMAND = matching(/^::(error|warning|notice|debug)(?: [^:]*)?::/, byName)
// Azure Pipelines "##vso[task.logissue type=error;sourcepath=…]msg" (its "##[error]" is a bracketed field);
// TeamCity "##teamcity[message text='…' status='ERROR']" (and WARNING, FAILURE) and "##teamcity[buildProblem …]"
const AZURE_ISSUE = matching(/^##vso\[task\.logissue [^\]]*?\btype=(error|warning)\b/i, byName)
const TEAMCITY_MESSAGE = matching(/^##teamcity\[(?:message .*?\bstatus='(ERROR|FAILURE|WARNING)'|(buildProblem) )/, (m) => (m[2] || m[1] !== 'WARNING' ? 'error' : 'warn'))

/**
 * The level of the first layout the line is of and that names one. Each layout is tried
 * only when the line's first characters allow it (most lines fail most layouts on them),
 * written out rather than looped over so that every call here has one target.
 */
function layoutLevel(head: string): Level | undefined {
  const c0 = head.charCodeAt(0)
  const c1 = head.charCodeAt(1)
  let level: Level | undefined
  if (c0 === 60 /* < */ && (level = SYSLOG(head))) return level
  if ((c0 === 73 || c0 === 87 || c0 === 69 || c0 === 70) /* IWEF */ && isDigit(c1) && (level = KLOG(head))) return level
  if (c1 === 44 /* , */ && (level = RUBY(head))) return level
  if (c1 === 32 && head.charCodeAt(2) === 91 /* [ */ && (level = CUPS(head))) return level
  if (c0 === 58 /* : */ && c1 === 58) return GITHUB_COMMAND(head)
  if (c0 === 110 /* n */ && c1 === 112 /* p */ && (level = NPM(head))) return level
  if ((c0 === 109 /* m */ || c0 === 103) /* g */ && (level = MAKE(head))) return level
  if (c0 === 32 && (c1 === 32 || isDigit(c1)) && (level = ESLINT(head))) return level
  if (c0 === 35 /* # */ && c1 === 35 && (level = AZURE_ISSUE(head) ?? TEAMCITY_MESSAGE(head))) return level
  if (!isDigit(c0) && c0 !== 91) return undefined
  if ((level = AFTER_TIMESTAMP(head))) return level
  if (isDigit(c0) && head.charCodeAt(2) === 45 /* - */ && (level = LOGCAT(head))) return level
  return REDIS(head)
}

/**
 * Level-shaped fields anywhere in the head; the leftmost match wins. One regular
 * expression per kind (V8 scans one alternation of them many times slower), each tried
 * only when the head holds a character it needs.
 */
/** How far past its start a field may reach (`[mpm_prefork:notice]`). */
const FIELD_REACH = 40

/**
 * `needs`: characters one of which the head must hold for the kind to be tried (none: always
 * tried); `words`: a quick test it must pass too, for a kind whose pattern is slow to fail.
 */
const FIELDS: {needs: string; words?: RegExp; pattern: RegExp}[] = [
  // upper-case words between separators: "INFO dfs.DataNode", "- WARN  [", "| ERROR |", "WARN574240[",
  // and PostgreSQL's and Python's "LOG:  …", "FATAL:  …", "ERROR:root:…" ("LOG" only with its colon)
  {needs: '', pattern: new RegExp(String.raw`(?:^|[\s|\-\[:\]])(${UPPER}|LOG(?=:))(?=[\s|\]\-:.]|\d|$)`)},
  // [warn], [ERROR], [core:error], [ INFO ], <Error>, (info)
  {needs: '[<(', pattern: new RegExp(String.raw`[[<(] ?(?:[\w.-]+:)?(${ANY_CASE}|${UPPER}|[A-Z][a-z]+) ?[\]>)]`)},
  // logfmt and friends: level=info, lvl="warn", severity=ERROR
  {needs: '=', pattern: /\b(?:level|lvl|severity|loglevel|LEVEL|Level)=["']?([A-Za-z]+)/},
  // JSON that did not parse (cut by --max-line-bytes, or not quite JSON): "level": "warn"
  {needs: '"', pattern: /"(?:level|lvl|severity|levelname)"\s*:\s*"([A-Za-z]+)"/},
  // a lower-case or capitalised word and a colon at the start: "error: …", "Warning: …"
  // (rustc's "error[E0425]: …" too)
  {needs: ':', pattern: new RegExp(`^(${ANY_CASE}|Error|Warning|Info|Debug|Fatal|Critical|Notice|Trace)(?:\\[[\\w-]+\\])?:`)},
  // compilers' diagnostics after a file's position: gcc/clang "a.c:2:35: error: …", "…: note: …",
  // javac "A.java:1: error: …", tsc and MSBuild "t.ts(1,7): error TS2322: …", tsc --pretty
  // "t.ts:1:7 - error TS2322: …", Python's warnings "p.py:2: DeprecationWarning: …"
  {
    needs: ':',
    words: /error|warning|note|Warning/,
    pattern: /[:)-] (?:fatal |[A-Z]\w*(?=Warning:))?(error|warning|note|Warning)(?:\[[\w-]+\]| [A-Z]{1,6}\d{1,6})?:/,
  },
]

function holdsAny(text: string, chars: string): boolean {
  if (chars === '') return true
  for (let i = 0; i < chars.length; i++) if (text.includes(chars[i])) return true
  return false
}

/** Only the start of a long line is searched: levels live in prefixes, and this keeps huge lines cheap. */
export const SCAN_LIMIT = 512

export function detectTextLevel(line: string): Level | undefined {
  let head = stripAnsi(line.length > SCAN_LIMIT ? line.slice(0, SCAN_LIMIT) : line)
  let level = layoutLevel(head)
  if (level) return level
  // A line prefix (kubectl --timestamps, a CI system's download, gh's columns) hides the layouts read at the
  // start, and its names (a job's, a step's) are no field of the line's.
  const prefix = linePrefixLength(head)
  if (prefix > 0 && (level = layoutLevel((head = head.slice(prefix))))) return level
  let best: RegExpExecArray | undefined
  let text = head
  for (const field of FIELDS) {
    if (!holdsAny(text, field.needs) || (field.words && !field.words.test(text))) continue
    const match = field.pattern.exec(text)
    if (!match || !normalizeLevel(match[1]) || (best && match.index >= best.index)) continue
    best = match
    // Later kinds only matter if they start before this match: search no further than that (and a field's length).
    text = head.slice(0, best.index + FIELD_REACH)
  }
  return best && normalizeLevel(best[1])
}
