/**
 * Sections, phase and progress as users see them: real-looking CI logs (written from each
 * system's documented markers) pushed into the file store and Redis, read back with
 * `logs sections`, `get --section`, `ls --json` and the relay's `/v1/jobs/:id/sections`.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {collect, isolatedEnv, ROOT, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {redisSandbox} from '../../helpers/redis-sandbox.js'
import {openRawStream, startServeCli, stopServeCli} from '../../helpers/relay.js'
import {waitUntil} from '../../helpers/wait.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'ci')
let home: {home: string; cleanup: () => void}
const redis = redisSandbox()
beforeAll(() => {
  home = tempHome()
})
afterAll(() => {
  home?.cleanup()
})

const env = () => isolatedEnv(home.home)
const fixture = (name: string) => readFileSync(join(FIXTURES, name))

for (const [kind, store] of [
  ['file', () => []],
  ['redis', () => ['--store', `${redis.url}?prefix=sec:`]],
] as const) {
  describe(`sections in the ${kind} store`, () => {
    it('an ::endgroup:: with no group open is ignored by the sections (README): it closes, counts and names nothing; text output prints it as ▴ as it prints every end line', async () => {
      const job = `stray-end-${kind}`
      const input = 'before\n::endgroup::\n::group::Build\nmake\n::endgroup::\n::endgroup::\nafter\n'
      expect((await runCli(['push', '--job', job, ...store()], {env: env(), input})).code).toBe(0)
      const report = JSON.parse((await runCli(['sections', job, '--json', ...store()], {env: env()})).stdout)
      expect(report.sections.map((s: any) => [s.title, s.firstSeq, s.lastSeq, s.lines])).toEqual([['Build', 3, 5, 3]])
      expect((await runCli(['get', job, ...store()], {env: env()})).stdout).toBe('before\n▴\n▾ Build\nmake\n▴\n▴\nafter\n')
    })

    it('a group the job ends in is "running" while the job runs, then lasts until the job ends, not 0 s', async () => {
      const job = `open-at-end-${kind}`
      const pusher = startCli(['push', '--job', job, ...store()], {env: env()})
      const pushed = collect(pusher)
      try {
        pusher.stdin!.write('setup\n::group::Deploy\n')
        // Running: the open group has no end and no duration, and the table says so.
        await waitUntil(async () => (await runCli(['sections', job, '--json', ...store()], {env: env()})).stdout.includes('Deploy'), {what: 'the open group'})
        const running = JSON.parse((await runCli(['sections', job, '--json', ...store()], {env: env()})).stdout).sections[0]
        expect([running.title, running.end, running.duration]).toEqual(['Deploy', undefined, undefined])
        expect((await runCli(['sections', job, ...store()], {env: env()})).stdout).toMatch(/▾ Deploy\s+running\s+1\s+0\s+2-2/)
      } finally {
        pusher.stdin!.end()
      }
      expect((await pushed).code).toBe(0)
      const meta = JSON.parse((await runCli(['ls', '--json', ...store()], {env: env()})).stdout).find((j: {id: string}) => j.id === job)
      const [section] = JSON.parse((await runCli(['sections', job, '--json', ...store()], {env: env()})).stdout).sections
      // Its last line is its first (the marker): it ends with the job — read after the sections were seen running — not there.
      expect(section.end).toBeGreaterThan(section.start)
      expect(section.end).toBeLessThanOrEqual(meta.endedAt)
      expect(section.duration).toBe(section.end - section.start)
    })

    // Before, the file store kept the closed group's title as the phase for good (a write without a phase left the old one).
    it('the phase is the open group while it is open, and none once it closes', async () => {
      const job = `phase-closes-${kind}`
      const pusher = startCli(['push', '--job', job, ...store()], {env: env()})
      const pushed = collect(pusher)
      const phase = async () => JSON.parse((await runCli(['ls', '--json', ...store()], {env: env()})).stdout).find((j: {id: string}) => j.id === job)?.phase as string | undefined
      const closed = async () => JSON.parse((await runCli(['sections', job, '--json', ...store()], {env: env()})).stdout).sections[0]?.end !== undefined
      try {
        pusher.stdin!.write('::group::Compile\nx\n')
        await waitUntil(async () => (await phase()) === 'Compile', {what: 'the phase Compile'})
        pusher.stdin!.write('::endgroup::\nafter\n')
        await waitUntil(closed, {what: 'the group closed'})
        expect(await phase()).toBeUndefined()
      } finally {
        pusher.stdin!.end()
      }
      expect((await pushed).code).toBe(0)
      expect(await phase()).toBeUndefined()
      expect((await runCli(['sections', job, ...store()], {env: env()})).stdout).not.toContain('phase:')
    })

    it("GitLab: nested sections with the markers' times, the failed one marked; get --section prints one", async () => {
      const pushed = await runCli(['push', '--job', 'gitlab', '--exit-code', '1', ...store()], {env: env(), input: fixture('gitlab.log')})
      expect(pushed.code).toBe(0)
      const listed = await runCli(['sections', 'gitlab', '--json', ...store()], {env: env()})
      expect(listed.code).toBe(0)
      const report = JSON.parse(listed.stdout)
      expect(report.sections.map((s: any) => [s.name, s.title, s.depth, s.firstSeq, s.lastSeq, s.collapsed ?? false, s.failed ?? false])).toEqual([
        ['prepare', 'Preparing the environment', 0, 1, 6, true, false],
        ['fetch', 'Fetching sources', 1, 3, 5, false, false],
        ['script', 'Executing the script', 0, 7, 9, false, true],
      ])
      expect(report.sections[0].duration).toBe(10_000)
      const text = await runCli(['sections', 'gitlab', ...store()], {env: env()})
      expect(text.stdout).toMatch(/▸ Preparing the environment\s+10s\s+6\s+0\s+1-6/)
      expect(text.stdout).toMatch(/ {2}▾ Fetching sources\s+3s/)
      // The failed section says so in words too (no colour here); it lasts from its line to the job's end, not from its marker's time (2023).
      expect(text.stdout).toMatch(/\n▾ Executing the script \(failed\)\s+\d+m?s\s+3\s+1\s+7-9/)
      const readable = await runCli(['get', 'gitlab', ...store()], {env: env()})
      expect(readable.stdout.split('\n').slice(0, 5)).toEqual(['▸ Preparing the environment', 'Running on runner-1', '▾ Fetching sources', 'git fetch', '▴ fetch'])
      expect(readable.stdout).not.toContain('\u001B')
      const one = await runCli(['get', 'gitlab', '--section', 'fetch', '--output', 'raw', ...store()], {env: env()})
      expect(one.stdout).toContain('\u001B[0Ksection_start:1700000002:fetch\r\u001B[0KFetching sources\n')
      expect(one.stdout.split('\n').slice(1, 2)).toEqual(['git fetch'])
      expect(one.stdout.split('\n')).toHaveLength(4)
    })

    it('GitHub and Buildkite groups; globs over titles; an unknown section is an error listing the others', async () => {
      await runCli(['push', '--job', 'github', ...store()], {env: env(), input: fixture('github.log')})
      await runCli(['push', '--job', 'buildkite', ...store()], {env: env(), input: fixture('buildkite.log')})
      const github = JSON.parse((await runCli(['sections', 'github', '--json', ...store()], {env: env()})).stdout)
      expect(github.sections.map((s: any) => [s.title, s.lines, s.levels])).toEqual([
        ['Install dependencies', 4, {}],
        ['Run tests', 3, {error: 1}],
      ])
      const buildkite = JSON.parse((await runCli(['sections', 'buildkite', '--json', ...store()], {env: env()})).stdout)
      expect(buildkite.sections.map((s: any) => [s.title, s.collapsed ?? false])).toEqual([
        ['Preparing working directory', true],
        [':package: Build', false],
        [':test_tube: Test', false],
        ['Uploading artifacts', true],
      ])
      const got = await runCli(['get', 'buildkite', '--section', '*Test', '--section', 'Upload*', ...store()], {env: env()})
      expect(got.stdout).toBe('▾ :test_tube: Test\nmake test\nWARN flaky\n▸ Uploading artifacts\nupload done\n')
      const missing = await runCli(['get', 'github', '--section', 'deploy', ...store()], {env: env()})
      expect(missing.code).toBe(1)
      expect(missing.stderr).toContain('no section of job github matches --section "deploy"')
      expect(missing.stderr).toContain('Install dependencies')
    })

    it('Azure Pipelines groups and TeamCity blocks, with the levels of their workflow commands; get --section by a block name', async () => {
      expect((await runCli(['push', '--job', 'azure', ...store()], {env: env(), input: fixture('azure.log')})).code).toBe(0)
      expect((await runCli(['push', '--job', 'teamcity', ...store()], {env: env(), input: fixture('teamcity.log')})).code).toBe(0)
      const azure = JSON.parse((await runCli(['sections', 'azure', '--json', ...store()], {env: env()})).stdout)
      expect(azure.sections.map((s: any) => [s.name, s.title, s.family, s.lines, s.levels])).toEqual([
        ['azure-1', 'Install dependencies', 'azure', 4, {}],
        ['azure-2', 'Run tests', 'azure', 4, {error: 1, warn: 1}],
      ])
      const teamcity = JSON.parse((await runCli(['sections', 'teamcity', '--json', ...store()], {env: env()})).stdout)
      expect(teamcity.sections.map((s: any) => [s.name, s.depth, s.parent])).toEqual([
        ['Compile', 0, undefined],
        ["Module 'core'", 1, 'Compile'],
        ['Test', 0, undefined],
        ['Unit', 1, 'Test'],
      ])
      const table = await runCli(['sections', 'teamcity', ...store()], {env: env()})
      expect(table.stdout).toMatch(/▾ Compile\s+\d+s\s+7\s+0\s+1-7/)
      expect(table.stdout).toMatch(/ {2}▾ Unit\s+\d+s\s+3\s+1\s+9-11/)
      const text = await runCli(['get', 'azure', ...store()], {env: env()})
      expect(text.stdout.split('\n').slice(0, 7)).toEqual([
        'Starting: Build',
        '##[section]Starting: npm ci',
        '▾ Install dependencies',
        'npm ci',
        'added 200 packages',
        '▴',
        '▾ Run tests',
      ])
      const errors = await runCli(['get', 'azure', 'teamcity', '--level', 'warn', '--by-job', ...store()], {env: env()})
      expect(errors.stdout).toBe(
        "azure    ##[error]test failed\nazure    ##vso[task.logissue type=warning]flaky test retried\nteamcity ##teamcity[message text='deprecated API' status='WARNING']\nteamcity ##teamcity[buildProblem description='2 tests failed']\n",
      )
      const module = await runCli(['get', 'teamcity', '--section', "Module 'core'", ...store()], {env: env()})
      expect(module.stdout).toBe("▾ Module 'core'\ncompiled 120 classes\n##teamcity[message text='deprecated API' status='WARNING']\n▴ Module 'core'\n")
    })

    it("a Jenkins Pipeline's console output: its stages as sections (nested, named), get --section by a stage, text output's headers", async () => {
      const job = `jenkins-${kind}`
      expect((await runCli(['push', '--job', job, '--exit-code', '2', ...store()], {env: env(), input: fixture('jenkins.log')})).code).toBe(0)
      const table = await runCli(['sections', job, ...store()], {env: env()})
      expect(table.stdout).toMatch(/▾ Test\s+\d+s\s+10\s+2\s+25-34/)
      expect(table.stdout).toMatch(/ {2}▾ Unit\s+\d+s\s+6\s+2\s+27-32/)
      const unit = await runCli(['get', job, '--section', 'Unit', ...store()], {env: env()})
      expect(unit.stdout).toBe('▾ Unit\n[Pipeline] sh\n+ make test\nFAIL: test_parse (tests/test_parse.c:12)\nmake: *** [Makefile:9: test] Error 1\n[Pipeline] }\n')
      const errors = await runCli(['get', job, '--level', 'error', ...store()], {env: env()})
      expect(errors.stdout).toBe('FAIL: test_parse (tests/test_parse.c:12)\nmake: *** [Makefile:9: test] Error 1\nERROR: script returned exit code 2\nFinished: FAILURE\n')

      // With Timestamper's `[2026-12-06T09:00:00.137Z] ` before every line: the same stages, levels and headers.
      const stamped = `jenkins-ts-${kind}`
      expect((await runCli(['push', '--job', stamped, '--exit-code', '2', ...store()], {env: env(), input: fixture('jenkins-timestamps.log')})).code).toBe(0)
      const sectionsOf = async (id: string) =>
        (JSON.parse((await runCli(['sections', id, '--json', ...store()], {env: env()})).stdout) as {sections: any[]}).sections.map((s) => [
          s.name,
          s.parent,
          s.firstSeq,
          s.lastSeq,
          s.levels,
        ])
      expect(await sectionsOf(stamped)).toEqual(await sectionsOf(job))
      const stampedUnit = await runCli(['get', stamped, '--section', 'Unit', ...store()], {env: env()})
      expect(stampedUnit.stdout.split('\n').map((line) => line.replace(/^\[[\dT:.Z-]+\] /, ''))).toEqual(unit.stdout.split('\n'))
      const stampedErrors = await runCli(['get', stamped, '--level', 'error', ...store()], {env: env()})
      expect(stampedErrors.stdout.replaceAll(/^\[[\dT:.Z-]+\] /gm, '')).toBe(errors.stdout)
    })

    it('a log downloaded from GitHub Actions or GitLab (every line behind a timestamp): its sections, titles and levels; text output the same live and archived', async () => {
      const jobs = [`gha-${kind}`, `gitlab-ts-${kind}`]
      expect((await runCli(['push', '--job', jobs[0], ...store()], {env: env(), input: fixture('github-download.log')})).code).toBe(0)
      expect((await runCli(['push', '--job', jobs[1], ...store()], {env: env(), input: fixture('gitlab-timestamps.log')})).code).toBe(0)
      const github = JSON.parse((await runCli(['sections', jobs[0], '--json', ...store()], {env: env()})).stdout)
      // Timed by the timestamps before the lines, not by when push read them.
      expect(github.sections.map((s: any) => [s.name, s.title, s.lines, s.start, s.duration])).toEqual([
        ['azure-1', 'Runner Image', 3, Date.parse('2026-06-21T05:34:50.13Z'), 0],
        ['azure-2', 'Run actions/checkout@v4', 4, Date.parse('2026-06-21T05:34:54.555Z'), 2],
        ['azure-3', 'Run npm test', 4, Date.parse('2026-06-21T05:35:01Z'), 0],
      ])
      const gitlab = JSON.parse((await runCli(['sections', jobs[1], '--json', ...store()], {env: env()})).stdout)
      expect(gitlab.sections.map((s: any) => [s.name, s.title, s.duration, s.levels])).toEqual([
        ['prepare_executor', 'Preparing the "docker+machine" executor', 5000, {}],
        ['step_script', 'Executing "step_script" stage of the job script', 2000, {error: 1}],
      ])
      const errors = await runCli(['get', ...jobs, '--level', 'warn', '--by-job', ...store()], {env: env()})
      expect(errors.stdout.split('\n').filter(Boolean)).toEqual(
        [
          `${jobs[0]} 2026-06-21T05:35:03.0000000Z FAIL src/app.test.js`,
          `${jobs[0]} 2026-06-21T05:35:04.0000000Z ##[warning]Node.js 16 actions are deprecated.`,
          `${jobs[0]} 2026-06-21T05:35:05.0000000Z npm error code 1`,
          `${jobs[0]} 2026-06-21T05:35:05.1000000Z ##[error]Process completed with exit code 1.`,
          `${jobs[1]} 2026-09-26T10:42:57.000000Z 01E npm error code 1`,
          `${jobs[1]} 2026-09-26T10:42:57.200000Z 00O ERROR: Job failed: exit code 1`,
        ].map((line) => line.replace(/^(\S+) /, (_, job: string) => `${job.padEnd(jobs[1].length)} `)),
      )
      const live = await runCli(['get', jobs[0], ...store()], {env: env()})
      expect(live.stdout.split('\n').slice(3, 9)).toEqual([
        '▴',
        '▾ Run actions/checkout@v4',
        '2026-06-21T05:34:54.5551348Z with:',
        '2026-06-21T05:34:54.5554678Z   token: ***',
        '▴',
        '2026-06-21T05:34:55.0000000Z Syncing repository: acme/app',
      ])
      const section = await runCli(['get', jobs[1], '--section', 'prepare_executor', ...store()], {env: env()})
      expect(section.stdout.split('\n')[0]).toBe('▾ prepare_executor')
      const archived = await runCli(['archive', '--job', jobs[0], ...store()], {env: env()})
      expect(archived.code, archived.stderr).toBe(0)
      expect((await runCli(['get', jobs[0], ...store()], {env: env()})).stdout).toBe(live.stdout)
    })

    it("gh run view --log piped in: each step a section inside its job, timed by gh's timestamps; levels and groups behind the columns; the same archived", async () => {
      const job = `gh-${kind}`
      const pushed = await runCli(['push', '--job', job, '--exit-code', '1', ...store()], {env: env(), input: fixture('gh-run-view.log')})
      expect(pushed.code, pushed.stderr).toBe(0)
      const sectionsOf = async () =>
        (JSON.parse((await runCli(['sections', job, '--json', ...store()], {env: env()})).stdout) as {sections: any[]}).sections.map((s) => [
          s.name,
          s.parent,
          s.firstSeq,
          s.lastSeq,
          s.duration,
          s.levels,
          s.failed,
        ])
      const test = 'test (ubuntu-24.04, 22)'
      const sections = await sectionsOf()
      // Failed: the step whose script failed, and its job; not the last step, where the import (--exit-code 1) ended.
      // The groups inside the steps are timed by gh's timestamps too, not by when push read them.
      expect(sections).toEqual([
        [test, undefined, 1, 19, 15877, {error: 3, warn: 1}, true],
        ['Set up job', test, 1, 4, 4432, {}, undefined],
        ['azure-1', 'Set up job', 2, 4, 0, {}, undefined],
        ['Run actions/checkout@v4', test, 5, 9, 6445, {}, undefined],
        ['azure-2', 'Run actions/checkout@v4', 5, 8, 2, {}, undefined],
        ['Run npm test', test, 10, 18, 5000, {error: 3, warn: 1}, true],
        ['azure-3', 'Run npm test', 10, 13, 0, {}, undefined],
        ['Post Run actions/checkout@v4', test, 19, 19, 0, {}, undefined],
      ])
      const table = await runCli(['sections', job, ...store()], {env: env()})
      expect(table.stdout).toMatch(/\n▾ test \(ubuntu-24.04, 22\) \(failed\)\s+16s/)
      expect(table.stdout).toMatch(/ {2}▾ Run npm test \(failed\)\s+5s\s+9\s+3\s+10-18/)
      expect(table.stdout).toMatch(/ {2}▾ Set up job\s+4s/)
      const step = await runCli(['get', job, '--section', 'Run npm test', '--level', 'error', ...store()], {env: env()})
      expect(step.stdout.split('\n').map((line) => line.split('\t')[2])).toEqual([
        '2026-06-21T05:35:03.0000000Z FAIL src/app.test.js',
        '2026-06-21T05:35:05.0000000Z npm error code 1',
        '2026-06-21T05:35:05.1000000Z ##[error]Process completed with exit code 1.',
        undefined,
      ])
      // Text output shows a group behind the columns as a header, as it does behind a timestamp.
      const text = (await runCli(['get', job, '--section', 'Run npm test', ...store()], {env: env()})).stdout
      expect(text.split('\n').slice(0, 2)).toEqual([`▾ Run npm test`, `${test}\tRun npm test\t2026-06-21T05:35:01.0000100Z npm test`])
      const archived = await runCli(['archive', '--job', job, ...store()], {env: env()})
      expect(archived.code, archived.stderr).toBe(0)
      expect(await sectionsOf()).toEqual(sections)
      expect((await runCli(['get', job, '--section', 'Run npm test', ...store()], {env: env()})).stdout).toBe(text)
    })

    it("a job pushed twice: the second push numbers its groups after the first push's, so --section NAME picks one", async () => {
      const push = async (input: string) => expect((await runCli(['push', '--job', 'twice', ...store()], {env: env(), input})).code).toBe(0)
      await push('::group::Build\nbuilding\n::endgroup::\n::group::Test\ntesting\n::endgroup::\n')
      await push('::group::Build again\nrebuilding\n::endgroup::\n')
      const report = JSON.parse((await runCli(['sections', 'twice', '--json', ...store()], {env: env()})).stdout)
      expect(report.sections.map((s: any) => [s.name, s.title, s.firstSeq])).toEqual([
        ['github-1', 'Build', 1],
        ['github-2', 'Test', 4],
        ['github-3', 'Build again', 7],
      ])
      expect((await runCli(['get', 'twice', '--section', 'github-1', ...store()], {env: env()})).stdout).toBe('▾ Build\nbuilding\n▴\n')
    })

    it('phase and progress from JSON lines, in ls --json and the ls table; bad values ignored', async () => {
      const input = '::group::Deploy\n{"phase":"migrate","progress":60}\n{"progress":250}\n{"progress":"abc"}\nmigrating\n'
      await runCli(['push', '--job', 'deploy', ...store()], {env: env(), input})
      const metas = JSON.parse((await runCli(['ls', '--json', ...store()], {env: env()})).stdout)
      expect(metas.find((m: any) => m.id === 'deploy')).toMatchObject({phase: 'migrate', progress: 60})
      const table = await runCli(['ls', ...store()], {env: env()})
      expect(table.stdout).toMatch(/deploy .* migrate 60%/)
    })
  })
}

describe('the relay', () => {
  it('GET /v1/jobs/:id/sections', async () => {
    await runCli(['push', '--job', 'relay-gitlab'], {env: env(), input: fixture('gitlab.log')})
    const relay = await startServeCli(['--host', '127.0.0.1'], env())
    try {
      const response = await fetch(`${relay.url}/v1/jobs/relay-gitlab/sections`)
      expect(response.status).toBe(200)
      const body = (await response.json()) as {job: string; sections: Array<{name: string}>}
      expect(body.job).toBe('relay-gitlab')
      expect(body.sections.map((s) => s.name)).toEqual(['prepare', 'fetch', 'script'])
      expect((await fetch(`${relay.url}/v1/jobs/nope/sections`)).status).toBe(404)
    } finally {
      await stopServeCli(relay)
    }
  })
})

describe('push --url', () => {
  it('the relay records the sections, phase and progress of lines pushed through it', async () => {
    const relay = await startServeCli(['--host', '127.0.0.1'], env())
    const client = tempHome()
    const remote = isolatedEnv(client.home, {LOGS_URL: relay.url})
    try {
      const pushed = await runCli(['push', '--job', 'url-gitlab', '--exit-code', '1'], {env: remote, input: fixture('gitlab.log')})
      expect(pushed.code).toBe(0)
      for (const where of [remote, env()]) {
        const report = JSON.parse((await runCli(['sections', 'url-gitlab', '--json'], {env: where})).stdout)
        expect(report.sections.map((s: any) => [s.name, s.depth, s.firstSeq, s.lastSeq, s.collapsed ?? false, s.failed ?? false])).toEqual([
          ['prepare', 0, 1, 6, true, false],
          ['fetch', 1, 3, 5, false, false],
          ['script', 0, 7, 9, false, true],
        ])
      }
      const one = await runCli(['get', 'url-gitlab', '--section', 'fetch'], {env: remote})
      expect(one.stdout).toBe('▾ Fetching sources\ngit fetch\n▴ fetch\n')

      const input = '::group::Deploy\n{"phase":"migrate","progress":60}\n{"progress":250}\nmigrating\n'
      expect((await runCli(['push', '--job', 'url-deploy'], {env: remote, input})).code).toBe(0)
      const metas = JSON.parse((await runCli(['ls', '--json'], {env: remote})).stdout)
      expect(metas.find((m: any) => m.id === 'url-deploy')).toMatchObject({phase: 'migrate', progress: 60})
      expect(JSON.parse((await runCli(['sections', 'url-deploy', '--json'], {env: remote})).stdout).sections).toMatchObject([{title: 'Deploy', lines: 4}])
    } finally {
      await stopServeCli(relay)
      client.cleanup()
    }
  })
})

describe('SSE status events', () => {
  it("a running job's phase and progress reach the relay's followers as status events when they change", async () => {
    const relay = await startServeCli(['--host', '127.0.0.1'], env())
    const pusher = startCli(['push', '--job', 'live-phase'], {env: env()})
    const pushed = collect(pusher)
    try {
      pusher.stdin!.write('::group::Deploy\n')
      const stream = openRawStream(`${relay.url}/v1/jobs/live-phase/logs/stream`)
      await waitUntil(() => stream.events().some((e) => e.event === 'log'), {what: 'the first line'})
      pusher.stdin!.write('{"phase":"migrate","progress":60}\n')
      const status = await waitUntil(() => stream.events().find((e) => e.event === 'status' && JSON.parse(e.data).phase === 'migrate'), {what: 'a status event with the phase'})
      expect(JSON.parse(status.data)).toMatchObject({phase: 'migrate', progress: 60, status: 'running'})
      stream.close()
    } finally {
      pusher.stdin!.end()
      await pushed
      await stopServeCli(relay)
    }
  })
})
