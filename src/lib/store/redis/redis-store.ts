/**
 * The Redis live store (`redis://`, `rediss://`, `redis+cluster://`): one stream per job
 * for its lines, a hash for its metadata, a sorted set indexing jobs (see keys.ts).
 *
 *   append ──► logsAppend script (seq range, XADD of chunks, counts, writer token) ─┐
 *   endJob ──► logsEnd script (status, end marker in the stream, TTL)               ├─► Redis
 *   update ──► logsUpdate script (fields, metadata marker in the stream)            │
 *   follow ──► XREAD BLOCK on its own connection (follow.ts) ◄────────────────┘
 *   read   ──► XRANGE / XREVRANGE from a sequence number (read.ts)
 */
import {JobDeletedError, JobNotFoundError, OutOfOrderError} from '../../errors/index.js'
import type {LogEntry, NewEntry} from '../../entry.js'
import {checkJobId} from '../../job-id.js'
import {isEnded, type JobMeta, type JobStatus} from '../../job.js'
import type {AppendResult, AppendToken, FollowEvent, RawBlock, RawRange, FollowOptions, JobFilter, LiveStore, ReadRange, OpenContext, StartJobInit, StoredChunks} from '../types.js'
import {guarded, storeError, WRITER_DEADLINE_MS, type Connection, type RedisClient} from './failures.js'
import {MOVE_CHECK_MS, RedisFollowSource} from './follow.js'
import {followLoop} from '../follow-loop.js'
import {packEntries, type PackedEntries} from '../packed-entries.js'
import {indexKey, jobKeys, type JobKeys} from './keys.js'
import {decodeMeta, encodePatch} from './meta.js'
import {readRawRange, readRange, readStoredChunks} from './read.js'
import {SCRIPTS, type ScriptCommands} from './scripts.js'
import {BufferPool} from '../buffer-pool.js'
import type * as PooledCommandModule from './pooled-command.js'
import {parseRedisUrl, type RedisTarget} from './url.js'
import {redisRecipe, type StoreRecipe} from '../recipe.js'
import type {RetryPolicy} from '../retry.js'

/** The job index is touched at most this often per job by appends (start/end always touch it). */
const INDEX_INTERVAL_MS = 1000
/** Appends push keeps in flight: enough to keep the connection busy while Redis runs the previous one. */
const APPEND_WINDOW = 4

export async function openRedisStore(url: URL, context: OpenContext): Promise<LiveStore> {
  return new RedisStore(parseRedisUrl(url, context.from, context.env), {readOnly: context.readOnly})
}

export class RedisStore implements LiveStore {
  readonly name: string
  readonly local = false
  /** Appends go down one connection in order, so several may be in flight (see AppendToken.after). */
  readonly appendWindow = APPEND_WINDOW
  readonly recipe: StoreRecipe
  /** `?retry-for=` on the URL: how long a follow waits for Redis once it stops answering (resumed-follow.ts, the one retry owner). */
  readonly followRetry: RetryPolicy
  /** Made on the first command: ioredis is loaded then (connection.ts), never by a store only opened. */
  private writer: Promise<Connection> | undefined
  private readonly followers = new Set<Connection>()
  private readonly indexTouched = new Map<string, number>()
  /** Memory of the appends in flight (pooled-command.ts): a window's worth, reused. */
  private readonly commandMemory = new BufferPool(APPEND_WINDOW + 1, 1024 * 1024 + 128 * 1024)

  /** `moveCheckMs`: how long an idle follower blocks before reading the metadata again (follow.ts). */
  constructor(
    private readonly target: RedisTarget,
    private readonly options: {moveCheckMs?: number; readOnly?: boolean} = {},
  ) {
    this.name = target.name
    this.recipe = redisRecipe(target)
    this.followRetry = target.followRetry
  }

  async warmUp(): Promise<void> {
    await Promise.all([loadPooled(), this.run((client) => client.ping())]).catch(() => undefined)
  }

  async startJob(id: string, init: StartJobInit = {}): Promise<JobMeta> {
    const keys = this.keys(id)
    const now = Date.now()
    const labels = init.labels && Object.keys(init.labels).length > 0 ? JSON.stringify(init.labels) : ''
    const raw = await this.run((client) => scripts(client).logsStart(keys.meta, keys.log, keys.writers, now, labels, init.continues ? JSON.stringify(init.continues) : ''))
    await this.touchIndex(id, now)
    return decodeMeta(id, raw)!
  }

  append(id: string, entries: NewEntry[], token?: AppendToken): Promise<AppendResult> {
    if (entries.length === 0) return Promise.resolve({first: 0, last: -1})
    return this.appendPacked(id, packEntries(entries), token)
  }

  async appendPacked(id: string, packed: PackedEntries, token?: AppendToken): Promise<AppendResult> {
    const keys = this.keys(id)
    if (packed.count === 0) return {first: 0, last: -1}
    const now = Date.now()
    const args = appendArgs(keys, packed, now, token, this.target.maxLines ?? 0)
    const [duplicate, first, last] = (await this.run((client) => this.evalAppend(client, args))) as [number, number, number]
    if (duplicate === -1) throw new JobNotFoundError(id, this.name)
    if (duplicate === -2) throw OutOfOrderError.of(this.name, token!, first)
    if (now - (this.indexTouched.get(id) ?? 0) >= INDEX_INTERVAL_MS) await this.touchIndex(id, now)
    return duplicate ? {first, last, duplicate: true} : {first, last}
  }

  async endJob(id: string, end: {status: JobStatus; exitCode?: number}): Promise<JobMeta> {
    const keys = this.keys(id)
    const now = Date.now()
    const raw = await this.run((client) => scripts(client).logsEnd(keys.meta, keys.log, keys.writers, end.status, end.exitCode ?? '', now, this.target.ttlMs))
    const meta = decodeMeta(id, raw)
    if (!meta) throw new JobNotFoundError(id, this.name)
    await this.touchIndex(id, now)
    return meta
  }

  async updateJob(id: string, patch: Partial<Omit<JobMeta, 'id'>>): Promise<JobMeta> {
    const current = await this.getJob(id)
    if (!current) throw new JobNotFoundError(id, this.name)
    if (patch.status && patch.status !== current.status) {
      if (isEnded(patch.status)) await this.endJob(id, {status: patch.status, exitCode: patch.exitCode ?? current.exitCode})
      else await this.startJob(id)
    }
    const fields = Object.entries(encodePatch(patch)).flat()
    const keys = this.keys(id)
    // Through a script that also marks the change in the stream, which wakes followers.
    if (fields.length > 0 && !(await this.run((client) => scripts(client).logsUpdate(keys.meta, keys.log, ...fields)))) throw new JobNotFoundError(id, this.name)
    await this.touchIndex(id, Date.now())
    return (await this.getJob(id))!
  }

  async getJob(id: string): Promise<JobMeta | undefined> {
    const keys = this.keys(id)
    return decodeMeta(id, await this.run((client) => client.hgetall(keys.meta)))
  }

  async listJobs(filter: JobFilter = {}): Promise<JobMeta[]> {
    const index = indexKey(this.target.prefix)
    return this.run(async (client) => {
      const ids = (await client.zrevrange(index, 0, -1)).filter((id) => !filter.prefix || id.startsWith(filter.prefix))
      const hashes = await Promise.all(ids.map((id) => client.hgetall(jobKeys(this.target.prefix, id).meta)))
      const jobs: JobMeta[] = []
      const expired: string[] = []
      ids.forEach((id, i) => {
        const meta = decodeMeta(id, hashes[i])
        if (!meta) expired.push(id)
        else if (!filter.status || meta.status === filter.status) jobs.push(meta)
      })
      // Their keys reached their TTL: writers prune them from the index; readers write nothing.
      if (expired.length > 0 && !this.options.readOnly) await client.zrem(index, ...expired)
      return jobs.sort((a, b) => b.updatedAt - a.updatedAt)
    })
  }

  async *read(id: string, range: ReadRange = {}): AsyncIterable<LogEntry> {
    const keys = this.keys(id)
    const writer = await this.connection()
    try {
      yield* readRange(writer.client, keys, range, () => new JobDeletedError(id, this.name))
    } catch (error) {
      throw range.signal?.aborted ? error : storeError(this.name, writer, error)
    }
  }

  /** Every line of the job as stored, in pages of stream entries (the archive decodes them on its worker threads). */
  async *readStored(id: string): AsyncIterable<StoredChunks> {
    const writer = await this.connection()
    try {
      yield* readStoredChunks(writer.client, this.keys(id))
    } catch (error) {
      throw storeError(this.name, writer, error)
    }
  }

  async *readRaw(id: string, range: RawRange): AsyncIterable<RawBlock> {
    const keys = this.keys(id)
    const writer = await this.connection()
    try {
      yield* readRawRange(writer.client, keys, range, () => new JobDeletedError(id, this.name))
    } catch (error) {
      throw range.signal?.aborted ? error : storeError(this.name, writer, error)
    }
  }

  follow(id: string, options: FollowOptions): AsyncIterable<FollowEvent> {
    return this.followJob(id, this.keys(id), options)
  }

  private async *followJob(id: string, keys: JobKeys, options: FollowOptions): AsyncIterable<FollowEvent> {
    const {connect} = await import('./connection.js')
    const connection = connect(this.target, 'follower')
    this.followers.add(connection)
    const source = new RedisFollowSource({
      id,
      keys,
      after: options.after,
      signal: options.signal,
      blockMs: this.options.moveCheckMs ?? MOVE_CHECK_MS,
      connection: {
        ...connection,
        close: async () => {
          this.followers.delete(connection)
          await connection.close()
        },
      },
      fail: (error) => storeError(this.name, connection, error),
      notFound: () => new JobNotFoundError(id, this.name),
    })
    yield* followLoop(source, options)
  }

  async deleteJob(id: string): Promise<void> {
    const keys = this.keys(id)
    await this.run((client) => client.del(keys.meta, keys.log, keys.writers))
    await this.run((client) => client.zrem(indexKey(this.target.prefix), id))
    this.indexTouched.delete(id)
  }

  async close(): Promise<void> {
    for (const follower of this.followers) await follower.close()
    await (await this.writer)?.close()
  }

  private keys(id: string): JobKeys {
    return jobKeys(this.target.prefix, checkJobId(id, 'job id'))
  }

  /** The append script, written into pooled memory (pooled-command.ts): a batch is a megabyte that lives for a round trip. */
  private async evalAppend(client: RedisClient, args: Array<string | number | Buffer>): Promise<unknown> {
    return (pooled ?? (await loadPooled())).evalPooled(client, SCRIPTS.logsAppend.lua, args, this.commandMemory)
  }

  private connection(): Promise<Connection> {
    this.writer ??= import('./connection.js').then(({connect}) => connect(this.target, 'writer'))
    return this.writer
  }

  private async run<T>(operation: (client: RedisClient) => Promise<T>): Promise<T> {
    const writer = await this.connection()
    return guarded(this.name, writer, () => operation(writer.client), WRITER_DEADLINE_MS)
  }

  private async touchIndex(id: string, now: number): Promise<void> {
    this.indexTouched.set(id, now)
    await this.run((client) => client.zadd(indexKey(this.target.prefix), 'GT', now, id))
  }
}

/** pooled-command.ts (it loads ioredis) once loaded: an append then goes without an import() of its own, a loader round trip per batch. */
let pooled: typeof PooledCommandModule | undefined

async function loadPooled(): Promise<typeof PooledCommandModule> {
  pooled ??= await import('./pooled-command.js')
  return pooled
}

/** The scripts as ioredis defines them on a client (connection.ts `scripts`). */
function scripts(client: RedisClient): ScriptCommands {
  return client as unknown as ScriptCommands
}

/** The append script's keys, then batch totals, then lineCount/index/data per chunk. */
function appendArgs(keys: JobKeys, packed: PackedEntries, now: number, token: AppendToken | undefined, maxLines: number): Array<string | number | Buffer> {
  const args: Array<string | number | Buffer> = [
    3,
    keys.meta,
    keys.log,
    keys.writers,
    token?.writer ?? '',
    token?.batch ?? 0,
    now,
    packed.count,
    packed.bytes,
    packed.minTs,
    packed.maxTs,
    packed.levels.join(','),
    maxLines,
    packed.firstTs,
    packed.ordered ? 1 : 0,
    packed.masked,
    token?.after ?? '',
  ]
  for (const chunk of packed.chunks) args.push(chunk.count, chunk.index, chunk.data)
  return args
}
