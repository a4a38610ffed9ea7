import {describe, expect, it} from 'vitest'
import {detectLevel, detectLevelInBytes} from '../../src/lib/entry.js'
import {normalizeLevel, stripAnsi} from '../../src/lib/level.js'
import {labelledCorpus} from '../helpers/level-corpus.js'

describe('level detection on the labelled Loghub corpus', () => {
  for (const set of labelledCorpus().filter((s) => /^loghub\/(Android|Apache|HDFS|Spark|Zookeeper)_2k\.log$/.test(s.name))) {
    it(`agrees with every label of ${set.name}`, () => {
      const disagreements = set.lines.map((line, i) => [set.levels[i] ?? undefined, detectLevel(line), line]).filter(([want, got]) => want !== got)
      expect(disagreements).toEqual([])
    })
  }
})

describe('level detection on structured loggers', () => {
  const cases: [string, string, string | undefined][] = [
    ['pino info', '{"level":30,"time":1700000000000,"pid":1,"hostname":"h","msg":"listening"}', 'info'],
    ['pino error', '{"level":50,"time":1700000000000,"msg":"boom","err":{"type":"Error"}}', 'error'],
    ['pino fatal', '{"level":60,"msg":"dead"}', 'fatal'],
    ['pino trace', '{"level":10,"msg":"t"}', 'trace'],
    ['bunyan warn', '{"name":"app","hostname":"h","pid":1,"level":40,"msg":"slow","time":"2026-11-23T10:00:00.000Z","v":0}', 'warn'],
    ['structlog', '{"event": "user logged in", "level": "info", "timestamp": "2026-11-23T10:00:00Z"}', 'info'],
    ['python json logger', '{"asctime": "2026-11-23", "levelname": "WARNING", "message": "careful"}', 'warn'],
    ['GCP severity', '{"severity":"ERROR","message":"x"}', 'error'],
    ['ECS log.level', '{"@timestamp":"2026-11-23T10:00:00Z","log":{"level":"debug"},"message":"x"}', 'debug'],
    ['logfmt', 'time=2026-11-23T10:00:00Z level=warn msg="disk almost full"', 'warn'],
    ['logfmt quoted', 'ts=1 lvl="error" msg=x', 'error'],
    ['logfmt go-kit', 'level=debug caller=main.go:12 msg=hi', 'debug'],
    ['klog', 'W1123 10:00:00.123456   42 reflector.go:1] watch closed', 'warn'],
    ['bracketed', '[2026-11-23 10:00:00] [ERROR] failed', 'error'],
    ['colon prefix', 'error: could not open file', 'error'],
    ['capitalised', 'Warning: deprecated option', 'warn'],
    ['ANSI coloured', '\u001B[31mERROR\u001B[39m connection refused', 'error'],
    ['Go default', '2026/11/23 10:00:00 INFO server started', 'info'],
    ['Java', '2026-11-23 10:00:00,000 SEVERE [main] x', 'error'],
    ['no level', 'compiling 42 files', undefined],
    ['not fooled by prose', 'there were 0 errors and no warnings', undefined],
    ['JSON without a level', '{"msg":"hello"}', undefined],
    ['broken JSON falls back to text', '{"level": "warn", ', 'warn'],
    ['Go test failure', '--- FAIL: TestAdd (0.00s)', 'error'],
    ['Go package failure', 'FAIL\tgithub.com/acme/calc\t0.012s', 'error'],
    ['pytest summary', 'FAILED tests/test_calc.py::test_add - assert 3 == 4', 'error'],
    ['Jest', 'FAIL src/sum.test.js', 'error'],
    ['Gradle', 'BUILD FAILED in 3s', 'error'],
    ['Gradle task', '> Task :app:test FAILED', 'error'],
    ['a word that only starts so', 'FAILOVER started', undefined],
    ['lower case is prose', 'the upload failed, retrying', undefined],
    ['npm 6', 'npm ERR! code ELIFECYCLE', 'error'],
    ['npm notice', 'npm notice New major version of npm available!', 'info'],
    ['npm: not a level word', 'npm install finished', undefined],
    ['make in a sub-make', 'make[2]: *** [Makefile:10: build] Error 2', 'error'],
    ['gmake', 'gmake: *** No rule to make target', 'error'],
    ['make: other lines', "make: Entering directory '/src'", undefined],
    ['clang fatal error', "main.c:1:10: fatal error: 'x.h' file not found", 'error'],
    ['MSBuild', 'Program.cs(10,5): error CS1002: ; expected [/src/app.csproj]', 'error'],
    ['MSBuild warning', 'Program.cs(3,7): warning CS0168: The variable x is declared but never used', 'warn'],
    ['rustc warning with a code', 'warning[E0170]: pattern binding named like a variant', 'warn'],
    ['Python UserWarning', '/app/x.py:7: UserWarning: falling back', 'warn'],
    ['a message about an error is no diagnostic', 'Retrying after error: connection reset', undefined],
    ['a word ending in Warning is no Python warning without a position', 'SecurityWarning: weak cipher', undefined],
    ['an ESLint-like line needs a level word', '  12:5  note  something', undefined],
    ['GitHub Actions ::error::', '::error file=app.js,line=10,col=15,title=Lint::Missing semicolon', 'error'],
    ['GitHub Actions ::warning::', '::warning::Node 16 is deprecated', 'warn'],
    ['GitHub Actions ::notice::', '::notice title=Deploy::deployed to staging', 'info'],
    ['GitHub Actions ::debug::', '::debug::cache key linux-npm-1', 'debug'],
    ['GitHub Actions: other commands name no level', '::add-mask::hunter2', undefined],
    ['GitHub Actions: not a command', '::errors::x', undefined],
    ['Azure Pipelines ##[error]', '##[error]Bash exited with code 1.', 'error'],
    ['Azure Pipelines ##[warning]', '##[warning]Retrying in 5 s', 'warn'],
    ['Azure Pipelines logissue', '##vso[task.logissue type=error;sourcepath=src/a.ts;linenumber=3]Type error', 'error'],
    ['Azure Pipelines logissue warning', '##vso[task.logissue type=warning]Deprecated input', 'warn'],
    ['Azure Pipelines: other commands name no level', '##vso[task.setvariable variable=type]error', undefined],
    ['Azure Pipelines ##[section]', '##[section]Starting: Build', undefined],
    ['TeamCity message ERROR', "##teamcity[message text='Compilation failed' errorDetails='x' status='ERROR']", 'error'],
    ['TeamCity message FAILURE', "##teamcity[message text='x' status='FAILURE']", 'error'],
    ['TeamCity message WARNING', "##teamcity[message text='It|'s slow' status='WARNING']", 'warn'],
    ['TeamCity message NORMAL', "##teamcity[message text='x' status='NORMAL']", undefined],
    ['TeamCity build problem', "##teamcity[buildProblem description='Tests failed' identity='t1']", 'error'],
    ['behind a GitHub Actions timestamp: npm', '2026-06-21T05:35:05.0000000Z npm error code 1', 'error'],
    ['behind a GitHub Actions timestamp: ##[warning]', '2026-06-21T05:35:04.0000000Z ##[warning]Node.js 16 actions are deprecated.', 'warn'],
    ['behind a GitHub Actions timestamp: Jest FAIL', '2026-06-21T05:35:03.0000000Z FAIL src/app.test.js', 'error'],
    ['behind a GitLab timestamp and stream: npm', '2026-09-26T10:42:57.000000Z 01E npm error code 1', 'error'],
    ['behind a GitLab timestamp and stream: make', '2026-09-26T10:42:57.000000Z 01E make: *** [Makefile:2: all] Error 1', 'error'],
    ['behind a GitLab timestamp and stream: error:', '2026-09-26T10:42:57.000000Z 01E+error: could not compile `app`', 'error'],
    ['behind a kubectl timestamp: klog', '2026-12-06T09:00:00.123456789Z W1206 09:00:00.123456       1 reflector.go:535] watch ended', 'warn'],
    ['behind a kubectl timestamp: a timestamp and a level word', '2026-12-06T09:00:00.123456789Z 2026-12-06 09:00:00 info starting', 'info'],
    ['behind a timestamp: a stderr stream is no level', '2026-09-26T10:42:57.000000Z 01E compiling', undefined],
    ['behind a kubectl timestamp: pino', '2026-12-06T09:00:00.123456789Z {"level":50,"time":1765011600123,"msg":"boom"}', 'error'],
    ['behind a kubectl timestamp: journald', '2026-12-06T09:00:00.123456789Z {"PRIORITY":"4","MESSAGE":"low disk"}', 'warn'],
    ['behind a kubectl timestamp: not JSON after all', '2026-12-06T09:00:00.123456789Z {"level":50', undefined],
    ['a timestamp and then a level word is read as before', '2026-12-06T09:00:00.123Z info starting', 'info'],
  ]
  for (const [name, line, level] of cases) {
    it(name, () => expect(detectLevel(line)).toBe(level))
  }
})

describe('level detection on the bytes push reads', () => {
  const long = 'x'.repeat(5000)
  it('agrees with detectLevel on short lines, plain and JSON', () => {
    for (const line of ['ERROR boom', '{"level":"warn","msg":"x"}', 'level=debug msg=hi', 'nothing here', '']) {
      expect(detectLevelInBytes(Buffer.from(line))).toBe(detectLevel(line))
    }
  })
  it('finds the level key anywhere in a long JSON line, even with trailing blanks', () => {
    expect(detectLevelInBytes(Buffer.from(`{"msg":"${long}","level":"error"}  \r`))).toBe('error')
  })
  it('looks only at the head of a long text line', () => {
    expect(detectLevelInBytes(Buffer.from(`WARN start ${long}`))).toBe('warn')
    expect(detectLevelInBytes(Buffer.from(`${long} ERROR at the end`))).toBeUndefined()
  })
  it('survives a multi-byte character cut at the head boundary', () => {
    expect(detectLevelInBytes(Buffer.from(`INFO ${'é'.repeat(3000)}`))).toBe('info')
  })
})

describe('the level of the commonest layouts, read without a match object', () => {
  it("a JSON line that opens with its level key gives JSON_LEVEL's answer, and falls back to the search when it opens otherwise", () => {
    const cases: Array<[string, string | undefined]> = [
      ['{"level":30}', 'info'],
      ['{"level":5}', undefined], // pino-like numbers under 10 name no level
      ['{"level":"warn","msg":"x"}', 'warn'],
      ['{"level":"WARNING"}', 'warn'],
      ['{"level":"foo","severity":"error"}', undefined], // the leftmost level key decides
      ['{"level":1234,"severity":"error"}', 'error'], // not a level number: the search goes on
      ['{"level":30x,"severity":"error"}', 'error'],
      ['{"level":30_,"severity":"error"}', 'error'],
      ['{"level":"","severity":"error"}', 'error'],
      ['{"level":"' + 'x'.repeat(25) + '","severity":"error"}', 'error'],
      ['{"level":"' + 'info'.padEnd(24, ' ') + '"}', 'info'],
      ['{"level":"in\\fo","severity":"error"}', 'error'],
      ['{"level": 40}', 'warn'],
      ['{"level":50}  \r', 'error'],
      [' {"level":50}', 'error'],
    ]
    expect(cases.map(([line]) => [line, detectLevel(line)])).toEqual(cases)
  })

  it('a timestamp and a level word: the whole word, with its digit, in any spelling; not a word too long or unknown', () => {
    const cases: Array<[string, string | undefined]> = [
      ['2026-11-23T10:00:00Z INFO worker-3 ok', 'info'],
      ['2026-11-23 10:00:00,123 DEBUG1 x', 'debug'],
      ['2016-09-28 04:30:30, Info   CBS x', 'info'],
      ['2016-09-28 04:30:30, Information x', 'info'],
      ['2016-06-30 12:00:01 [1234]: warning: x', 'warn'],
      ['2016-06-30 12:00:01 - ERROR - x', 'error'],
      ['2026-11-23T10:00:00.5Z\tVeRbOsE\tx', 'trace'],
      ['2026-11-23T10:00:00Z Notice', 'info'],
      ['2026-11-23T10:00:00Z Informational| x', undefined], // 13 letters: not a level word after a timestamp
      ['2026-11-23T10:00:00Z worker started', undefined],
      ['[2026-11-23 10:00:00] CRIT x', 'fatal'],
      ['081109 203615 148 INFO dfs.DataNode', 'info'],
    ]
    expect(cases.map(([line]) => [line, detectLevel(line)])).toEqual(cases)
  })
})

describe('normalizeLevel and stripAnsi', () => {
  it('maps names and numbers', () => {
    expect(['TRACE', 'Debug', 'information', 'NOTICE', 'warning', 'ERR', 'critical', 'panic'].map(normalizeLevel)).toEqual([
      'trace',
      'debug',
      'info',
      'info',
      'warn',
      'error',
      'fatal',
      'fatal',
    ])
    expect([10, 20, 30, 40, 50, 60, 5].map(normalizeLevel)).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'fatal', undefined])
  })
  it('knows no level called after an object property', () => {
    expect(['constructor', 'toString', '__proto__', 'hasOwnProperty'].map(normalizeLevel)).toEqual([undefined, undefined, undefined, undefined])
    expect(detectLevel('{"level":"constructor","msg":"x"}')).toBeUndefined()
  })
  it('strips colour and cursor codes', () => {
    expect(stripAnsi('\u001B[1;31mred\u001B[0m \u001B]8;;http://x\u0007link\u001B]8;;\u0007')).toBe('red link')
  })
})
