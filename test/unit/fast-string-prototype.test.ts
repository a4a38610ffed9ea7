import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/cli.js'

/** Runs `body` in a fresh Node with V8's natives syntax; returns its stdout lines. */
function inFreshNode(body: string): string[] {
  const script = `(async () => { const fast = () => %HasFastProperties(String.prototype); ${body} })()`
  const child = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '-e', script], {encoding: 'utf8', cwd: ROOT})
  expect(child.stderr).toBe('')
  expect(child.status).toBe(0)
  return child.stdout.trim().split('\n')
}

// Why this matters: string methods in optimised code are 2-6× slower while String.prototype is
// in dictionary mode, and push's level detection is made of them (fast-string-prototype.ts).
describe('String.prototype stays a fast object', () => {
  it('is turned back into one after a class extends String (as ioredis declares)', () => {
    const module = join(ROOT, 'src/lib/store/redis/fast-string-prototype.ts')
    const out = inFreshNode(`
      console.log(fast())
      class Verbatim extends String {}
      console.log(fast(), typeof Verbatim)
      const {restoreFastStringPrototype} = await import(${JSON.stringify(module)})
      restoreFastStringPrototype()
      console.log(fast())`)
    expect(out).toEqual(['true', 'false function', 'true'])
  })

  it('is one once the Redis store is loaded', () => {
    const module = join(ROOT, 'src/lib/store/redis/redis-store.ts')
    expect(inFreshNode(`await import(${JSON.stringify(module)}); console.log(fast())`)).toEqual(['true'])
  })
})
