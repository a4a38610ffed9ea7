/**
 * The feed behind `logs tail`, over a real embedded file store in a temp dir: merging
 * several jobs, glob pickup, the viewer's retry after a store error (no entry lost or
 * doubled), and the exit status.
 */
import {describe, expect, it} from 'vitest'
import {useTempFileStore} from '../../helpers/temp-file-store.js'
import {newEntry} from '../../../src/lib/entry.js'
import {Jobs} from '../../../src/lib/store/jobs.js'
import type {JobMeta} from '../../../src/lib/job.js'
import type {FollowEvent, FollowOptions, LiveStore} from '../../../src/lib/store/types.js'
import {describeEnd, tailExitCode} from '../../../src/lib/tail/exit-code.js'
import {TailFeed} from '../../../src/lib/tail/tail-feed.js'
import {parseTargets} from '../../../src/lib/job-targets.js'
import type {TailEvent} from '../../../src/lib/tail/types.js'

const store = useTempFileStore('tail-feed')

async function append(job: string, ...lines: string[]): Promise<void> {
  await store().append(
    job,
    lines.map((line) => newEntry(Buffer.from(line), true, Date.now())),
  )
}

/** Collects the feed's lines as `job:line` until it ends. */
async function drain(feed: TailFeed, onEvent?: (event: TailEvent) => Promise<void> | void): Promise<{lines: string[]; events: TailEvent[]}> {
  const lines: string[] = []
  const events: TailEvent[] = []
  for await (const event of feed) {
    events.push(event)
    if (event.type === 'entries') for (const entry of event.entries) lines.push(`${event.job}:${entry.line}`)
    await onEvent?.(event)
  }
  return {lines, events}
}

/** The file store(), except that the first follow fails after one batch, as a dropped connection would. */
function flakyOnce(live: LiveStore): LiveStore {
  let failed = false
  return Object.assign(Object.create(live) as LiveStore, {
    async *follow(id: string, options: FollowOptions): AsyncIterable<FollowEvent> {
      for await (const event of live.follow(id, options)) {
        yield event
        if (!failed && event.type === 'entries') {
          failed = true
          throw new Error('connection reset')
        }
      }
    },
  })
}

describe('TailFeed', () => {
  it('merges several jobs in arrival order and ends when all have ended', async () => {
    await store().startJob('m-a')
    await store().startJob('m-b')
    await append('m-a', 'a1')
    const feed = new TailFeed({jobs: new Jobs({live: store()}), targets: parseTargets(['m-a', 'm-b']), backlog: 10, follow: true, retry: false, untilAllEnded: true})
    let step = 0
    const {lines, events} = await drain(feed, async (event) => {
      if (event.type !== 'entries' && event.type !== 'job') return
      step++
      if (step === 3) {
        await append('m-b', 'b1')
        await append('m-a', 'a2')
        await store().endJob('m-a', {status: 'succeeded', exitCode: 0})
        await store().endJob('m-b', {status: 'failed', exitCode: 4})
      }
    })
    expect(lines).toContain('m-a:a1')
    expect(lines.filter((l) => l.startsWith('m-a'))).toEqual(['m-a:a1', 'm-a:a2'])
    expect(lines.filter((l) => l.startsWith('m-b'))).toEqual(['m-b:b1'])
    const ended = events.filter((e) => e.type === 'end').map((e) => (e as {meta?: JobMeta}).meta)
    expect(tailExitCode(ended)).toBe(4)
    expect(describeEnd(ended.find((m) => m?.id === 'm-b'))).toBe('failed (exit 4)')
  })

  it('a glob skips jobs that had ended, and picks up one that starts later', async () => {
    await store().startJob('g-old')
    await append('g-old', 'old')
    await store().endJob('g-old', {status: 'succeeded', exitCode: 0})
    await store().startJob('g-1')
    await append('g-1', 'one')
    const feed = new TailFeed({
      jobs: new Jobs({live: store()}),
      targets: parseTargets(['g-*']),
      backlog: 10,
      follow: true,
      retry: false,
      untilAllEnded: true,
      globMinInterval: 20,
      globMaxInterval: 50,
    })
    const {lines} = await drain(feed, async (event) => {
      if (event.type === 'entries' && event.job === 'g-1') {
        await store().startJob('g-2')
        await append('g-2', 'two')
        await store().endJob('g-2', {status: 'succeeded', exitCode: 0})
      }
      if (event.type === 'entries' && event.job === 'g-2') await store().endJob('g-1', {status: 'succeeded', exitCode: 0})
    })
    expect(lines).toEqual(['g-1:one', 'g-2:two'])
  })

  it('with retry, a failed follow resumes after the last entry: none lost, none doubled', async () => {
    await store().startJob('r-1')
    await append('r-1', 'x1', 'x2')
    const jobs = new Jobs({live: flakyOnce(store())})
    const feed = new TailFeed({jobs, targets: parseTargets(['r-1']), backlog: 0, follow: true, retry: true, untilAllEnded: true})
    const {lines, events} = await drain(feed, async (event) => {
      // x3 arrives, then the connection drops; x4 is written while it is down.
      if (event.type === 'job') await append('r-1', 'x3')
      if (event.type === 'state' && event.state === 'reconnecting') {
        await append('r-1', 'x4')
        await store().endJob('r-1', {status: 'succeeded', exitCode: 0})
      }
    })
    expect(events.filter((e) => e.type === 'state').map((e) => (e as {state: string}).state)).toEqual(['reconnecting', 'live'])
    // backlog 0: x1 and x2 existed before; the follow started after them.
    expect(lines).toEqual(['r-1:x3', 'r-1:x4'])
  })

  it.each([
    ['--no-follow', false],
    ['get -f (history)', true],
  ])('a job a glob listed but deleted before it is read (%s) is left out, the others go on; a named one still fails', async (_, follow) => {
    const prefix = `v${follow ? 'f' : 'n'}`
    for (const id of [`${prefix}-1`, `${prefix}-2`]) {
      await store().startJob(id)
      await append(id, `${id} line`)
      await store().endJob(id, {status: 'succeeded', exitCode: 0})
    }
    // `logs gc` runs between the glob's listing and the reads.
    const live = Object.assign(Object.create(store()) as LiveStore, {
      async listJobs(...args: Parameters<LiveStore['listJobs']>) {
        const listed = await store().listJobs(...args)
        if (listed.some((meta) => meta.id === `${prefix}-1`)) await store().deleteJob(`${prefix}-1`)
        return listed
      },
    })
    const options = {jobs: new Jobs({live}), backlog: 10, follow, history: follow, retry: false, untilAllEnded: true}
    const {lines, events} = await drain(new TailFeed({...options, targets: parseTargets([`${prefix}-*`])}))
    expect(lines).toEqual([`${prefix}-2:${prefix}-2 line`])
    const gone = events.filter((e) => e.type === 'end' && e.gone !== undefined)
    expect(gone.map((e) => [e.job, (e as {gone: string}).gone])).toEqual([[`${prefix}-1`, expect.stringMatching(new RegExp(`job ${prefix}-1 not found`))]])
    await expect(drain(new TailFeed({...options, follow: false, targets: parseTargets([`${prefix}-1`, `${prefix}-2`])}))).rejects.toThrow(`job ${prefix}-1 not found`)
  })

  it('a followed live job deleted (logs rm) under the feed: a glob leaves it out and goes on, a named one fails with "was deleted"', async () => {
    for (const id of ['lg-1', 'lg-2']) {
      await store().startJob(id)
      await append(id, `${id} a`)
    }
    const options = {jobs: new Jobs({live: store()}), backlog: 10, follow: true, retry: false, untilAllEnded: true, globMinInterval: 20, globMaxInterval: 50}
    const removed = new Set<string>()
    const {lines, events} = await drain(new TailFeed({...options, targets: parseTargets(['lg-*'])}), async (event) => {
      if (event.type === 'entries' && event.job === 'lg-1' && !removed.has('lg-1')) {
        removed.add('lg-1')
        await store().deleteJob('lg-1')
      }
      if (event.type === 'end' && event.job === 'lg-1') {
        await append('lg-2', 'lg-2 b')
        await store().endJob('lg-2', {status: 'succeeded', exitCode: 0})
      }
    })
    expect(lines.filter((l) => l.startsWith('lg-2'))).toEqual(['lg-2:lg-2 a', 'lg-2:lg-2 b'])
    expect(events.find((e) => e.type === 'end' && e.job === 'lg-1')).toMatchObject({gone: expect.stringMatching(/^job lg-1 was deleted from /)})

    await store().startJob('ln-1')
    await append('ln-1', 'n a')
    const named = drain(new TailFeed({...options, targets: parseTargets(['ln-1'])}), async (event) => {
      if (event.type === 'entries') await store().deleteJob('ln-1')
    })
    await expect(named).rejects.toThrow(/^job ln-1 was deleted from .* while it was being read/)
  })

  it('without retry, a store error ends the feed with that error', async () => {
    await store().startJob('e-1')
    const feed = new TailFeed({jobs: new Jobs({live: flakyOnce(store())}), targets: parseTargets(['e-1']), backlog: 0, follow: true, retry: false, untilAllEnded: true})
    await expect(
      drain(feed, async (event) => {
        if (event.type === 'job') await append('e-1', 'y1')
      }),
    ).rejects.toThrow('connection reset')
  })
})
