import {LogsError, StoreUnavailableError} from '../errors/index.js'
import type {StoreRecipe} from '../store/recipe.js'
import type {ContinuedRun} from '../job.js'
import type {LiveStore} from '../store/types.js'
import {DirectJobWriter, type JobWriter} from './job-writer.js'
import {OpeningJobWriter} from './opening-job-writer.js'
import {SpooledJobWriter, watchingOutages, type SpooledWriterOptions} from './spooled-job-writer.js'
import {startShipThread} from './ship-thread.js'

export type WriterOptions = Omit<SpooledWriterOptions, 'labels' | 'continues' | 'findArchivedRun'> & {
  labels?: Record<string, string>
  /** The archived run a job new to the store continues (open/open-jobs.ts archivedRunFinder); never throws. */
  findArchivedRun?: (store: LiveStore, job: string) => Promise<ContinuedRun | undefined>
}

/** What push and run need to write a job: the job, how to open its store, how to write to it. */
export interface JobTarget extends WriterOptions {
  job: string
  /** Opens the store; called once, when capture starts. */
  openStore: () => Promise<LiveStore>
  /** The store's URL without secrets, for the message when it never opens. */
  storeName?: string
  /**
   * The store is on this machine (file://): it opens in milliseconds, so capture waits for
   * it instead of holding lines in memory, which would only widen what a kill -9 can lose.
   */
  localStore?: boolean
  /**
   * How the store opens on another thread (Redis), known from its URL: push's shipping thread
   * then starts with capture, and loads the store's client and connects while the store and
   * the spool open here (a thread's start-up is ~0.1 s).
   */
  recipe?: StoreRecipe
}

/** A local store is written directly; any other store gets a local spool in front of it. */
export async function openJobWriter(store: LiveStore, job: string, options: WriterOptions): Promise<JobWriter> {
  try {
    const continues = await options.findArchivedRun?.(store, job)
    const findArchivedRun = options.findArchivedRun && (() => options.findArchivedRun!(store, job))
    if (store.local) return await DirectJobWriter.open(store, job, {labels: options.labels, continues}, findArchivedRun)
    return await SpooledJobWriter.open(store, job, {...options, continues, findArchivedRun})
  } catch (error) {
    throw error instanceof LogsError ? error : new StoreUnavailableError(store.name, (error as Error).message, error)
  }
}

/**
 * Starts opening the store and the job's writer, and returns at once a writer capture can
 * add to meanwhile (opening-job-writer.ts); `close` closes the store once opened.
 */
export function startJobWriter(job: JobTarget): {writer: OpeningJobWriter; close: () => Promise<void>} {
  // The thread and the writer see the same outage events, so the writer's drain timeout can name the outage.
  const target = watchingOutages(job)
  const store = target.openStore()
  const thread = target.recipe ? startShipThread(target.recipe, target) : undefined
  const writer = new OpeningJobWriter(
    store.then(async (opened) => openJobWriter(opened, target.job, {...target, thread: await thread})),
    {openTimeout: target.drainTimeout, storeName: target.storeName, maxHeldBytes: target.localStore ? 0 : undefined},
  )
  let opened: LiveStore | undefined
  store.then((live) => (opened = live)).catch(() => undefined)
  return {
    writer,
    // A store still opening (one that never answers) is closed if it ever opens, not waited for.
    close: async () => {
      await writer.close()
      // Unused when the store or the spool failed to open; else closed with the writer already.
      await (await thread)?.close()
      if (opened) await opened.close()
      else void store.then((live) => live.close()).catch(() => undefined)
    },
  }
}
