/**
 * RelayStore: the LiveStore interface over a relay's HTTP API (remote mode, `--url`).
 * Commands use it like any store; `local` is false, so push spools in front of it and
 * retries (an unreachable relay loses nothing), passing its AppendToken through as the
 * `Logs-Writer`/`Logs-Batch`/`Logs-After` headers so the store behind the relay applies a
 * retried batch once, and pipelined batches in order.
 */
import type {LogEntry, NewEntry} from '../../entry.js'
import {DamagedManifestError, JobNotFoundError, UsageError} from '../../errors/index.js'
import type {JobMeta, JobStatus} from '../../job.js'
import {formatSelector} from '../../label-selector.js'
import type {AppendResult, AppendToken, FollowEvent, FollowOptions, JobFilter, LiveStore, RawBlock, RawRange, ReadRange, RemovedFrom} from '../types.js'
import {CHUNK_FORMAT, encodeFrames} from '../chunk-frames.js'
import {packEntries, type PackedEntries} from '../packed-entries.js'
import {relayRecipe, type StoreRecipe} from '../recipe.js'
import {redactUrl} from '../url.js'
import {retryPolicyOf, type RetryPolicy} from '../retry.js'
import {followRelay, type FollowTuning} from './relay-follow.js'
import {relayRequest, type RelayEndpoint} from './relay-http.js'
import {readEntries, readRawBlocks} from './relay-read.js'

const APPEND_WINDOW = 3

export class RelayStore implements LiveStore {
  readonly name: string
  readonly local = false
  readonly metadataWritable = false
  /** Requests push keeps in flight, in order (Logs-After): the relay's round trips overlap. */
  readonly appendWindow = APPEND_WINDOW
  /** push ships its spool from a thread of its own: reading it back and the requests run beside capture, on the other core. */
  readonly recipe: StoreRecipe
  /** `?retry-for=` on the URL: how long `get`/`tail` wait for a relay that stopped answering, reading or following. */
  readonly followRetry: RetryPolicy
  private readonly endpoint: RelayEndpoint

  constructor(
    url: string,
    token?: string,
    private readonly tuning: FollowTuning = {},
  ) {
    const parsed = new URL(url)
    this.followRetry = retryPolicyOf(parsed, 'the relay URL')
    parsed.username = ''
    parsed.password = ''
    parsed.search = ''
    parsed.hash = ''
    const base = parsed.toString().replace(/\/+$/, '')
    this.name = `relay ${redactUrl(base)}`
    this.endpoint = {base, token, name: redactUrl(base), retry: this.followRetry}
    this.recipe = relayRecipe(url, token)
  }

  async startJob(id: string, init?: {labels?: Record<string, string>}): Promise<JobMeta> {
    const labels = Object.entries(init?.labels ?? {}).map(([key, value]) => `${key}=${value}`)
    const result = await relayRequest<{job?: JobMeta}>(this.endpoint, this.logsPath(id), {method: 'POST', query: {start: '1', label: labels}, body: ''})
    return result.job ?? (await this.requireJob(id))
  }

  append(id: string, entries: NewEntry[], token?: AppendToken): Promise<AppendResult> {
    return this.appendPacked(id, packEntries(entries), token)
  }

  async appendPacked(id: string, packed: PackedEntries, token?: AppendToken): Promise<AppendResult> {
    const headers: Record<string, string> = {'Content-Type': 'application/octet-stream'}
    if (token) {
      headers['Logs-Writer'] = token.writer
      headers['Logs-Batch'] = String(token.batch)
      if (token.after !== undefined) headers['Logs-After'] = String(token.after)
    }
    const body = encodeFrames(packed)
    const result = await relayRequest<AppendResult>(this.endpoint, this.logsPath(id), {method: 'POST', headers, body, query: {format: CHUNK_FORMAT}})
    return result.duplicate ? {first: result.first, last: result.last, duplicate: true} : {first: result.first, last: result.last}
  }

  async endJob(id: string, end: {status: JobStatus; exitCode?: number}): Promise<JobMeta> {
    const result = await relayRequest<{job?: JobMeta}>(this.endpoint, this.logsPath(id), {
      method: 'POST',
      query: {end: '1', status: end.status, 'exit-code': end.exitCode},
      body: '',
    })
    return result.job ?? (await this.requireJob(id))
  }

  async updateJob(): Promise<JobMeta> {
    throw new UsageError(`changing job metadata is not available through ${this.name}`, ['run archive and gc where the stores are, without --url'])
  }

  async deleteJob(id: string): Promise<void> {
    await relayRequest(this.endpoint, `/v1/jobs/${encodeURIComponent(id)}`, {method: 'DELETE', job: id})
  }

  /** The relay removes the job from every store behind it and says where it was. */
  async removeJob(id: string, {dryRun}: {dryRun: boolean}): Promise<RemovedFrom[] | undefined> {
    try {
      const result = await relayRequest<{from: RemovedFrom[]}>(this.endpoint, `/v1/jobs/${encodeURIComponent(id)}`, {
        method: 'DELETE',
        job: id,
        query: {'dry-run': dryRun ? '1' : undefined},
      })
      return result.from
    } catch (error) {
      if (error instanceof JobNotFoundError) return undefined
      throw error
    }
  }

  async getJob(id: string): Promise<JobMeta | undefined> {
    try {
      return wholeJob(await relayRequest<JobMeta>(this.endpoint, `/v1/jobs/${encodeURIComponent(id)}`, {job: id}))
    } catch (error) {
      if ((error as Error).name === 'JobNotFoundError') return undefined
      throw error
    }
  }

  /**
   * The relay's listing as it is, `continues` included (`ls --json` shows it, as against the
   * stores): a listing is joined to an archive only by a Jobs that has one, and the Jobs of
   * remote mode has none (open-jobs.ts), so it is never joined twice.
   */
  async listJobs(filter: JobFilter = {}): Promise<JobMeta[]> {
    const result = await relayRequest<{jobs: JobMeta[]; damaged?: Array<{job: string; message: string; suggestions?: string[]}>}>(this.endpoint, '/v1/jobs', {
      query: {status: filter.status, prefix: filter.prefix, labelSelector: filter.selector && formatSelector(filter.selector)},
    })
    // The archived jobs whose manifest is damaged, as a direct listing hands them on (or fails with the first).
    const damaged = (result.damaged ?? []).map(({job, message, suggestions}) => new DamagedManifestError(job, message, suggestions ?? []))
    if (damaged.length > 0 && !filter.onDamaged) throw damaged[0]
    for (const error of damaged) filter.onDamaged?.(error)
    return result.jobs
  }

  /**
   * One streamed answer of the relay (relay-read.ts), resumed where it was cut; the relay
   * applies the range's hints (`match`, `levels`), so a rare --grep does not carry the log.
   * A damaged archived block is told as a local read tells it: to `onUnreadable` as met,
   * else an ArchiveReadError after every entry.
   */
  async *read(id: string, range: ReadRange = {}): AsyncIterable<LogEntry> {
    for await (const batch of readEntries(this.endpoint, id, range)) for (const entry of batch) yield entry
  }

  /** The stored bytes as the relay's store keeps them (`get --output raw`): no entry decoded on either side. */
  readRaw(id: string, range: RawRange): AsyncIterable<RawBlock> {
    return readRawBlocks(this.endpoint, id, range)
  }

  follow(id: string, options: FollowOptions): AsyncIterable<FollowEvent> {
    return followRelay(this.endpoint, id, options, this.tuning)
  }

  async close(): Promise<void> {
    // Nothing held open: fetch keeps no connection we own, follows close with their iterators.
  }

  private logsPath(id: string): string {
    return `/v1/jobs/${encodeURIComponent(id)}/logs`
  }

  private async requireJob(id: string): Promise<JobMeta> {
    const meta = await this.getJob(id)
    if (!meta) throw new UsageError(`the relay at ${this.endpoint.name} did not keep job ${id}`)
    return meta
  }
}

/**
 * The relay's metadata and reads are of the whole job already — a job pushed again after it
 * was archived has its archived run's lines counted and numbered in (store/continued-job.ts,
 * on the relay). Its `continues` would have this side's Jobs join the runs a second time.
 */
function wholeJob(meta: JobMeta): JobMeta {
  if (!meta.continues) return meta
  const {continues: _joined, ...whole} = meta
  return whole
}

export function openRelayStore(url: string, token?: string): RelayStore {
  return new RelayStore(url, token)
}
