import {describe, expect, it} from 'vitest'
import {MinHeap} from '../../../src/lib/query/min-heap.js'

function numbers(count: number): number[] {
  let seed = 42
  return Array.from({length: count}, () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % 1000)
}

describe('MinHeap (the merge of many jobs)', () => {
  it('gives everything back smallest first', () => {
    const heap = new MinHeap<number>((a, b) => a < b)
    const all = numbers(2000)
    for (const value of all) heap.push(value)
    const out: number[] = []
    while (heap.size > 0) out.push(heap.pop()!)
    expect(out).toEqual([...all].sort((a, b) => a - b))
    expect(heap.pop()).toBeUndefined()
  })

  it('with pushes and pops interleaved, each pop is the smallest held at that moment', () => {
    const heap = new MinHeap<number>((a, b) => a < b)
    for (const [n, value] of numbers(2000).entries()) {
      heap.push(value)
      if (n % 3 !== 2) continue
      const smallest = Math.min(...heap.values())
      expect(heap.peek()).toBe(smallest)
      expect(heap.pop()).toBe(smallest)
    }
  })
})
