import {describe, expect, it} from 'vitest'
import {closestCommand, editDistance} from '../../src/lib/cli/closest-command.js'

const COMMANDS = ['archive', 'gc', 'get', 'ls', 'push', 'recover', 'rm', 'run', 'serve', 'tail']

describe('closestCommand', () => {
  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('gte', 'get')).toBe(1)
    expect(editDistance('gte', 'gc')).toBe(2)
    expect(editDistance('', 'ls')).toBe(2)
    expect(editDistance('kitten', 'sitting')).toBe(3)
  })

  it('suggests the closest command within one edit per three letters', () => {
    expect(closestCommand('gte', COMMANDS)).toBe('get')
    expect(closestCommand('lss', COMMANDS)).toBe('ls')
    expect(closestCommand('archiv', COMMANDS)).toBe('archive')
    expect(closestCommand('tial', COMMANDS)).toBe('tail')
    expect(closestCommand('recvoer', COMMANDS)).toBe('recover')
  })

  it('suggests nothing when no command is close', () => {
    expect(closestCommand('zzzzzz', COMMANDS)).toBeUndefined()
    expect(closestCommand('deploy', COMMANDS)).toBeUndefined()
  })
})
