/**
 * FollowHub: keeps one JobFeed per followed job and forgets it when nobody follows any
 * more. A feed lingers briefly after its last follower leaves so that reconnecting
 * clients (EventSource retries, page reloads) reuse the running reader.
 */
import type {Jobs} from '../store/jobs.js'
import {JobFeed} from './job-feed.js'

export interface FeedLease {
  feed: JobFeed
  /** Gives the lease back; the feed stops after the linger time when no lease is left. */
  release(): void
}

export class FollowHub {
  private readonly feeds = new Map<string, {feed: JobFeed; leases: number; linger?: NodeJS.Timeout}>()
  private followers = 0

  constructor(
    private readonly jobs: Jobs,
    private readonly lingerMs: number,
  ) {}

  /** Followers connected (leases held), for limits and /metrics. */
  get clients(): number {
    return this.followers
  }

  /** Jobs with a running reader. */
  get readers(): number {
    let n = 0
    for (const {feed} of this.feeds.values()) if (feed.state === 'running' || feed.state === 'starting') n++
    return n
  }

  /** Followers per job with a feed, for /metrics. */
  followersByJob(): Map<string, number> {
    const byJob = new Map<string, number>()
    for (const [jobId, {leases}] of this.feeds) if (leases > 0) byJob.set(jobId, leases)
    return byJob
  }

  /**
   * A lease on the job's feed. A feed it starts reads through `jobs` (the request's snapshot,
   * store/jobs.ts): one reader of one job, it keeps that snapshot while it runs, as a
   * reading command does, and it sees a job deleted or archived again under it (archive/blob-archive.ts).
   */
  lease(jobId: string, jobs: Jobs = this.jobs): FeedLease {
    let slot = this.feeds.get(jobId)
    if (!slot) {
      const feed = new JobFeed(jobId, jobs, (stopped) => this.forget(stopped))
      slot = {feed, leases: 0}
      this.feeds.set(jobId, slot)
    }
    if (slot.linger) {
      clearTimeout(slot.linger)
      slot.linger = undefined
    }
    slot.leases++
    this.followers++
    const held = slot
    let released = false
    return {
      feed: held.feed,
      release: () => {
        if (released) return
        released = true
        this.followers--
        held.leases--
        if (held.leases === 0 && this.feeds.get(jobId) === held) {
          held.linger = setTimeout(() => this.close(jobId, held.feed), this.lingerMs)
          held.linger.unref()
        }
      },
    }
  }

  /** Stops every reader (shutdown). */
  stopAll(): void {
    for (const [jobId, {feed, linger}] of this.feeds) {
      clearTimeout(linger)
      feed.stop()
      this.feeds.delete(jobId)
    }
  }

  private close(jobId: string, feed: JobFeed): void {
    const slot = this.feeds.get(jobId)
    if (!slot || slot.feed !== feed || slot.leases > 0) return
    this.feeds.delete(jobId)
    feed.stop()
  }

  /** A feed that ended or failed is not reused: the next follower starts a fresh one. */
  private forget(feed: JobFeed): void {
    const slot = this.feeds.get(feed.jobId)
    if (slot?.feed !== feed) return
    clearTimeout(slot.linger)
    this.feeds.delete(feed.jobId)
  }
}
