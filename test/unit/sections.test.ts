import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {detectLevelInBytes, ReadChunk} from '../../src/lib/entry.js'
import {LineSplitter} from '../../src/lib/ingest/line-splitter.js'
import {PhaseKeySearch} from '../../src/lib/structure/phase-keys.js'
import {MAX_SECTIONS, MAX_TITLE, SectionTracker, type Section} from '../../src/lib/structure/sections.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ci')

/** The job ends at `endedAt`, by default as its last line is read. */
function track(lines: Array<string | Buffer>, failed = false, ts = (seq: number) => 1000 * seq, endedAt = ts(lines.length)): SectionTracker {
  const tracker = new SectionTracker()
  lines.forEach((line, i) => {
    const bytes = Buffer.isBuffer(line) ? line : Buffer.from(line)
    tracker.observe({seq: i + 1, ts: ts(i + 1), bytes, level: detectLevelInBytes(bytes)})
  })
  tracker.end(failed, endedAt)
  return tracker
}

const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8').replace(/\n$/, '').split('\n')

describe('sections', () => {
  it('GitHub Actions groups: seqs, times, counts', () => {
    const {sections} = track(fixture('github.log')).structure()
    expect(sections.map((s) => [s.title, s.firstSeq, s.lastSeq, s.lines, s.depth, s.duration])).toEqual([
      ['Install dependencies', 2, 5, 4, 0, 3000],
      ['Run tests', 6, 8, 3, 0, 2000],
    ])
    expect(sections[1].levels).toEqual({error: 1})
  })

  it('GitLab sections: nested, collapsed, times from the markers; an open one closes at the end and is marked failed', () => {
    const {sections, phase} = track(fixture('gitlab.log'), true).structure()
    expect(sections.map((s) => [s.name, s.title, s.depth, s.parent, s.collapsed, s.duration, s.failed])).toEqual([
      ['prepare', 'Preparing the environment', 0, undefined, true, 10_000, undefined],
      ['fetch', 'Fetching sources', 1, 'prepare', undefined, 3000, undefined],
      ['script', 'Executing the script', 0, undefined, undefined, expect.any(Number), true],
    ])
    expect(sections[2].levels).toEqual({error: 1})
    expect(phase).toBeUndefined()
  })

  it("a section open when the job ends closes at the job's end, not at its last line (a group the job ended in lasted until then)", () => {
    const github = track(['setup', '::group::Deploy', 'uploading', '::group::Last'], false, (seq) => 1000 * seq, 60_000).structure()
    expect(github.sections.map((s) => [s.title, s.end, s.duration])).toEqual([
      ['Deploy', 4000, 2000], // closed by the next ::group::
      ['Last', 60_000, 56_000],
    ])
    const gitlab = track(['\u001B[0Ksection_start:9:outer\r\u001B[0KOuter', '\u001B[0Ksection_start:10:inner\r\u001B[0KInner'], false, (seq) => 1000 * seq, 60_000).structure()
    // GitLab's start at their markers' times, here 8 s ahead of the times the lines were read: they end at the job's end on that clock.
    expect(gitlab.sections.map((s) => [s.title, s.end, s.duration])).toEqual([
      ['Outer', 68_000, 59_000],
      ['Inner', 68_000, 58_000],
    ])
    // A log of three years ago pushed now: the open section lasts from its line to the job's end, not three years.
    const now = Date.parse('2026-12-06T10:00:00Z')
    const imported = track(['\u001B[0Ksection_start:1700000000:script\r\u001B[0KScript', 'x', 'y'], true, (seq) => now + seq, now + 10).structure()
    expect(imported.sections.map((s) => [s.start, s.end, s.duration, s.failed])).toEqual([[1_700_000_000_000, 1_700_000_000_009, 9, true]])
    // A group inside it, on the lines' clock, ends at the job's end on that clock; one behind a timestamp, at the last
    // timestamp read while it was open (an import that ends inside a group lasts as long as its log says).
    const stamped = track(['2026-06-21T05:34:50Z ##[group]A', '2026-06-21T05:34:52Z x', 'a line without a prefix'], false, (seq) => now + seq, now + 10).structure()
    expect(stamped.sections.map((s) => [s.start, s.end])).toEqual([[Date.parse('2026-06-21T05:34:50Z'), Date.parse('2026-06-21T05:34:52Z')]])
    // Its last line: no later timestamp, so the job's end on the timestamps' clock.
    const alone = track(['2026-06-21T05:34:49Z x', '2026-06-21T05:34:50Z ##[group]A'], false, (seq) => now + seq, now + 10).structure()
    expect(alone.sections.map((s) => [s.start, s.end])).toEqual([[Date.parse('2026-06-21T05:34:50Z'), Date.parse('2026-06-21T05:34:50.008Z')]])
    const nested = track(['\u001B[0Ksection_start:1700000000:s\r\u001B[0KS', '::group::G', 'x'], false, (seq) => now + seq, now + 10).structure()
    expect(nested.sections.map((s) => [s.title, s.start, s.end])).toEqual([
      ['S', 1_700_000_000_000, 1_700_000_000_009],
      ['G', now + 2, now + 10],
    ])
    // Still running: an open section has no end and no duration (shown as "running"), never 0.
    const running = new SectionTracker()
    running.observe({seq: 1, ts: 1000, bytes: Buffer.from('::group::Build')})
    expect(running.structure().sections.map((s) => [s.end, s.duration])).toEqual([[undefined, undefined]])
  })

  it('Buildkite groups: --- and ~~~ folded, +++ expanded, ^^^ +++ expands the previous', () => {
    const {sections} = track(fixture('buildkite.log')).structure()
    expect(sections.map((s) => [s.title, s.collapsed])).toEqual([
      ['Preparing working directory', true],
      [':package: Build', undefined],
      [':test_tube: Test', undefined],
      ['Uploading artifacts', true],
    ])
  })

  it('Azure Pipelines groups: ##[group] … ##[endgroup], not nested; its ##[section] and ##[error] lines are no markers', () => {
    const {sections} = track(fixture('azure.log')).structure()
    expect(sections.map((s) => [s.name, s.title, s.family, s.firstSeq, s.lastSeq, s.lines, s.depth, s.levels])).toEqual([
      ['azure-1', 'Install dependencies', 'azure', 3, 6, 4, 0, {}],
      ['azure-2', 'Run tests', 'azure', 7, 10, 4, 0, {error: 1, warn: 1}],
    ])
    const unnested = track(['##[group]A', '##[group]B', '##[endgroup]']).structure()
    expect(unnested.sections.map((s) => [s.title, s.depth, s.lastSeq])).toEqual([
      ['A', 0, 1],
      ['B', 0, 3],
    ])
  })

  it("TeamCity blocks: nested, named by their markers (escapes read), a block's end closes the blocks inside it", () => {
    const {sections} = track(fixture('teamcity.log')).structure()
    expect(sections.map((s) => [s.name, s.title, s.family, s.depth, s.parent, s.firstSeq, s.lastSeq, s.levels])).toEqual([
      ['Compile', 'Compile', 'teamcity', 0, undefined, 1, 7, {warn: 1}],
      ["Module 'core'", "Module 'core'", 'teamcity', 1, 'Compile', 3, 6, {warn: 1}],
      ['Test', 'Test', 'teamcity', 0, undefined, 8, 11, {error: 1}],
      ['Unit', 'Unit', 'teamcity', 1, 'Test', 9, 11, {error: 1}], // the end of Test ends Unit too, and counts in both
    ])
    expect(sections.every((s) => s.end !== undefined)).toBe(true)
    const odd = track(["##teamcity[blockOpened name='a|nb|]|0x0041']", "##teamcity[blockOpened name='']", "##teamcity[blockClosed name='other']", 'x']).structure()
    expect(odd.sections.map((s) => [s.name, s.lines, s.end])).toEqual([['a b]A', 4, 4000]])
  })

  it('behind a timestamp prefix: the groups of a log downloaded from GitHub Actions, and GitLab sections with their titles from the next line (00O+)', () => {
    const github = track(fixture('github-download.log')).structure()
    // Timed by the prefix's timestamps (whole milliseconds), not by when the lines were read: an imported log keeps its durations.
    const at = (time: string) => Date.parse(`2026-06-21T05:${time}Z`)
    expect(github.sections.map((s) => [s.name, s.title, s.family, s.firstSeq, s.lastSeq, s.start, s.end])).toEqual([
      ['azure-1', 'Runner Image', 'azure', 2, 4, at('34:50.13'), at('34:50.13')],
      ['azure-2', 'Run actions/checkout@v4', 'azure', 5, 8, at('34:54.555'), at('34:54.557')],
      ['azure-3', 'Run npm test', 'azure', 10, 13, at('35:01'), at('35:01')],
    ])
    // gh run view --log prints the same lines behind the job's and the step's name: the same groups (inside its steps).
    const groups = (sections: Section[]) => sections.filter((s) => s.family === 'azure').map((s) => [s.name, s.title, s.firstSeq, s.lastSeq, s.lines])
    expect(groups(track(fixture('gh-run-view.log')).structure().sections)).toEqual(groups(github.sections))
    const gitlab = track(fixture('gitlab-timestamps.log'), true).structure()
    expect(gitlab.sections.map((s) => [s.name, s.title, s.firstSeq, s.lastSeq, s.duration, s.levels])).toEqual([
      ['prepare_executor', 'Preparing the "docker+machine" executor', 2, 5, 5000, {}],
      ['step_script', 'Executing "step_script" stage of the job script', 6, 11, 2000, {error: 1}],
    ])
    // Only those markers, and only behind a whole prefix; a start whose next line is no continuation keeps its name as title.
    const others = track(['2026-12-06T09:00:00Z ::group::A', "2026-12-06T09:00:00Z ##teamcity[blockOpened name='B']", '2026-12-06 09:00:00Z ##[group]C', 'x ##[group]D'])
    expect(others.structure().sections).toEqual([])
    const named = track(['2026-12-06T09:00:00Z 00O section_start:1:build\r\u001B[0K', '2026-12-06T09:00:01Z 01O make', '2026-12-06T09:00:02Z 00O+not a title'])
    expect(named.structure().sections.map((s) => s.title)).toEqual(['build'])
  })

  it("gh run view --log: each job and step is a section, the step inside its job, timed by gh's timestamps, the groups inside the steps", () => {
    const lines = [
      ...fixture('gh-run-view.log'),
      'lint\tSet up job\t2026-06-21T05:36:00.0000000Z Current runner version',
      'lint\tRun npm run lint\t2026-06-21T05:36:02.5000000Z ##[group]Run npm run lint',
      'lint\tRun npm run lint\t2026-06-21T05:36:02.5000100Z ##[endgroup]',
      'lint\tRun npm run lint\t2026-06-21T05:36:10.0000000Z ##[warning]x is unused',
      '\u001B[1mlint\u001B[0m\tSet up job\t2026-06-21T05:36:11Z a step again, the job in bold',
      '\u001B[1mlint\u001B[0m\tSet up job\t2026-06-21T05:36:12Z ', // an empty line, as gh prints it: the last time gh gave
    ]
    const {sections} = track(lines, true).structure()
    const at = (time: string) => Date.parse(`2026-06-21T05:${time}Z`)
    const test = 'test (ubuntu-24.04, 22)'
    // A step ends where the next starts; a job, and its last step, at its last line (gh prints side-by-side jobs one after another).
    // The groups inside the steps open and close at gh's times too (whole milliseconds).
    expect(sections.map((s) => [s.name, s.family, s.depth, s.parent, s.firstSeq, s.lastSeq, s.lines, s.start, s.end, s.levels, s.failed])).toEqual([
      // A step whose script failed (`##[error]Process completed with exit code 1.`) fails, and its job.
      [test, 'gh', 0, undefined, 1, 19, 19, at('34:50.1234567'), at('35:06'), {error: 3, warn: 1}, true],
      ['Set up job', 'gh', 1, test, 1, 4, 4, at('34:50.1234567'), at('34:54.555'), {}, undefined],
      ['azure-1', 'azure', 2, 'Set up job', 2, 4, 3, at('34:50.13'), at('34:50.13'), {}, undefined],
      ['Run actions/checkout@v4', 'gh', 1, test, 5, 9, 5, at('34:54.555'), at('35:01'), {}, undefined],
      ['azure-2', 'azure', 2, 'Run actions/checkout@v4', 5, 8, 4, at('34:54.555'), at('34:54.557'), {}, undefined],
      ['Run npm test', 'gh', 1, test, 10, 18, 9, at('35:01'), at('35:06'), {error: 3, warn: 1}, true],
      ['azure-3', 'azure', 2, 'Run npm test', 10, 13, 4, at('35:01'), at('35:01'), {}, undefined],
      ['Post Run actions/checkout@v4', 'gh', 1, test, 19, 19, 1, at('35:06'), at('35:06'), {}, undefined],
      // The import ends (failed): the open job and step close at the last time gh gave, failed only where the log says so.
      ['lint', 'gh', 0, undefined, 20, 25, 6, at('36:00'), at('36:12'), {warn: 1}, undefined],
      ['Set up job', 'gh', 1, 'lint', 20, 20, 1, at('36:00'), at('36:02.5'), {}, undefined],
      ['Run npm run lint', 'gh', 1, 'lint', 21, 23, 3, at('36:02.5'), at('36:11'), {warn: 1}, undefined],
      ['azure-4', 'azure', 2, 'Run npm run lint', 21, 22, 2, at('36:02.5'), at('36:02.5'), {}, undefined],
      ['Set up job', 'gh', 1, 'lint', 24, 25, 2, at('36:11'), at('36:12'), {}, undefined],
    ])
    // Columns that only look like gh's, a bad time, and names that clean to nothing.
    const odd = track([
      'j\ts\t2026-06-21T05:35:59Z first',
      'a\tb\tc\t2026-06-21T05:36:00Z three columns',
      'a\tb\t2026-13-45T05:36:00Z month 13',
      '\u0007\t\u001B[1m\u001B[0m\t2026-06-21T05:36:01Z x',
    ]).structure()
    expect(odd.sections.map((s) => [s.name, s.title, s.parent, s.firstSeq, s.lastSeq, s.start, s.end])).toEqual([
      ['j', 'j', undefined, 1, 2, at('35:59'), at('35:59')],
      ['s', 's', 'j', 1, 2, at('35:59'), at('35:59')],
      ['a', 'a', undefined, 3, 3, 3000, 3000], // month 13: the time the line was read
      ['b', 'b', 'a', 3, 3, 3000, 3000],
      ['job', 'job', undefined, 4, 4, at('36:01'), at('36:01')],
      ['step', 'step', 'job', 4, 4, at('36:01'), at('36:01')],
    ])
    // Only in a log that starts with gh's columns (not looked for in every line of every log): behind a first line without
    // them, none of its lines opens anything, whatever its job's first letter (`s` may start a GitLab marker).
    for (const job of ['test', 'section', '--build']) {
      const later = fixture('gh-run-view.log').map((line) => line.replace(/^[^\t]*/, job))
      expect(track(['fetching the run', ...later]).structure().sections, job).toEqual([])
    }
  })

  it("Jenkins stages: [Pipeline] { (NAME) … [Pipeline] }, nested, named by the stage; a step's bare { } block opens none and its } ends none", () => {
    const {sections} = track(fixture('jenkins.log'), true).structure()
    expect(sections.map((s) => [s.name, s.family, s.depth, s.parent, s.firstSeq, s.lastSeq, s.lines, s.levels, s.failed])).toEqual([
      ['Checkout', 'jenkins', 0, undefined, 8, 11, 4, {}, undefined],
      ['Build', 'jenkins', 0, undefined, 14, 22, 9, {}, undefined],
      ['Test', 'jenkins', 0, undefined, 25, 34, 10, {error: 2}, undefined],
      ['Unit', 'jenkins', 1, 'Test', 27, 32, 6, {error: 2}, undefined],
      ['Deploy', 'jenkins', 0, undefined, 37, 39, 3, {}, undefined],
    ])
    // Behind Timestamper's `[2026-12-06T09:00:00.137Z] `: the same stages.
    const stamped = track(fixture('jenkins-timestamps.log'), true).structure().sections
    expect(stamped.map((s) => [s.name, s.depth, s.parent, s.firstSeq, s.lastSeq, s.levels])).toEqual(
      sections.map((s) => [s.name, s.depth, s.parent, s.firstSeq, s.lastSeq, s.levels]),
    )
    // Timed by Timestamper's times: a stage from its { (NAME) to its block's }.
    const at = (time: string) => Date.parse(`2026-12-06T09:00:${time}Z`)
    expect(stamped.map((s) => [s.name, s.start, s.duration])).toEqual([
      ['Checkout', at('00.959'), 411],
      ['Build', at('01.781'), 1096],
      ['Test', at('03.288'), 1233],
      ['Unit', at('03.562'), 685],
      ['Deploy', at('04.932'), 274],
    ])
    // Unbalanced: a } with nothing open ends nothing; 100 000 bare opens stay bounded (past 1000 open blocks no more are
    // kept, so the } after B ends none) and a stage after them still opens.
    const odd = track([
      '[Pipeline] }',
      '[Pipeline] { (A)',
      ...Array.from({length: 100_000}, () => '[Pipeline] {'),
      '[Pipeline] { (B)',
      '[Pipeline] }',
      '[Pipeline] { ()',
    ]).structure()
    expect(odd.sections.map((s) => [s.name, s.depth, s.lastSeq])).toEqual([
      ['A', 0, 100_005],
      ['B', 1, 100_005],
    ])
  })

  it('a marker counts at the start of a line only: a command that echoes one (set -x) opens nothing', () => {
    const {sections} = track(["+ echo -e '\u001B[0Ksection_start:1:x\r\u001B[0KX'", "+ echo '::group::Build'", "echo '##[group]Y'", 'ok']).structure()
    expect(sections).toEqual([])
  })

  it('lines straight from the splitter (their text decoded with the read) give the structure their bytes give, UTF-8 and invalid bytes included', () => {
    const input = Buffer.concat([
      Buffer.from('::group::Build \u00e9tape\n{"phase":"d\u00e9ploiement","progress":40}\nplain\n{"current":3,"total":4}\n'),
      Buffer.from([0x7b, 0x22, 0x70, 0x68, 0x61, 0x73, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x0a]), // {"phase":"<invalid>"}
      Buffer.from('::endgroup::\n{"phase":"done"}\n'),
    ])
    for (const size of [7, input.length]) {
      const splitter = new LineSplitter()
      const entries = []
      for (let at = 0; at < input.length; at += size) entries.push(...splitter.push(input.subarray(at, at + size), 1))
      const batch = new SectionTracker()
      batch.observeBatch(1, entries)
      const one = new SectionTracker()
      entries.forEach((e, i) => one.observe({seq: i + 1, ts: e.ts, bytes: e.bytes, level: e.level}))
      expect(batch.structure()).toEqual(one.structure())
      expect(batch.structure()).toMatchObject({phase: 'done', progress: 75})
    }
  })

  it('phase is the innermost open section, or a JSON phase; progress is validated', () => {
    const tracker = new SectionTracker()
    const observe = (seq: number, line: string) => tracker.observe({seq, ts: seq, bytes: Buffer.from(line)})
    observe(1, '::group::Build')
    expect(tracker.structure().phase).toBe('Build')
    observe(2, '{"phase":"migrate","progress":60}')
    expect(tracker.structure()).toMatchObject({phase: 'migrate', progress: 60})
    observe(3, '{"progress":250}')
    observe(4, '{"progress":"abc"}')
    observe(5, '{"current":-1,"total":10}')
    expect(tracker.structure().progress).toBe(60)
    observe(6, '{"current":3,"total":4}')
    expect(tracker.structure().progress).toBe(75)
  })

  it('bad input: unbalanced markers, control characters, long titles, a marker inside JSON, too many sections', () => {
    const long = `::group::${'x'.repeat(10_000)}`
    const {sections} = track(['::endgroup::', '\u001B[0Ksection_end:1:nothing\r\u001B[0K', '::group::a\u0007b\u001B[31mc', long, '{"msg":"::group::inside json"}']).structure()
    expect(sections.map((s) => s.title.length <= MAX_TITLE)).toEqual([true, true])
    expect(sections[0].title).toBe('abc')
    const many = track(Array.from({length: 100_000}, (_, i) => `--- step ${i}`)).structure()
    expect(many.sections).toHaveLength(MAX_SECTIONS)
    expect(many.sectionsDropped).toBe(100_000 - MAX_SECTIONS)
  })

  it("open nested sections count their open children's lines; 100 000 starts that never end stay bounded", () => {
    const tracker = new SectionTracker()
    const observe = (seq: number, line: string) => tracker.observe({seq, ts: seq, bytes: Buffer.from(line)})
    observe(1, '\u001B[0Ksection_start:1:outer\r\u001B[0KOuter')
    observe(2, 'x')
    observe(3, '\u001B[0Ksection_start:2:inner\r\u001B[0KInner')
    observe(4, 'ERROR y')
    expect(tracker.structure().sections.map((s) => [s.name, s.lines, s.lastSeq])).toEqual([
      ['outer', 4, 4],
      ['inner', 2, 4],
    ])
    const many = new SectionTracker()
    for (let i = 1; i <= 100_000; i++) many.observe({seq: i, ts: i, bytes: Buffer.from(`\u001B[0Ksection_start:${i}:s${i}\r\u001B[0KS`)})
    many.end(true, 100_000)
    const {sections, sectionsDropped} = many.structure()
    expect(sections).toHaveLength(MAX_SECTIONS)
    expect(sectionsDropped).toBe(100_000 - MAX_SECTIONS)
    expect(sections[0].lines).toBe(100_000)
    expect(sections.every((s) => s.failed)).toBe(true)
  })

  it('JSON phase keys are found in the line that holds them, not across lines, whether the read is ASCII (its text decoded once) or not', () => {
    const spans = (memory: Buffer) => {
      const found: [number, number][] = []
      for (let start = 0; start < memory.length;) {
        const end = memory.indexOf(10, start)
        found.push([start, end])
        start = end + 1
      }
      return found
    }
    const search = new PhaseKeySearch()
    const found = (text: string, order = (lines: [number, number][]) => lines) => {
      const read = new ReadChunk(Buffer.from(text), 1, undefined)
      const lines = spans(read.memory)
      const answers = new Map(order(lines).map(([start, end]) => [start, search.inRead(read, start, end)]))
      return lines.map(([start]) => answers.get(start))
    }
    const lines = '{"a":1}\n{"b":"pha\n{"phase":"x"}\n{"b":"tot\nal":1}\n{"c":"total"}\n{"a":1}\n{"progress":5}\n'
    const expected = [false, false, true, false, false, true, false, true]
    expect(found(lines)).toEqual(expected)
    expect(found(lines.replace('{"a":1}', '{"é":1}'))).toEqual(expected)
    // Asked out of order, or the same line twice, a read gives the same answers.
    expect(found(lines, (all) => [...all].reverse())).toEqual(expected)
    expect(found(lines, (all) => [all[7], all[2], all[2], all[0], all[5], all[1]])).toEqual([false, false, true, undefined, undefined, true, undefined, true])
    // A span not ended by a newline: a key running past its end is not in it.
    const read = new ReadChunk(Buffer.from('{"a":"x","total":1,"progress":2}'), 1, undefined)
    expect(search.inRead(read, 0, 12)).toBe(false)
    expect(search.inRead(read, 0, 17)).toBe(true)
    expect(search.inRead(read, 20, 28)).toBe(false)
    expect(search.inRead(read, 19, 29)).toBe(true)
  })
})
