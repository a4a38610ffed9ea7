/**
 * The storage core's two roles (DESIGN.md): a live store for running and recent jobs,
 * and an archive holding one object per finished job. Backends are chosen by URL
 * (see ./open.ts); commands never know which one they talk to.
 */
import type {StoreRecipe} from './recipe.js'
import type {RetryPolicy} from './retry.js'
import type {LogEntry, NewEntry} from '../entry.js'
import type {LineBatch} from '../line-batch.js'
import type {ContinuedRun, JobMeta, JobStatus} from '../job.js'
import type {LabelSelector} from '../label-selector.js'
import type {LineMatcher} from '../line-match.js'
import type {Pattern} from '../pattern.js'
import type {Level} from '../level.js'
import type {ArchiveReadError, DamagedManifestError} from '../errors/index.js'
import type {PackedEntries} from './packed-entries.js'

export interface StartJobInit {
  labels?: Record<string, string>
  continues?: ContinuedRun
}

/** A range of a job's entries. All bounds are optional and combine. */
export interface ReadRange {
  /** Entries with seq > after. */
  after?: number
  /** Entries with seq < before. */
  before?: number
  /** Entries with ts >= since (ms). */
  since?: number
  /** Entries with ts < until (ms). */
  until?: number
  /** Only the last N entries of the range (read from the end, not by scanning). */
  tail?: number
  /** Only the first N entries of the range. */
  limit?: number
  /**
   * A hint, not a filter: the store may leave out entries whose line cannot match this
   * pattern (the file store searches blocks for its required literal). Callers still filter.
   * Not combined with tail or limit.
   */
  match?: Pattern
  /**
   * A hint like `match`: the store may leave out entries whose level is not one of these
   * (an indexed archive skips blocks without them). Callers still filter.
   */
  levels?: Level[]
  /**
   * A hint like `levels`: only entries whose seq lies in one of these inclusive ranges are
   * wanted (`get --section`); an indexed archive fetches only the blocks that hold some.
   */
  seqRanges?: Array<[number, number]>
  /** Told about a recoverable problem met while reading (e.g. an archive index that had to be ignored). */
  onWarning?: (message: string) => void
  /**
   * Told about each part of an archived job that could not be read (a damaged block) as
   * soon as it is met, instead of an ArchiveReadError at the end of the read: for a caller
   * that may stop reading before the end (`--head N`, a merge of jobs) and must still say
   * what was left out before that point.
   */
  onUnreadable?: (error: ArchiveReadError) => void
  signal?: AbortSignal
}

/** A range that maps onto consecutive sequence numbers, so its bytes can be copied as stored. */
export type RawRange = Pick<ReadRange, 'after' | 'tail' | 'limit' | 'signal' | 'onUnreadable'>

/** A range whose lines are picked one by one (readRawMatching): `limit` counts the lines taken. */
export type RawMatchRange = Pick<ReadRange, 'after' | 'since' | 'until' | 'limit' | 'signal'>

/** The stored bytes of some lines of a range, newlines included, back to back: what `--output raw` writes of them. */
export interface MatchedBlock {
  /** Sequence numbers of the first and last line in `bytes`. */
  first: number
  last: number
  /** Lines in `bytes`. */
  count: number
  bytes: Buffer
  /** A line in `bytes` has no newline (a piece of a split line, or the job's last line): text output may print it otherwise. */
  partial: boolean
}

/** The exact bytes of entries first..last, newlines included: what `--output raw` writes. */
export interface RawBlock {
  first: number
  last: number
  bytes: Buffer
  /** The entries the bytes were encoded from, where the block was made of entries (an archived job's). */
  entries?: LogEntry[]
}

/**
 * A RawBlock that can also be read as its entries (a reader that copies what it can, and
 * decodes the rest). Its lines are entries first..last, or those of them a filter took.
 */
export interface StoredBlock extends Omit<RawBlock, 'entries'> {
  entries(): AsyncIterable<LogEntry> | Iterable<LogEntry>
  /** Lines a filter took, one of which has no newline: the next line printed may not be its next piece, so only its entries say how it prints. */
  partial?: boolean
}

/**
 * A run of a job's entries as the store keeps them, not decoded (`readStored`); decoded by
 * decodeStored (./stored-entries.ts) on any thread: the archive does it on worker threads.
 */
export type StoredEntries = StoredLogBlock | StoredChunks

/** `file`: a block of the file store's log bytes and index records (file/job-log.ts LogBlock). */
export interface StoredLogBlock {
  kind: 'file'
  /** Sequence number of the first entry. */
  from: number
  count: number
  index: Buffer
  data: Buffer
  start: number
}

/** `redis`: consecutive chunks of Redis stream entries (redis/codec.ts), their `i` and `d` fields each back to back. */
export interface StoredChunks {
  kind: 'redis'
  index: Buffer
  data: Buffer
  /** Per chunk: the seq of its last line, where its index ends in `index` and its data in `data`. */
  chunks: Float64Array
}

/** What an archive stores a job from: entries one by one, in batches, or as the live store keeps them. */
export type ArchiveItem = LogEntry | LogEntry[] | StoredEntries

export type FollowEvent =
  | {type: 'entries'; entries: LogEntry[]}
  /** Status, phase, progress or sections changed (store/follow-loop.ts); not sent for an append alone. */
  | {type: 'meta'; meta: JobMeta}
  /** The job ended and every entry has been delivered; the iterator then finishes. */
  | {type: 'end'; meta: JobMeta}

export interface FollowOptions {
  /** Deliver entries with seq > after (0 = from the start). */
  after: number
  signal?: AbortSignal
  /** Wait for a job that does not exist yet instead of failing (default true). */
  waitForJob?: boolean
  /**
   * The metadata the follower read before following (tail, the relay's feed): a first look
   * that differs from it is a `meta` event, so a change between the two reads is not lost.
   * Without it (the job did not exist yet, or the follower did not look), the first look is
   * compared with a new job's: a phase or a section recorded already is a `meta` event.
   */
  known?: JobMeta
  /** Told when the store has answered this follow's first look at the job (resumed-follow.ts: a follow answering long enough is not an outage). */
  answered?: () => void
  /** Told when the store stops answering and the follow waits to follow again (true, with the failure), and when it answers again (false). */
  onWaiting?: (waiting: boolean, error?: Error) => void
}

/**
 * Identifies one batch of one writer so that a retried append (after a timeout or a
 * crash) is applied once. `writer` is stable for a spool; `batch` only grows.
 */
export interface AppendToken {
  writer: string
  batch: number
  /**
   * The token of this writer's previous batch (0 before its first). When set, the store
   * applies the batch only if that is the last batch it applied for the writer, and
   * refuses it otherwise (OutOfOrderError): batches sent without waiting for each other
   * land in order or not at all, so a failed one is never skipped by its successors.
   */
  after?: number
}

export interface AppendResult {
  /** Sequence numbers given to the batch: first..last (inclusive); 0..-1 for an empty batch. */
  first: number
  last: number
  /** True when the token showed this batch had been applied already (nothing was written). */
  duplicate?: boolean
}

export interface JobFilter {
  status?: JobStatus
  prefix?: string
  /** `-l`: applied by Jobs.listJobs over every store (stores may ignore it). */
  selector?: LabelSelector
  /** An archived job whose manifest is damaged: left out of the listing and handed here; without it, the listing fails with it. */
  onDamaged?: (error: DamagedManifestError) => void
}

export interface LiveStore {
  /** For messages: the URL with any secret removed. */
  readonly name: string
  /**
   * True when the store keeps appended entries on this machine's disk (file store):
   * push then needs no spool in front of it.
   */
  readonly local: boolean
  /**
   * For stores that write one object per append (object stores): how long push gathers
   * lines before an append (ms). Undefined: append as soon as lines arrive.
   */
  readonly batchInterval?: number
  /** False when updateJob is refused (the relay client): push then records no sections, phase or progress — the relay records them itself. */
  readonly metadataWritable?: boolean
  /** How another thread opens this store again (recipe.ts): push then ships its spool from a thread of its own. */
  readonly recipe?: StoreRecipe
  /** How long a follow waits for this store once it stops answering (`?retry-for=` on a relay or Redis URL); else retry.ts's default. */
  readonly followRetry?: RetryPolicy
  /** Optional: load the client and connect ahead of the first command (a shipping thread while its spool is made). Never fails: the first command reports what it would. */
  warmUp?(): Promise<void>

  /**
   * Creates the job, or marks an existing one running again (pushing to a job appends).
   * `continues`: the archived run a job created now continues (job.ts); ignored for a job
   * that exists, and by stores that continue an archived run themselves (object stores).
   */
  startJob(id: string, init?: StartJobInit): Promise<JobMeta>
  /**
   * Appends a batch atomically: gapless sequence numbers even with concurrent writers. Once
   * it resolved, the batch's memory may be used again (push's shipper reads the next batch
   * into it): a store keeps no view of it.
   */
  append(id: string, entries: NewEntry[], token?: AppendToken): Promise<AppendResult>
  /** Optional: append the lines of batches as columns (line-batch.ts), for a local store that writes them as they are: push's appends, no object per line. The same rule for their memory. */
  appendBatches?(id: string, batches: readonly LineBatch[]): Promise<AppendResult>
  /**
   * Optional: append a batch packed for shipping (packed-entries.ts), for stores that send those bytes as they are; the same rule for its memory.
   * `onProgress`: called as the store takes parts of a big batch (an object store's chunk), so that push's --drain-timeout counts from it.
   */
  appendPacked?(id: string, packed: PackedEntries, token?: AppendToken, options?: {onProgress?: () => void}): Promise<AppendResult>
  /** Appends push may keep in flight at once, each token naming its predecessor (`after`); 1 when unset. */
  readonly appendWindow?: number
  /** Bytes of lines push puts in one append when a backlog has built up (one object per append is costly); 1 MiB when unset. */
  readonly maxBatchBytes?: number
  /** `onProgress`: called as long work towards the end goes on (an object store assembling the job's object), so that push's --drain-timeout counts from it. */
  endJob(id: string, end: {status: JobStatus; exitCode?: number}, options?: {onProgress?: () => void}): Promise<JobMeta>
  /** Merges fields into the metadata (archive location, abandoned status, structure); a field given as undefined is removed. */
  updateJob(id: string, patch: Partial<Omit<JobMeta, 'id'>>): Promise<JobMeta>

  getJob(id: string): Promise<JobMeta | undefined>
  listJobs(filter?: JobFilter): Promise<JobMeta[]>

  read(id: string, range?: ReadRange): AsyncIterable<LogEntry>
  /** Optional: `read` in the batches the store reads them in (archive: spares a step per entry of a big job). */
  readBatches?(id: string, range?: ReadRange): AsyncIterable<LogEntry[]>
  /** Optional: all of a job's entries as stored, not decoded (archive: decoded on worker threads). */
  readStored?(id: string): AsyncIterable<StoredEntries>
  /** Optional: the stored bytes of a range without decoding entries (stores that keep lines as bytes). */
  readRaw?(id: string, range: RawRange): AsyncIterable<RawBlock>
  /** Optional: the stored bytes of the lines of a range that `matcher` takes, picked on their bytes without decoding entries. */
  readRawMatching?(id: string, range: RawMatchRange, matcher: LineMatcher): AsyncIterable<MatchedBlock>
  /** History after `after`, then new entries as they come; blocks, never polls where the backend can block. */
  follow(id: string, options: FollowOptions): AsyncIterable<FollowEvent>

  deleteJob(id: string): Promise<void>
  /**
   * For a store that fronts others (the relay): remove the job wherever it lives behind
   * it and say where that was. Jobs.remove uses it instead of deleteJob when present.
   */
  removeJob?(id: string, options: {dryRun: boolean}): Promise<RemovedFrom[] | undefined>
  close(): Promise<void>
}

/** One place a job was removed from (`logs rm`, relay DELETE): the live store, or the archive's object and manifest. */
export interface RemovedFrom {
  store: 'live' | 'archive'
  /** The store's name, or the archived object's URL; never a secret. */
  url: string
}

/** What an archive holds about one job besides its entries. */
export interface ArchivedJob {
  meta: JobMeta
  /** Where the object is (for messages and metadata). */
  url: string
  /** Size of the stored (compressed) object in bytes. */
  size: number
  /** sha256 of the uncompressed NDJSON content. */
  sha256: string
}

export interface ArchiveStore {
  readonly name: string
  /**
   * Streams the entries (one by one, in batches, or as stored) into the job's object, verifies what was stored, and returns where it went.
   * `keep`: the job's archived object holds its lines 1..keep (a run the entries continue): they stay in front, as stored.
   */
  put(meta: JobMeta, entries: AsyncIterable<ArchiveItem>, options?: {keep?: number}): Promise<ArchivedJob>
  /** `fresh`: the manifest as stored now, not one a reader's snapshot remembers (which it then replaces). */
  head(id: string, options?: {fresh?: boolean}): Promise<ArchivedJob | undefined>
  read(id: string, range?: ReadRange): AsyncIterable<LogEntry>
  /** `read` in the batches the archive reads them in (a block's entries). */
  readBatches(id: string, range?: ReadRange): AsyncIterable<LogEntry[]>
  list(filter?: JobFilter): Promise<ArchivedJob[]>
  /** The jobs' objects, manifests and catalog entries: nothing of them is left. */
  delete(ids: string[]): Promise<void>
  /**
   * Of these archived jobs, those whose stored token filters prove no line holds the
   * pattern's required literal (a cross-job --grep skips them without a request per job).
   */
  ruledOut?(jobs: JobMeta[], pattern: Pattern): Promise<Set<string>>
  /** Records jobs this store has just archived in its catalog, so listings need no request per job. */
  recordArchived?(ids: string[]): Promise<void>
  /**
   * A view for one request of a long-running server: each job's manifest read at most once
   * by the view (head, then read), never longer than the view lives. Closing it closes
   * nothing of this store.
   */
  snapshot(): ArchiveStore
  close(): Promise<void>
}

/** What a store is opened as: the URL of one names it in its errors. */
export type StoreRole = 'live store' | 'archive'

/** What a backend's opener gets besides its URL. */
export interface OpenContext {
  /** Where the URL came from, for error messages (`--store`, `LOGS_STORE`, …). */
  from: string
  /** What the URL names, for error messages. */
  what: StoreRole
  env: NodeJS.ProcessEnv
  /** Opened by a reader (get, ls, tail, sections): the store must not write (no directory created, no index pruned). */
  readOnly?: boolean
  /**
   * Opened by a command that writes jobs into it (archive, push, recover): a backend that
   * creates a missing bucket (Supabase) does so at its first request, a read included. For
   * every other command a missing bucket is an error.
   */
  createsBucket?: boolean
}
