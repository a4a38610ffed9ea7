/**
 * JobFeed, the relay's one reader of a job, over a real embedded file store: the status
 * events its subscribers get when the job starts while the feed is starting.
 */
import {describe, expect, it} from 'vitest'
import {useTempFileStore} from '../../helpers/temp-file-store.js'
import {newEntry} from '../../../src/lib/entry.js'
import type {JobMeta} from '../../../src/lib/job.js'
import {JobFeed} from '../../../src/lib/relay/job-feed.js'
import {Jobs} from '../../../src/lib/store/jobs.js'

const store = useTempFileStore('job-feed')

describe('JobFeed', () => {
  it("a job that starts, with its phase, between the feed's first look and its follow: one status event for it, not two", async () => {
    const job = 'appears'
    const jobs = new Jobs({live: store()})
    // The feed's first look finds no job; push starts it and records its phase right after.
    const getJob = jobs.getJob.bind(jobs)
    let looked = false
    jobs.getJob = async (id) => {
      const meta = await getJob(id)
      if (!looked) {
        looked = true
        await store().startJob(job)
        await store().append(job, [newEntry(Buffer.from('::group::Deploy'), true, Date.now())])
        await store().updateJob(job, {phase: 'Deploy'})
      }
      return meta
    }
    const statuses: JobMeta[] = []
    let lines = 0
    let ended!: (meta: JobMeta) => void
    const end = new Promise<JobMeta>((resolve) => (ended = resolve))
    const feed = new JobFeed(job, jobs, () => {})
    feed.attach({
      entries: (batch) => {
        lines += batch.entries.length
        // Ended once the follow has looked at the job: its phase unchanged since.
        if (lines === 1) void store().endJob(job, {status: 'succeeded', exitCode: 0})
      },
      status: (meta) => statuses.push(meta),
      end: ended,
      fail: (error) => ended(Promise.reject(error) as never),
    })
    expect(await end).toMatchObject({status: 'succeeded', phase: 'Deploy'})
    expect(statuses.map((meta) => [meta.status, meta.phase])).toEqual([['running', 'Deploy']])
  })
})
