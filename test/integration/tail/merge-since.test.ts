/** `logs tail` of several jobs merged by time, and `--since`, as a user runs them (built CLI, file store). */
import {describe, expect, it} from 'vitest'
import {runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'

describe('logs tail: several jobs merged by time, --since', () => {
  const sandbox = useIsolatedHome()
  const push = async (job: string, input: string, ...extra: string[]) => {
    const result = await runCli(['push', '--job', job, ...extra], {env: sandbox.env, input})
    expect(result.code, result.stderr).toBe(0)
  }
  const tail = async (...args: string[]) => {
    const result = await runCli(['tail', ...args], {env: sandbox.env})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    return result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace(/\s+/g, ' '))
  }

  it("interleaves the jobs' backlogs by time instead of printing one job's after the other's", async () => {
    // Each push appends to its job: the lines of the two jobs alternate in time.
    await push('mix-a', 'a 1\n')
    await push('mix-b', 'b 1\n')
    await push('mix-a', 'a 2\n')
    await push('mix-b', 'b 2\n')
    await push('mix-a', 'a 3\n', '--exit-code', '0')
    await push('mix-b', 'b 3\n', '--exit-code', '0')
    expect(await tail('mix-a', 'mix-b', '--no-follow')).toEqual(['mix-a a 1', 'mix-b b 1', 'mix-a a 2', 'mix-b b 2', 'mix-a a 3', 'mix-b b 3'])
    // The same when a glob finds them, and when they are followed until they end.
    expect(await tail('mix-*', '--no-follow')).toEqual(['mix-a a 1', 'mix-b b 1', 'mix-a a 2', 'mix-b b 2', 'mix-a a 3', 'mix-b b 3'])
    expect(await tail('mix-b', 'mix-a', '-n', '2')).toEqual(['mix-a a 2', 'mix-b b 2', 'mix-a a 3', 'mix-b b 3'])
  })

  it('--since shows every line since then (or the last -n of them), for each job', async () => {
    await push('since-a', 'old a\n')
    await push('since-b', 'old b\n')
    const mark = new Date().toISOString()
    // A new process: its lines are read after `mark`.
    await push('since-a', Array.from({length: 15}, (_, i) => `new a ${i + 1}\n`).join(''), '--exit-code', '0')
    await push('since-b', 'new b\n', '--exit-code', '0')
    const all = await tail('since-a', '--since', mark, '--no-follow')
    expect(all).toEqual(Array.from({length: 15}, (_, i) => `new a ${i + 1}`))
    expect(await tail('since-a', '--since', mark, '-n', '2', '--no-follow')).toEqual(['new a 14', 'new a 15'])
    const both = await tail('since-*', '--since', mark, '--no-follow')
    expect(both.filter((l) => l.startsWith('since-b'))).toEqual(['since-b new b'])
    expect(both.some((l) => l.includes('old'))).toBe(false)
    expect(await tail('since-a', '--since', '1h', '--no-follow')).toHaveLength(16)
  })

  it('a bad --since exits 2 naming the flag', async () => {
    const result = await runCli(['tail', 'since-a', '--since', 'yesterday-ish', '--no-follow'], {env: sandbox.env})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--since/)
  })
})
