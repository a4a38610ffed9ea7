/**
 * Jobs: what every reader (`get`, `tail`, `ls`, `serve`) asks for a job. It answers from
 * wherever the job lives now — the live store, the archive, or both across a move — so
 * callers never know which.
 */
import {JobNotFoundError} from './errors/index.js'
import type {LogEntry} from './entry.js'
import type {JobMeta} from './job.js'
import type {ArchiveStore, FollowEvent, FollowOptions, JobFilter, LiveStore, ReadRange} from './store/types.js'

export interface JobsOptions {
  live: LiveStore
  archive?: ArchiveStore
}

export class Jobs {
  readonly live: LiveStore
  readonly archive: ArchiveStore | undefined

  constructor({live, archive}: JobsOptions) {
    this.live = live
    this.archive = archive
  }

  async getJob(id: string): Promise<JobMeta | undefined> {
    const live = await this.live.getJob(id)
    if (live) return live
    return (await this.archive?.head(id))?.meta
  }

  async requireJob(id: string): Promise<JobMeta> {
    const meta = await this.getJob(id)
    if (!meta) throw new JobNotFoundError(id, this.archive ? `${this.live.name} or ${this.archive.name}` : this.live.name)
    return meta
  }

  async listJobs(filter?: JobFilter): Promise<JobMeta[]> {
    const live = await this.live.listJobs(filter)
    if (!this.archive) return live
    const seen = new Set(live.map((job) => job.id))
    const archived = (await this.archive.list(filter)).map((a) => a.meta).filter((meta) => !seen.has(meta.id))
    return [...live, ...archived].sort((a, b) => b.updatedAt - a.updatedAt)
  }

  async *read(id: string, range: ReadRange = {}): AsyncIterable<LogEntry> {
    const live = await this.live.getJob(id)
    if (live && live.location.kind === 'live') {
      yield* this.live.read(id, range)
      return
    }
    if (this.archive && (await this.archive.head(id))) {
      yield* this.archive.read(id, range)
      return
    }
    if (live) yield* this.live.read(id, range)
  }

  follow(id: string, options: FollowOptions): AsyncIterable<FollowEvent> {
    return this.live.follow(id, options)
  }

  async close(): Promise<void> {
    await Promise.all([this.live.close(), this.archive?.close()])
  }
}
