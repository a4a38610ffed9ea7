/**
 * A follow that lives through a store that stops answering: on StoreUnavailableError it
 * follows again from the last entry it delivered, waiting as the one retry policy says
 * (retry.ts: about a minute without an answer, counted from the first failure), so no
 * entry is lost or delivered twice.
 *
 * The budget starts again on news (new entries, a changed status, the end), or when the
 * follow that failed had been answering (its first look at the job answered, or an event)
 * for longer than the longest wait between retries: an idle follower outlives outages
 * hours apart. A follow that answers with what
 * it said before and fails again at once is one outage: a relay that reports the job's
 * status on every reconnect and then fails would otherwise be followed for ever.
 *
 * It is the one retry owner of a follow: Redis's and the relay's follows have no retry of
 * their own (a failed command or a dropped stream ends them with StoreUnavailableError),
 * nor have the follow's own looks at the job on the way in and out (the live store's
 * metadata, the archive's), which use the store's fail-fast commands. Two owners would
 * give up after two budgets, or never.
 *
 * Giving up, the last failure is told with how long the store was waited for. `onWaiting`
 * is told when a wait begins and when the store answers again (the viewer's "reconnecting").
 */
import {StoreUnavailableError} from '../errors/index.js'
import type {JobMeta} from '../job.js'
import {formatDuration} from '../time.js'
import {Backoff, DEFAULT_RETRY_POLICY, type RetryPolicy} from './retry.js'
import {metaShape} from './follow-loop.js'
import type {FollowEvent, FollowOptions} from './types.js'

export async function* resumedFollow(
  followFrom: (options: FollowOptions) => AsyncIterable<FollowEvent>,
  options: FollowOptions,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  clock: () => number = Date.now,
): AsyncIterable<FollowEvent> {
  const {signal} = options
  const backoff = new Backoff({policy, signal, clock, classify: (error) => (error instanceof StoreUnavailableError ? {} : undefined)})
  let after = options.after
  let known: JobMeta | undefined = options.known
  let waiting = false
  for (;;) {
    let answeredAt: number | undefined
    const answered = () => {
      answeredAt ??= clock()
      if (!waiting) return
      waiting = false
      options.onWaiting?.(false)
    }
    try {
      for await (const event of followFrom({...options, after, known, answered})) {
        answered()
        if (event.type === 'entries') {
          if (event.entries.length === 0) continue
          // A store may hand over again what it had delivered before the failure.
          const fresh = event.entries[0].seq > after ? event.entries : event.entries.filter((entry) => entry.seq > after)
          if (fresh.length === 0) continue
          backoff.reset()
          after = fresh.at(-1)!.seq
          yield fresh === event.entries ? event : {type: 'entries', entries: fresh}
        } else {
          if (event.type === 'end' || !sameMeta(event.meta, known)) backoff.reset()
          known = event.meta
          yield event
          if (event.type === 'end') return
        }
      }
      return
    } catch (error) {
      if (signal?.aborted) return
      if (answeredAt !== undefined && clock() - answeredAt > policy.capMs) backoff.reset()
      if (error instanceof StoreUnavailableError && !waiting) {
        waiting = true
        options.onWaiting?.(true, error)
      }
      try {
        await backoff.retryAfter(error)
      } catch (failure) {
        if (signal?.aborted) return
        if (!(failure instanceof StoreUnavailableError)) throw failure
        throw new StoreUnavailableError(failure.where, `${failure.reason} (waited ${formatDuration(policy.budgetMs)} for an answer)`, failure)
      }
    }
  }
}

function sameMeta(meta: JobMeta, known: JobMeta | undefined): boolean {
  return known !== undefined && metaShape(meta) === metaShape(known)
}
