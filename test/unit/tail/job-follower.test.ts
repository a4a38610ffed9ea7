/**
 * followJob, one job of `logs tail`, over a real embedded file store: what the viewer is
 * told of the job's metadata when the job starts while the tail is starting.
 */
import {describe, expect, it} from 'vitest'
import {useTempFileStore} from '../../helpers/temp-file-store.js'
import {newEntry} from '../../../src/lib/entry.js'
import {Jobs} from '../../../src/lib/store/jobs.js'
import {followJob} from '../../../src/lib/tail/job-follower.js'
import type {TailEvent} from '../../../src/lib/tail/types.js'

const store = useTempFileStore('job-follower')

describe('followJob', () => {
  it("a job that starts between the tail's first look and its follow: its phase and open section are still sent", async () => {
    const job = 'appears'
    const section = {name: 'deploy', title: 'Deploy', family: 'github' as const, depth: 0, firstSeq: 1, lastSeq: 1, start: 1, lines: 1, levels: {}}
    const events: TailEvent[] = []
    await followJob({
      jobs: new Jobs({live: store()}),
      job,
      backlog: 10,
      follow: true,
      retry: false,
      signal: new AbortController().signal,
      emit: async (event) => {
        events.push(event)
        // The viewer is drawing its first screen (no job yet) while push starts the job and records its phase.
        if (event.type === 'job') {
          await store().startJob(job)
          await store().append(job, [newEntry(Buffer.from('::group::Deploy'), true, Date.now())])
          await store().updateJob(job, {phase: 'migrate', progress: 60, sections: [section]})
        }
        // The follow has made its first look: the job ends, its phase unchanged.
        if (event.type === 'entries') await store().endJob(job, {status: 'succeeded', exitCode: 0})
      },
    })
    expect(events[0]).toMatchObject({type: 'job', meta: undefined})
    // Before the end: a viewer shows the phase and the section running while the job runs.
    const beforeEnd = events.slice(0, -1)
    expect(beforeEnd.find((e) => e.type === 'meta')).toMatchObject({meta: {status: 'running', phase: 'migrate', progress: 60, sections: [{title: 'Deploy'}]}})
    expect(events.at(-1)).toMatchObject({type: 'end', meta: {status: 'succeeded'}})
  })
})
