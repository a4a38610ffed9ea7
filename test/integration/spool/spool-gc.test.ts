import {existsSync} from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'
import {describe, expect, it} from 'vitest'
import {runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'

describe('logs gc and spools', () => {
  // A store nothing listens on: push spools its lines and gives up after the drain timeout.
  const sandbox = useIsolatedHome({LOGS_STORE: 'redis://127.0.0.1:1'})

  it('keeps a dead push spool within the retention, lists it with --dry-run, deletes it past it', async () => {
    const pushed = await runCli(['push', '--job', 'undelivered', '--drain-timeout', '1s'], {env: sandbox.env, input: 'never delivered\n'})
    expect(pushed.code).toBe(1)
    const spool = /kept in (\/\S+) /.exec(pushed.stderr)![1]
    expect(existsSync(spool)).toBe(true)

    const gc = async (...args: string[]) => {
      const result = await runCli(['gc', '--store', `file://${sandbox.home}/live`, '--json', ...args], {env: sandbox.env})
      expect(result.code).toBe(0)
      return JSON.parse(result.stdout).deleted.filter((item: {kind: string}) => item.kind === 'spool')
    }
    expect(await gc('--older-than', '1h')).toEqual([])
    await sleep(1100) // let the spool age past a 1 s retention
    expect(await gc('--older-than', '1s', '--dry-run')).toHaveLength(1)
    expect(existsSync(spool)).toBe(true)
    const deleted = await gc('--older-than', '1s')
    expect(deleted).toHaveLength(1)
    expect(deleted[0].name).toContain(spool)
    expect(await gc('--older-than', '1s')).toEqual([])
  })
})
