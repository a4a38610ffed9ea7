import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/cli.js'
import {withLockSync} from '../../src/lib/store/file/lock.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'logs-lock-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

/** A pid no process has: a child that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], {encoding: 'utf8'}).stdout.trim())
}

describe('file store lock', () => {
  it('holds the lock (our pid in it) while the section runs, and releases it after', () => {
    const lock = join(dir, 'lock')
    const seen = withLockSync(lock, () => readFileSync(lock, 'utf8'))
    expect(seen).toBe(String(process.pid))
    expect(existsSync(lock)).toBe(false)
    expect(withLockSync(lock, () => 'again')).toBe('again')
  })

  it('steals a lock left by a dead process', () => {
    const lock = join(dir, 'lock')
    writeFileSync(lock, String(deadPid()))
    expect(withLockSync(lock, () => readFileSync(lock, 'utf8'))).toBe(String(process.pid))
    expect(existsSync(lock)).toBe(false)
  })

  it('takes the lock again after its directory was emptied (a job removed and made anew)', () => {
    const lock = join(dir, 'lock')
    withLockSync(lock, () => undefined)
    for (const name of readdirSync(dir)) rmSync(join(dir, name))
    expect(withLockSync(lock, () => readFileSync(lock, 'utf8'))).toBe(String(process.pid))
  })

  it('a process that exits leaves no file of its own behind', () => {
    const script = `import('${join(ROOT, 'src/lib/store/file/lock.ts')}').then(({withLockSync}) => withLockSync(process.argv[1], () => {}))`
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, join(dir, 'lock')], {encoding: 'utf8', cwd: ROOT})
    expect(child.stderr).toBe('')
    expect(child.status).toBe(0)
    expect(readdirSync(dir)).toEqual([])
  })
})
