/**
 * An archive opened on its first use, for the commands that only read. `get`, `tail` and
 * `sections` of a live job never touch the archive, and so never load its code (the
 * archive format, its bucket, zlib, crypto): a tenth of their start-up. The URL was
 * checked before (a bad one is exit 2 at once); the backend's own checks, such as
 * credentials, run when the archive is first needed.
 *
 * An archive that `absent` says holds nothing yet (a directory archive whose directory was
 * never made: nothing was ever archived there) answers list and head with nothing, without
 * opening: `ls` on a store that was never archived loads no archive code either. It is asked
 * at each call until the archive is open, so a job archived meanwhile is found.
 */
import {flattened} from '../batched.js'
import type {LogEntry} from '../entry.js'
import type {JobMeta} from '../job.js'
import type {Pattern} from '../pattern.js'
import type {ArchiveItem, ArchiveStore, ArchivedJob, JobFilter, ReadRange} from '../store/types.js'

export class LazyArchive implements ArchiveStore {
  private opening: Promise<ArchiveStore> | undefined
  private opened: ArchiveStore | undefined

  /** `name`: what the archive is called until it is open (then its own name). */
  constructor(
    private readonly open: () => Promise<ArchiveStore>,
    private readonly unopenedName: string,
    private readonly absent: () => boolean = () => false,
  ) {}

  get name(): string {
    return this.opened?.name ?? this.unopenedName
  }

  async put(meta: JobMeta, entries: AsyncIterable<ArchiveItem>, options?: {keep?: number}): Promise<ArchivedJob> {
    return (await this.archive()).put(meta, entries, options)
  }

  async head(id: string, options?: {fresh?: boolean}): Promise<ArchivedJob | undefined> {
    if (this.stillAbsent()) return undefined
    return (await this.archive()).head(id, options)
  }

  read(id: string, range?: ReadRange): AsyncIterable<LogEntry> {
    return flattened(this.readBatches(id, range))
  }

  async *readBatches(id: string, range?: ReadRange): AsyncIterable<LogEntry[]> {
    yield* (await this.archive()).readBatches(id, range)
  }

  async list(filter?: JobFilter): Promise<ArchivedJob[]> {
    if (this.stillAbsent()) return []
    return (await this.archive()).list(filter)
  }

  async delete(ids: string[]): Promise<void> {
    return (await this.archive()).delete(ids)
  }

  async ruledOut(jobs: JobMeta[], pattern: Pattern): Promise<Set<string>> {
    const archive = await this.archive()
    return archive.ruledOut ? archive.ruledOut(jobs, pattern) : new Set()
  }

  async recordArchived(ids: string[]): Promise<void> {
    await (await this.archive()).recordArchived?.(ids)
  }

  /** The opened archive's snapshot, opened with it. */
  snapshot(): ArchiveStore {
    return new LazyArchive(
      async () => (await this.archive()).snapshot(),
      this.unopenedName,
      () => this.stillAbsent(),
    )
  }

  async close(): Promise<void> {
    // An archive that failed to open has nothing to close; its error went to whoever used it.
    const archive = await this.opening?.catch(() => undefined)
    await archive?.close()
  }

  private stillAbsent(): boolean {
    return this.opening === undefined && this.absent()
  }

  private archive(): Promise<ArchiveStore> {
    this.opening ??= this.open().then((archive) => (this.opened = archive))
    return this.opening
  }
}
