import {describe, expect, it} from 'vitest'
import {RecentSpans} from '../../src/lib/archive/recent-spans.js'

const bytes = (length: number, fill: number): Buffer => Buffer.alloc(length, fill)

describe('RecentSpans', () => {
  it('gives back bytes a kept span holds whole, of the same object only', () => {
    const recent = new RecentSpans(100)
    recent.put('a.jsonl.gz', 10, Buffer.from('0123456789'))
    expect(recent.get('a.jsonl.gz', 12, 3)?.toString()).toBe('234')
    expect(recent.get('a.jsonl.gz', 10, 10)?.toString()).toBe('0123456789')
    expect(recent.get('a.jsonl.gz', 15, 10)).toBeUndefined() // runs past the span
    expect(recent.get('a.jsonl.gz.idx', 12, 3)).toBeUndefined()
    expect(recent.get('b.jsonl.gz', 12, 3)).toBeUndefined()
  })

  it('holds at most maxBytes, dropping the least recently used; a span bigger than that is not kept', () => {
    const recent = new RecentSpans(100)
    recent.put('a', 0, bytes(40, 1))
    recent.put('b', 0, bytes(40, 2))
    expect(recent.get('a', 0, 1)?.[0]).toBe(1) // a is now the most recent
    recent.put('c', 0, bytes(40, 3))
    expect(recent.get('b', 0, 1)).toBeUndefined()
    expect(recent.get('a', 0, 1)?.[0]).toBe(1)
    expect(recent.get('c', 0, 1)?.[0]).toBe(3)
    recent.put('d', 0, bytes(101, 4))
    expect(recent.get('d', 0, 1)).toBeUndefined()
    expect(recent.get('a', 0, 1)?.[0]).toBe(1)
  })

  it('forgets an object', () => {
    const recent = new RecentSpans(100)
    recent.put('a', 0, bytes(10, 1))
    recent.put('a', 10, bytes(10, 1))
    recent.put('ab', 0, bytes(10, 2))
    recent.forget('a')
    expect(recent.get('a', 0, 1)).toBeUndefined()
    expect(recent.get('a', 10, 1)).toBeUndefined()
    expect(recent.get('ab', 0, 1)?.[0]).toBe(2)
  })
})
