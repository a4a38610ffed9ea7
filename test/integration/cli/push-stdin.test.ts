/**
 * push reads fd 0 itself (input-chunks.ts), whatever it is: a regular file (`< file`), a
 * shell pipe (a FIFO, here one left non-blocking as a parent may leave it), or a socket
 * (what every other CLI test gives it). Bytes teed and stored are the input, byte for byte.
 */
import {execFileSync, spawn} from 'node:child_process'
import {closeSync, constants, openSync, statSync, writeFileSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {BIN, collect, ROOT, runCli, startCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {waitUntil} from '../../helpers/wait.js'

/** Lines of every length up to 3 KiB, one without its newline at the end: about 1 MB, many reads. */
const input = Buffer.from(Array.from({length: 1000}, (_, i) => `${i} ${'é'.repeat(i % 1500)}`).join('\n'))

describe('push reading stdin', () => {
  const sandbox = useIsolatedHome()

  async function stored(job: string): Promise<Buffer> {
    const got = await runCli(['get', job, '--output', 'raw'], {env: sandbox.env})
    expect(got.code).toBe(0)
    return got.stdoutBytes
  }

  it('from a regular file: teed and stored byte for byte', async () => {
    const path = join(sandbox.home, 'input.log')
    writeFileSync(path, input)
    const fd = openSync(path, 'r')
    const push = startCli(['push', '--job', 'from-file', '--tee'], {env: sandbox.env, stdio: [fd, 'pipe', 'pipe']})
    closeSync(fd)
    const result = await collect(push)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdoutBytes.equals(input)).toBe(true)
    expect((await stored('from-file')).equals(input)).toBe(true)
  })

  it('from a shell pipe: teed and stored byte for byte', async () => {
    const path = join(sandbox.home, 'piped.log')
    writeFileSync(path, input)
    const shell = spawn('sh', ['-c', `cat "$1" | "$2" "$3" push --job from-pipe --tee`, 'sh', path, process.execPath, BIN], {cwd: ROOT, env: sandbox.env})
    const result = await collect(shell)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdoutBytes.equals(input)).toBe(true)
    expect((await stored('from-pipe')).equals(input)).toBe(true)
  })

  it('from a non-blocking pipe left open: SIGTERM stores what was read and dies of it', async () => {
    const fifo = join(sandbox.home, 'fifo')
    execFileSync('mkfifo', [fifo])
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
    try {
      const push = startCli(['push', '--job', 'open-pipe'], {env: sandbox.env, stdio: [reader, 'pipe', 'pipe']})
      closeSync(reader)
      const done = collect(push)
      writeSync(writer, 'first\nsecond\n')
      const idx = join(sandbox.home, 'state', 'logs', 'jobs', 'open-pipe', 'idx')
      await waitUntil(() => statSync(idx, {throwIfNoEntry: false})?.size === 2 * 24, {what: 'two lines stored'})
      push.kill('SIGTERM')
      const result = await done
      expect(result.stderr).toBe('')
      expect([result.code, result.signal]).toEqual([null, 'SIGTERM'])
      expect((await stored('open-pipe')).toString()).toBe('first\nsecond\n')
    } finally {
      closeSync(writer)
    }
  })
})
