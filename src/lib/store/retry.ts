/**
 * The one retry policy of the tool: exponential backoff with full jitter, capped per
 * wait, bounded in total time, honouring a server's retry hint (Retry-After). Every
 * object-store request, archive lock, manifest and follower of an object-store job
 * retries through it; what counts as transient is decided once, by the caller's
 * `classify` (for object stores: ./object/failure.ts).
 *
 *   attempt ─fails─▶ classify ─permanent─▶ throw at once
 *                        └─transient─▶ wait min(cap, base·2ⁿ)·random (≥ the hint) ─▶ attempt
 *   … until the budget (total time since the first failure) would be exceeded: throw the last error.
 *
 * A store's requests share one clock of its failures (`Outage`, through the store's policy:
 * `ofOneStore`): the budget is counted from the first failure of the store's current run of
 * failures, not of each request's, and any success ends the run. So a command whose reads
 * come one after another (or are retried again by a caller) gives up on a store that stopped
 * answering within the bound, instead of waiting it out once per request; once the store has
 * failed for the whole bound, a further request is tried once and fails at once.
 */
import {setTimeout as sleep} from 'node:timers/promises'
import {stopRequested} from '../interrupt.js'
import {parseDuration} from '../time.js'

export interface RetryPolicy {
  /** First wait's upper bound. */
  baseMs: number
  /** No single wait longer than this (unless a server hint asks for more, within the budget). */
  capMs: number
  /** Give up once this long has passed since the first failure of a run of failures. */
  budgetMs: number
  /** The store's current run of failures, shared by all its requests (see `ofOneStore`). */
  outage?: Outage
}

/** When a store's current run of failures began (undefined while it answers). */
export class Outage {
  private since: number | undefined

  /** A failure at `now`: when the run it belongs to began. */
  failed(now: number): number {
    this.since ??= now
    return this.since
  }

  answered(): void {
    this.since = undefined
  }
}

/** The policy for one store's requests: a copy of `policy` with its own Outage. */
export function ofOneStore(policy: RetryPolicy): RetryPolicy {
  return {...policy, outage: new Outage()}
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {baseMs: 100, capMs: 5000, budgetMs: 60_000}

/**
 * `?retry-for=90s` on an object-store or relay URL: how long transient failures are retried
 * (a follow waits for a relay that stopped answering) before a command gives up (default 60 s).
 */
export function retryPolicyOf(url: URL, from: string): RetryPolicy {
  const text = url.searchParams.get('retry-for')
  if (text === null) return DEFAULT_RETRY_POLICY
  return {...DEFAULT_RETRY_POLICY, budgetMs: parseDuration(text, `retry-for in ${from}`)}
}

let retries = 0

/** Retries waited for in this process, through any Backoff (the relay's /metrics shows it). */
export function retriesSoFar(): number {
  return retries
}

/** How a failure should be handled: undefined = permanent; else transient, with the server's hint if any. */
export type Classify = (error: unknown) => {retryAfterMs?: number} | undefined

export interface BackoffOptions {
  policy?: RetryPolicy
  classify: Classify
  /** Ends the retries; without one, they end when a signal asks the command to stop (../interrupt.ts). */
  signal?: AbortSignal
  clock?: () => number
  random?: () => number
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Told before each wait (progress, logs). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void
}

/**
 * The state of one run of retries. Loops that cannot be wrapped in a function (a follower
 * polling a job) call `retryAfter(error)` on each failure and `reset()` after each success.
 */
export class Backoff {
  private readonly policy: RetryPolicy
  private readonly signal: AbortSignal
  private failures = 0
  private firstFailureAt: number | undefined

  constructor(private readonly options: BackoffOptions) {
    this.policy = options.policy ?? DEFAULT_RETRY_POLICY
    this.signal = options.signal ?? stopRequested()
  }

  /** Waits before the next attempt; rethrows `error` when it is permanent or the budget is spent. */
  async retryAfter(error: unknown): Promise<void> {
    const delay = this.delayFor(error)
    if (delay === undefined) throw error
    retries++
    this.options.onRetry?.(error, this.failures, delay)
    await (this.options.wait ?? defaultWait)(delay, this.signal)
    this.signal.throwIfAborted()
  }

  /** After a success: the store answers again. */
  reset(): void {
    this.failures = 0
    this.firstFailureAt = undefined
    this.policy.outage?.answered()
  }

  /** The wait before the next attempt, or undefined when the error must be thrown. */
  delayFor(error: unknown): number | undefined {
    if (this.signal.aborted) return undefined
    const transient = this.options.classify(error)
    if (!transient) return undefined
    const now = (this.options.clock ?? Date.now)()
    this.firstFailureAt ??= this.policy.outage?.failed(now) ?? now
    const {baseMs, capMs, budgetMs} = this.policy
    const jittered = Math.min(capMs, baseMs * 2 ** Math.min(this.failures, 30)) * (this.options.random ?? Math.random)()
    const delay = Math.max(jittered, transient.retryAfterMs ?? 0)
    this.failures++
    if (now + delay - this.firstFailureAt > budgetMs) return undefined
    return Math.round(delay)
  }
}

/** Runs `attempt` until it succeeds, fails permanently, or the policy's budget is spent. */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, options: BackoffOptions): Promise<T> {
  const backoff = new Backoff(options)
  for (let n = 0; ; n++) {
    try {
      const result = await attempt(n)
      backoff.reset()
      return result
    } catch (error) {
      await backoff.retryAfter(error)
    }
  }
}

/** A `Retry-After` header value (seconds or an HTTP date) in ms, or undefined. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

async function defaultWait(ms: number, signal?: AbortSignal): Promise<void> {
  await sleep(ms, undefined, {signal}).catch(() => undefined)
}
