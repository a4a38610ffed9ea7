import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {idleTimeout} from '../../../src/lib/ingest/idle-timeout.js'

describe('idleTimeout (--drain-timeout)', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('fires once the time passes without progress', () => {
    const onIdle = vi.fn()
    idleTimeout(1000, () => 0, onIdle)
    vi.advanceTimersByTime(999)
    expect(onIdle).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(onIdle).toHaveBeenCalledTimes(1)
  })

  it('counts from the last progress: a delivery that keeps making progress is waited for', () => {
    const onIdle = vi.fn()
    let progress = 0
    idleTimeout(1000, () => progress, onIdle)
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(600)
      progress = Date.now()
    }
    expect(onIdle).not.toHaveBeenCalled()
    vi.advanceTimersByTime(999)
    expect(onIdle).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(onIdle).toHaveBeenCalledTimes(1)
  })

  it('does not fire once cancelled', () => {
    const onIdle = vi.fn()
    const cancel = idleTimeout(1000, () => 0, onIdle)
    cancel()
    vi.advanceTimersByTime(5000)
    expect(onIdle).not.toHaveBeenCalled()
  })
})
