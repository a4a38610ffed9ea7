import {describe, expect, it} from 'vitest'
import {RingBuffer} from '../../../src/lib/ui/ring-buffer.js'
import {LogBuffer} from '../../../src/lib/ui/log-buffer.js'
import {displayWidth, expandTabs, searchPattern} from '../../../src/lib/ui/line-text.js'
import {entries, entry} from './fake-terminal.js'

describe('RingBuffer', () => {
  it('keeps positions stable while dropping from the other end', () => {
    const ring = new RingBuffer<number>(3)
    for (const n of [1, 2, 3, 4]) ring.pushBack(n)
    expect([ring.start, ring.end]).toEqual([1, 4])
    expect([ring.get(1), ring.get(3), ring.get(0)]).toEqual([2, 4, undefined])
    expect(ring.pushFront(0)).toBe(4)
    expect([ring.start, ring.end, ring.get(0), ring.get(2)]).toEqual([0, 3, 0, 3])
  })
})

describe('LogBuffer', () => {
  it('counts matching entries as they come and go, and skips sequence numbers seen', () => {
    const buffer = new LogBuffer(4)
    buffer.setFilter((item) => item.entry.level === 'error')
    buffer.append('j', [entry(1, 'a', 'error'), entry(2, 'b'), entry(3, 'c', 'error')])
    expect(buffer.matching).toBe(2)
    buffer.append('j', [entry(3, 'c again', 'error'), entry(4, 'd'), entry(5, 'e')])
    expect(buffer.length).toBe(4) // seq 1 dropped, seq 3 not doubled
    expect(buffer.matching).toBe(1)
  })

  it('a paused view of a full buffer detaches instead of losing its lines', () => {
    const buffer = new LogBuffer(3)
    buffer.append('j', entries(1, 3))
    expect(buffer.append('j', entries(4, 5), true)).toBe(2)
    expect(buffer.attached).toBe(false)
    expect(buffer.oldest()?.entry.seq).toBe(1)
  })
})

describe('line text', () => {
  it('expands tabs to tab stops, colours taking no column', () => {
    expect(expandTabs('a\tb')).toBe('a       b')
    expect(expandTabs('\u001B[31mab\u001B[0m\tc\td')).toBe('\u001B[31mab\u001B[0m      c       d')
    expect(expandTabs('日本\tx')).toBe('日本    x')
  })

  it('measures wide characters as two columns', () => {
    expect(displayWidth('日本')).toBe(4)
    expect(displayWidth('e\u0301')).toBe(1)
  })

  it('searches with smart case, literally when the text is not a useful regex', () => {
    expect(searchPattern('error')!.flags).toContain('i')
    expect(searchPattern('Error')!.flags).not.toContain('i')
    expect(searchPattern('a(b')!.test('xa(b')).toBe(true)
    expect(searchPattern('x*')!.test('abc')).toBe(false)
  })
})
