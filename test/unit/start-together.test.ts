import {describe, expect, it} from 'vitest'
import {startTogether} from '../helpers/start-together.js'

describe('startTogether: test servers started side by side', () => {
  it('gives every server, in order, when all start', async () => {
    const a = {stop: async () => {}, name: 'a'}
    const b = {destroy: async () => {}, name: 'b'}
    const [first, second] = await startTogether([Promise.resolve(a), Promise.resolve(b)])
    expect([first.name, second.name]).toEqual(['a', 'b'])
  })

  it('stops those that started when one fails, then throws its failure', async () => {
    const ended: string[] = []
    const redis = {destroy: async () => void ended.push('redis destroyed')}
    const standin = {stop: async () => void ended.push('stand-in stopped')}
    const failing = Promise.reject(new Error('s3rver exited while starting'))
    await expect(startTogether([Promise.resolve(redis), failing, Promise.resolve(standin)])).rejects.toThrow('s3rver exited while starting')
    expect(ended.sort()).toEqual(['redis destroyed', 'stand-in stopped'])
  })
})
