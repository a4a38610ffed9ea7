import type {RetryPolicy} from '../../src/lib/store/retry.js'

/** The retry policy for tests that make a backend fail for good: a few quick retries, then the error. */
export const QUICK_RETRY: RetryPolicy = {baseMs: 10, capMs: 50, budgetMs: 500}
