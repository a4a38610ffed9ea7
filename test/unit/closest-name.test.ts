import {describe, expect, it} from 'vitest'
import {closestName, editDistance} from '../../src/lib/cli/closest-name.js'

const COMMANDS = ['archive', 'gc', 'get', 'ls', 'push', 'recover', 'rm', 'run', 'serve', 'tail']

describe('closestName', () => {
  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('gte', 'get')).toBe(1)
    expect(editDistance('gte', 'gc')).toBe(2)
    expect(editDistance('', 'ls')).toBe(2)
    expect(editDistance('kitten', 'sitting')).toBe(3)
  })

  it('suggests the closest command within one edit per three letters', () => {
    expect(closestName('gte', COMMANDS)).toBe('get')
    expect(closestName('lss', COMMANDS)).toBe('ls')
    expect(closestName('archiv', COMMANDS)).toBe('archive')
    expect(closestName('tial', COMMANDS)).toBe('tail')
    expect(closestName('recvoer', COMMANDS)).toBe('recover')
  })

  it('suggests nothing when no command is close', () => {
    expect(closestName('zzzzzz', COMMANDS)).toBeUndefined()
    expect(closestName('deploy', COMMANDS)).toBeUndefined()
  })
})
