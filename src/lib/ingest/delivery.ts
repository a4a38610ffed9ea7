/**
 * Where a SpooledJobWriter hands what it spooled: the shippers that deliver a job's spools
 * (the spools earlier writers of the job left first, then this writer's own), on this
 * thread (ThreadDelivery) or on a worker thread of their own (worker-delivery.ts).
 */
import type {Shipper} from './shipper.js'

export interface Delivery {
  /** The own spool holds lines up to seq `last` now (its writer appended them): they are read back from it, packed. */
  spooledUpTo(last: number): void
  /** The own spool changed otherwise (its end). */
  notify(): void
  /** Deliver what the spools hold, then finish without ending the remote job (an interrupted push). */
  drainAndStop(): void
  /** Stop retrying (the caller gave up waiting); what is not delivered stays spooled. */
  stop(): void
  /** When the store last applied a batch or took a step of the job's end (idle-timeout.ts: --drain-timeout counts from it). */
  progressAt(): number
  /** True once every spool is delivered; false when stopped first; rejects with a failure retrying cannot help. */
  readonly done: Promise<boolean>
  /** Let go of what delivering holds (a thread); what is not delivered stays spooled. */
  close(): Promise<void>
}

/** When delivery last progressed: `mark` is the shippers' onDelivered. */
export class DeliveryProgress {
  at = Date.now()
  readonly mark = (): void => {
    this.at = Date.now()
  }
}

export class ThreadDelivery implements Delivery {
  readonly done: Promise<boolean>

  /** `orphans` have been told to drainAndStop; they run before `own`. All of them tell `progress` (their onDelivered). */
  constructor(
    private readonly orphans: Shipper[],
    private readonly own: Shipper,
    private readonly progress: DeliveryProgress,
  ) {
    this.done = (async () => {
      for (const orphan of orphans) await orphan.run()
      return own.run()
    })()
    // A failure is reported when the writer finishes; until then it must not count as unhandled.
    this.done.catch(() => undefined)
  }

  progressAt(): number {
    return this.progress.at
  }

  spooledUpTo(last: number): void {
    this.own.spooledUpTo(last)
  }

  notify(): void {
    this.own.notify()
  }

  drainAndStop(): void {
    this.own.drainAndStop()
  }

  stop(): void {
    for (const orphan of this.orphans) orphan.stop()
    this.own.stop()
  }

  async close(): Promise<void> {}
}
