/**
 * The JobWriter capture starts with, before its store is open: push and run read, tee,
 * cut and mask from the first byte while the store (a backend to import, a job to start,
 * a spool to create) opens beside them, so a slow store never delays the job's output.
 *
 *   capture ──add──▶ held in memory (≤ maxHeldBytes) ──once open──▶ the store's JobWriter
 *
 * Past the bound, add() waits for the opening: memory stays bounded, reading pauses. If
 * the opening fails, every add() fails with its error; capture goes on teeing to EOF and
 * the caller reports `openFailure`. Held lines are not on disk yet: a kill -9 during the
 * opening loses at most the bound (the opening of a spool or a file store is local).
 * At the end (flush, finish) the opening is waited for at most `openTimeout` (push's
 * --drain-timeout): a store that never opens (a credentials endpoint that never answers)
 * fails push with a message saying how many held lines were not stored, not a hang.
 */
import type {NewEntry} from '../entry.js'
import {LineBatch} from '../line-batch.js'
import {StoreUnavailableError} from '../errors/index.js'
import {formatDuration, timerDelay} from '../time.js'
import {addBatch, type JobEnd, type JobWriter} from './job-writer.js'

/**
 * Lines held while the store opens; past this, reading waits for it. Held lines outlive the
 * young generation: a pipe read at full speed held 4 MiB of them as ~18 MB of heap (push
 * into Redis, measured), and holding more would not open the store any sooner.
 */
const MAX_HELD_BYTES = 1024 * 1024

export class OpeningJobWriter implements JobWriter {
  /** Why the store could not be opened, once that is known. */
  openFailure: Error | undefined
  private writer: JobWriter | undefined
  private held: LineBatch[] = []
  private heldBytes = 0
  private readonly ready: Promise<JobWriter>
  /** The store is open and the held lines are being handed over: hold no more. */
  private draining = false

  constructor(
    opening: Promise<JobWriter>,
    private readonly options: {maxHeldBytes?: number; openTimeout?: number; storeName?: string} = {},
  ) {
    this.ready = opening.then(
      async (writer) => {
        // In order: what capture added while the store opened; later adds wait for this.
        this.draining = true
        for (let batch = this.held.shift(); batch; batch = this.held.shift()) await addBatch(writer, batch)
        this.heldBytes = 0
        this.writer = writer
        return writer
      },
      (error: Error) => {
        this.openFailure = error
        this.held = []
        throw error
      },
    )
    // Reported through add(), finish() or openFailure; until then it must not count as unhandled.
    this.ready.catch(() => undefined)
  }

  async add(entries: NewEntry[]): Promise<void> {
    if (this.writer) return this.writer.add(entries)
    return this.addBatch(LineBatch.of(entries))
  }

  async addBatch(batch: LineBatch): Promise<void> {
    if (this.writer) return addBatch(this.writer, batch)
    if (this.openFailure) throw this.openFailure
    if (!this.draining && this.heldBytes < (this.options.maxHeldBytes ?? MAX_HELD_BYTES)) {
      // Copied: the lines point into the read, which the next read overwrites (input-chunks.ts).
      const held = batch.detach()
      this.held.push(held)
      for (let i = 0; i < held.length; i++) this.heldBytes += held.byteLength(i)
      return
    }
    await addBatch(await this.ready, batch)
  }

  async flush(): Promise<void> {
    await (await this.opened()).flush()
  }

  async finish(end: JobEnd): Promise<void> {
    await (await this.opened()).finish(end)
  }

  /** Closes the store's writer once open; one still opening is closed when (if ever) it opens, not waited for. */
  async close(): Promise<void> {
    if (this.writer) await this.writer.close()
    else void this.ready.then((writer) => writer.close()).catch(() => undefined)
  }

  private async opened(): Promise<JobWriter> {
    const {openTimeout, storeName = 'the store'} = this.options
    if (this.writer || openTimeout === undefined) return this.ready
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const lines = this.held.reduce((sum, batch) => sum + batch.length, 0)
        reject(
          new StoreUnavailableError(
            storeName,
            `it did not open within the drain timeout (${formatDuration(openTimeout)}); ${lines} line${lines === 1 ? '' : 's'} read meanwhile could not be stored`,
          ),
        )
      }, timerDelay(openTimeout))
    })
    try {
      return await Promise.race([this.ready, timedOut])
    } finally {
      clearTimeout(timer)
    }
  }
}
