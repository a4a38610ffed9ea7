import {describe, expect, it} from 'vitest'
import {ObjectStoreError} from '../../src/lib/errors/index.js'
import {Backoff, ofOneStore, parseRetryAfter, withRetry, type RetryPolicy} from '../../src/lib/store/retry.js'
import {classifyForRetry, objectStoreFailure} from '../../src/lib/store/object/failure.js'

const POLICY: RetryPolicy = {baseMs: 100, capMs: 1000, budgetMs: 5000}
const BACKEND = {where: 's3://b/p', bucket: 'b', credentials: ['AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE']}

/** A fake clock that the waits advance: no real time passes. */
function fakeTime(): {clock: () => number; wait: (ms: number) => Promise<void>; waits: number[]} {
  let now = 0
  const waits: number[] = []
  return {clock: () => now, waits, wait: async (ms) => void (waits.push(ms), (now += ms))}
}

const transient = (retryAfterMs?: number) => new ObjectStoreError('unavailable', 'x', 'HTTP 502', undefined, {transient: true, retryAfterMs})

describe('retry policy', () => {
  it('backs off exponentially with full jitter, capped per wait', async () => {
    const time = fakeTime()
    const backoff = new Backoff({policy: {...POLICY, budgetMs: 60_000}, classify: classifyForRetry, random: () => 1, ...time})
    for (let i = 0; i < 6; i++) await backoff.retryAfter(transient())
    expect(time.waits).toEqual([100, 200, 400, 800, 1000, 1000])
    const half = fakeTime()
    const jittered = new Backoff({policy: POLICY, classify: classifyForRetry, random: () => 0.5, ...half})
    await jittered.retryAfter(transient())
    await jittered.retryAfter(transient())
    expect(half.waits).toEqual([50, 100])
  })

  it('waits at least what Retry-After asks', async () => {
    const time = fakeTime()
    const backoff = new Backoff({policy: POLICY, classify: classifyForRetry, random: () => 0, ...time})
    await backoff.retryAfter(transient(3000))
    await backoff.retryAfter(transient())
    expect(time.waits).toEqual([3000, 0])
  })

  it('gives up with the last error once the budget would be exceeded, and starts a new budget after a success', async () => {
    const time = fakeTime()
    let calls = 0
    const failure = await withRetry(
      async () => {
        calls++
        throw transient()
      },
      {policy: POLICY, classify: classifyForRetry, random: () => 1, ...time},
    ).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ObjectStoreError)
    expect(time.clock()).toBeLessThanOrEqual(POLICY.budgetMs)
    expect(calls).toBe(time.waits.length + 1)
    expect(calls).toBeGreaterThan(5)

    const backoff = new Backoff({policy: POLICY, classify: classifyForRetry, random: () => 1, ...fakeTime()})
    await expect(backoff.retryAfter(transient(6000))).rejects.toBeInstanceOf(ObjectStoreError) // the hint alone is past the budget
    backoff.reset()
    await backoff.retryAfter(transient(4000))
  })

  it("one store's requests share its run of failures: once it has failed for the budget, the next request fails at once; a success ends the run", async () => {
    const time = fakeTime()
    const policy = ofOneStore(POLICY)
    let calls = 0
    const failing = (): Promise<never> =>
      withRetry(
        async () => {
          calls++
          throw transient()
        },
        {policy, classify: classifyForRetry, random: () => 1, ...time},
      )
    await expect(failing()).rejects.toBeInstanceOf(ObjectStoreError)
    expect(time.clock()).toBeLessThanOrEqual(POLICY.budgetMs)
    // A second request within the run retries only until the run has lasted the budget.
    calls = 0
    await expect(failing()).rejects.toBeInstanceOf(ObjectStoreError)
    expect(time.clock()).toBeLessThanOrEqual(POLICY.budgetMs)
    await time.wait(1000)
    calls = 0
    await expect(failing()).rejects.toBeInstanceOf(ObjectStoreError)
    expect(calls).toBe(1)
    expect(await withRetry(async () => 'answered', {policy, classify: classifyForRetry, ...time})).toBe('answered')
    calls = 0
    await expect(failing()).rejects.toBeInstanceOf(ObjectStoreError)
    expect(calls).toBeGreaterThan(5)
    // Another store's policy has its own run.
    const other = new Backoff({policy: ofOneStore(POLICY), classify: classifyForRetry, ...time})
    expect(other.delayFor(transient())).toBeDefined()
  })

  it('throws a permanent error at once, without waiting', async () => {
    const time = fakeTime()
    let calls = 0
    const denied = new ObjectStoreError('unauthorized', 'x', 'access refused')
    await expect(
      withRetry(
        async () => {
          calls++
          throw denied
        },
        {policy: POLICY, classify: classifyForRetry, ...time},
      ),
    ).rejects.toBe(denied)
    expect([calls, time.waits.length]).toEqual([1, 0])
    await expect(
      withRetry(
        async () => {
          throw new TypeError('a bug')
        },
        {policy: POLICY, classify: classifyForRetry, ...time},
      ),
    ).rejects.toThrow('a bug')
    expect(time.waits).toEqual([])
  })

  it('reads Retry-After in seconds or as an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000)
    expect(parseRetryAfter(new Date(61_000).toUTCString(), 1000)).toBe(60_000)
    expect(parseRetryAfter('soon')).toBeUndefined()
    expect(parseRetryAfter(undefined)).toBeUndefined()
  })
})

describe('object-store error classification (one table for every backend)', () => {
  const cases: Array<[string, Parameters<typeof objectStoreFailure>[0], string, boolean]> = [
    ['502 from a gateway', {status: 502, message: 'Bad Gateway'}, 'unavailable', true],
    ['500 InternalError', {status: 500, code: 'InternalError', message: 'We encountered an internal error'}, 'unavailable', true],
    ['503 SlowDown', {status: 503, code: 'SlowDown', message: 'Reduce your request rate'}, 'unavailable', true],
    ['429 with a hint', {status: 429, message: 'Too Many Requests', retryAfterMs: 2000}, 'unavailable', true],
    ['connection refused', {code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9'}, 'unavailable', true],
    ['connection reset', {code: 'ECONNRESET', message: 'socket hang up'}, 'unavailable', true],
    ['a timeout', {code: 'TimeoutError', message: 'timed out'}, 'unavailable', true],
    ['unknown host', {code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND nowhere'}, 'unavailable', false],
    ['400 bad request', {status: 400, message: 'Bad Request'}, 'protocol', false],
    ['401', {status: 401, message: 'Unauthorized'}, 'unauthorized', false],
    ['403 AccessDenied', {status: 403, code: 'AccessDenied', message: 'Access Denied'}, 'unauthorized', false],
    ['InvalidAccessKeyId', {status: 403, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist'}, 'unauthorized', false],
    ['SignatureDoesNotMatch', {status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match'}, 'unauthorized', false],
    ['missing bucket', {status: 404, code: 'NoSuchBucket', message: 'The specified bucket does not exist'}, 'missing-bucket', false],
    ['missing bucket (Supabase: no code, its message)', {status: 404, message: 'Bucket not found'}, 'missing-bucket', false],
    ['413', {status: 413, code: 'EntityTooLarge', message: 'The object exceeded the maximum allowed size'}, 'too-large', false],
    ['InvalidKey', {status: 400, code: 'InvalidKey', message: 'Invalid key'}, 'protocol', false],
    ['missing object', {status: 404, code: 'NoSuchKey', message: 'Object not found'}, 'not-found', false],
    ['412 precondition', {status: 412, code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold'}, 'duplicate', false],
    ['501', {status: 501, code: 'NotImplemented', message: 'not implemented'}, 'unsupported', false],
  ]
  it.each(cases)('%s', (_name, facts, kind, isTransient) => {
    const failure = objectStoreFailure(facts, 'read k', BACKEND)
    expect([failure.kind, failure.transient]).toEqual([kind, isTransient])
    expect(failure.permanent).toBe(!isTransient && kind !== 'unavailable')
    expect(failure.retryAfterMs).toBe(facts.retryAfterMs)
    expect(failure.exitCode).toBe(1)
  })

  it('says that access was refused and names the variables to check', () => {
    const failure = objectStoreFailure({status: 403, code: 'SignatureDoesNotMatch', message: 'signature mismatch'}, 'read k', BACKEND)
    expect(failure.message).toMatch(/^s3:\/\/b\/p: access refused: cannot read k: .*check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \/ AWS_PROFILE/)
  })

  it('retries a body stream cut by the network (a raw ECONNRESET), nothing else that is not classified', () => {
    expect(classifyForRetry(Object.assign(new Error('aborted'), {code: 'ECONNRESET'}))).toEqual({})
    expect(classifyForRetry(new TypeError('fetch failed', {cause: Object.assign(new Error('other side closed'), {code: 'UND_ERR_SOCKET'})}))).toEqual({})
    expect(classifyForRetry(new Error('unexpected'))).toBeUndefined()
  })
})
