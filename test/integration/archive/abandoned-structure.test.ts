/**
 * `logs archive --idle` of a job whose push was killed inside its sections: the archived
 * job must not look like it still runs. Its open sections end at its last write (on the
 * clock of a GitLab section's own time) and its phase and progress are dropped; a job that ended normally keeps its structure as it was.
 * File stores only: no server is needed.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {JobMeta} from '../../../src/lib/job.js'
import type {SectionsReport} from '../../../src/lib/structure/job-sections.js'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {waitUntil} from '../../helpers/wait.js'

let home: {home: string; cleanup: () => void}

beforeAll(() => {
  home = tempHome()
})

afterAll(() => home?.cleanup())

const env = (): NodeJS.ProcessEnv => isolatedEnv(home.home)
const stores = (name: string): string[] => ['--store', `file://${home.home}/live-${name}`, '--archive', `file://${home.home}/archive-${name}`]

/** A closed GitHub group, then a GitLab section with a GitHub group open inside it, and a JSON line with a phase and a progress. */
function input(): string {
  const stamp = Math.floor(Date.now() / 1000) - 60
  return [
    '::group::Setup',
    'setting up',
    '::endgroup::',
    `\u001B[0Ksection_start:${stamp}:outer\r\u001B[0KOuter`,
    '::group::Build',
    'compiling',
    '{"phase":"compile","progress":40}',
    'more',
    '',
  ].join('\n')
}
const LINES = 8

async function listed(name: string, id: string): Promise<JobMeta> {
  const shown = await runCli(['ls', '--json', ...stores(name)], {env: env()})
  expect(shown.code, shown.stderr).toBe(0)
  const job = (JSON.parse(shown.stdout) as JobMeta[]).find((j) => j.id === id)
  expect(job, shown.stdout).toBeDefined()
  return job!
}

async function sections(name: string, id: string, ...args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
  return runCli(['sections', id, ...args, ...stores(name)], {env: env()})
}

/** When push read the line `seq` (its entry's time). */
async function readAt(name: string, seq: number): Promise<number> {
  const shown = await runCli(['get', name, '--output', 'json', '--after', String(seq - 1), '--head', '1', ...stores(name)], {env: env()})
  expect(shown.code, shown.stderr).toBe(0)
  return (JSON.parse(shown.stdout) as {ts: number}).ts
}

async function archive(name: string): Promise<void> {
  const result = await runCli(['archive', '--idle', '1ms', '--json', ...stores(name)], {env: env()})
  expect(result.code, result.stderr).toBe(0)
  expect(JSON.parse(result.stdout)).toMatchObject({archived: 1, failed: 0})
}

describe('archive --idle: the structure of an abandoned job', () => {
  it('closes its open sections at its last write and drops its phase and progress', async () => {
    const push = startCli(['push', '--job', 'killed', ...stores('killed')], {env: env()})
    const pushed = collect(push)
    push.stdin!.write(input())
    // Every line counted in the sections, and the phase written, before the writer goes.
    await waitUntil(
      async () => {
        const report = await sections('killed', 'killed', '--json')
        if (report.code !== 0) return false
        const {sections: found, phase} = JSON.parse(report.stdout) as SectionsReport
        return phase === 'compile' && found.length === 3 && found.every((s) => s.end !== undefined || s.lastSeq === LINES)
      },
      {what: 'the sections and phase recorded'},
    )
    push.kill('SIGKILL')
    expect((await pushed).signal).toBe('SIGKILL')
    const before = await listed('killed', 'killed')
    expect(before).toMatchObject({status: 'running', phase: 'compile', progress: 40, lines: LINES})
    expect(before.sections!.filter((s) => s.end === undefined).map((s) => s.title)).toEqual(['Outer', 'Build'])

    await archive('killed')

    const after = await listed('killed', 'killed')
    expect(after.location.kind).toBe('archived')
    expect(after.status).toBe('abandoned')
    expect(after.endedAt).toBe(before.updatedAt)
    // Before: the phase and progress of a running job, and sections open for ever ("running").
    expect(after).not.toHaveProperty('phase')
    expect(after).not.toHaveProperty('progress')
    const [setup, outer, build] = after.sections!
    expect(setup).toEqual(before.sections![0])
    // The GitHub group started when push read its line, and ends at the last write. The GitLab
    // section started at its marker's time, a minute before push read it, and ends on that clock.
    expect(build).toEqual({...before.sections![2], end: before.updatedAt, duration: before.updatedAt - build.start})
    const read = await readAt('killed', outer.firstSeq)
    expect(outer.start).toBeLessThan(read - 50_000)
    const end = before.updatedAt + (outer.start - read)
    expect(outer).toEqual({...before.sections![1], end, duration: end - outer.start})

    const report = await sections('killed', 'killed', '--json')
    expect(report.code, report.stderr).toBe(0)
    expect(JSON.parse(report.stdout)).toEqual({job: 'killed', sections: after.sections})
    const table = await sections('killed', 'killed')
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).not.toMatch(/running|phase|progress/)
    expect(table.stdout).toMatch(/Outer/)
  })

  it('leaves the structure of a job that ended as it was', async () => {
    const pushed = await runCli(['push', '--job', 'ended', '--exit-code', '0', ...stores('ended')], {env: env(), input: input()})
    expect(pushed.code, pushed.stderr).toBe(0)
    const before = await listed('ended', 'ended')
    expect(before).toMatchObject({status: 'succeeded', phase: 'compile', progress: 40})
    expect(before.sections!.every((s) => s.end !== undefined)).toBe(true)

    await archive('ended')

    const after = await listed('ended', 'ended')
    expect(after.location.kind).toBe('archived')
    const structure = ({status, endedAt, sections, phase, progress}: JobMeta) => ({status, endedAt, sections, phase, progress})
    expect(structure(after)).toEqual(structure(before))
  })
})
