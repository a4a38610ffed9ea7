import {describe, expect, it} from 'vitest'
import {TextBytes} from '../../src/lib/text-bytes.js'

describe('TextBytes', () => {
  it('hands short text over as it is', () => {
    const text = new TextBytes()
    text.add('one\n')
    text.add('two €\n')
    expect(text.take()).toBe('one\ntwo €\n')
    expect(text.take()).toBe('')
  })

  it('hands long text over as its UTF-8 bytes, in order, with bytes added between', () => {
    const text = new TextBytes()
    const pieces: Buffer[] = []
    for (let i = 0; i < 5000; i++) {
      const line = `${i} é€😀 ${'x'.repeat(i % 90)}\n`
      text.add(line)
      pieces.push(Buffer.from(line))
      if (i % 1000 === 0) {
        const raw = Buffer.from([0xff, 0xfe, 0x0a])
        text.addBytes(raw)
        pieces.push(raw)
      }
    }
    const taken = text.take()
    expect(Buffer.isBuffer(taken)).toBe(true)
    expect((taken as Buffer).equals(Buffer.concat(pieces))).toBe(true)
    expect(text.takeBytes()).toEqual(Buffer.alloc(0))
  })

  it('gives bytes added alone as they are', () => {
    const text = new TextBytes()
    const raw = Buffer.from([0xc3, 0x28])
    text.addBytes(raw)
    expect(text.takeBytes()).toBe(raw)
  })
})
