import {describe, expect, it} from 'vitest'
import {IngestOrder} from '../../../src/lib/relay/ingest-order.js'

/** 'went' if `turn` lets the request go before the event loop turns, 'waits' otherwise. */
const goesAtOnce = (turn: Promise<void>) => Promise.race([turn.then(() => 'went'), new Promise((resolve) => setImmediate(() => resolve('waits')))])

describe('IngestOrder (pipelined requests of one writer)', () => {
  it('holds a request whose predecessor has not arrived yet until that one arrives and finishes', async () => {
    const order = new IngestOrder()
    const steps: string[] = []
    const second = order.turn('job', 'w', 10).then(() => steps.push('second appends'))
    expect(await goesAtOnce(order.turn('job', 'w', 10))).toBe('waits')
    const done = order.start('job', 'w', 10)
    expect(await goesAtOnce(order.turn('job', 'w', 10))).toBe('waits')
    steps.push('first appended')
    done(true)
    await second
    expect(steps).toEqual(['first appended', 'second appends'])
  })

  it('lets a request go at once after its predecessor completed here, or when it is the first (after 0)', async () => {
    const order = new IngestOrder()
    expect(await goesAtOnce(order.turn('job', 'w', 0))).toBe('went')
    order.start('job', 'w', 10)(true)
    expect(await goesAtOnce(order.turn('job', 'w', 10))).toBe('went')
    // Another writer, or a predecessor that failed, is not a completed predecessor.
    expect(await goesAtOnce(order.turn('job', 'other', 10))).toBe('waits')
    order.start('job', 'w', 20)(false)
    expect(await goesAtOnce(order.turn('job', 'w', 20))).toBe('waits')
  })
})
