import {describe, expect, it} from 'vitest'
import {newEntry, type NewEntry} from '../../../src/lib/entry.js'
import {BatchWriter} from '../../../src/lib/ingest/batch-writer.js'

const lines = (...texts: string[]) => texts.map((text) => newEntry(Buffer.from(text), true, 1))
const texts = (entries: NewEntry[]) => entries.map((e) => e.bytes.toString())

describe('BatchWriter', () => {
  it('appends what arrived while an append was in flight as one batch, in order, without changing the arrays it was given', async () => {
    const batches: NewEntry[][] = []
    let release = () => {}
    const sink = {
      append: async (batch: NewEntry[]) => {
        batches.push(batch)
        if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve))
      },
    }
    const writer = new BatchWriter(sink)
    const first = lines('a')
    const second = lines('b', 'c')
    const third = lines('d')
    const done = [writer.add(first), writer.add(second), writer.add(third)]
    release()
    await Promise.all(done)
    expect(batches.map(texts)).toEqual([['a'], ['b', 'c', 'd']])
    expect([texts(first), texts(second), texts(third)]).toEqual([['a'], ['b', 'c'], ['d']])
  })
})
