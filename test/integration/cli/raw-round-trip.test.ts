import {describe, expect, it} from 'vitest'
import {runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'

// Bytes in = bytes out through `push` and `get --output raw`, for input a text pipeline would mangle.
const CASES: Record<string, Buffer> = {
  crlf: Buffer.from('first\r\nsecond\r\n\r\nthird\r\n'),
  'invalid utf-8': Buffer.from([0x6f, 0x6b, 0x0a, 0xff, 0xfe, 0x80, 0x0a, 0xc3, 0x28, 0x0a, 0xed, 0xa0, 0x80, 0x0a]),
  nul: Buffer.from('a\u0000b\n\u0000\u0000\n', 'latin1'),
  'ansi colours': Buffer.from('\u001B[31mERROR\u001B[0m red\n\u001B[1;33mwarn\u001B[0m\n'),
  'no newline at EOF': Buffer.from('one\ntwo'),
  'only newlines': Buffer.from('\n\n\n'),
  'a 3 MiB line without a newline at EOF': Buffer.concat([Buffer.from('short\n'), Buffer.alloc(3 * 1024 * 1024, 'x')]),
  'mixed binary': Buffer.from(Array.from({length: 4096}, (_, i) => (i * 7919) % 256)),
}

describe('raw round trip: push → get --output raw', () => {
  const sandbox = useIsolatedHome()

  for (const [name, input] of Object.entries(CASES)) {
    it(`keeps ${name} byte for byte`, async () => {
      const job = `raw-${name.replace(/[^a-z0-9]+/g, '-')}`
      const pushed = await runCli(['push', '--job', job], {input, env: sandbox.env})
      expect(pushed.stderr).toBe('')
      expect(pushed.code).toBe(0)
      const got = await runCli(['get', job, '--output', 'raw'], {env: sandbox.env})
      expect(got.code).toBe(0)
      expect(got.stdoutBytes.equals(input)).toBe(true)
    })
  }

  it('keeps an empty input as an empty job that has ended', async () => {
    const pushed = await runCli(['push', '--job', 'raw-empty'], {input: '', env: sandbox.env})
    expect(pushed.code).toBe(0)
    const got = await runCli(['get', 'raw-empty', '--output', 'raw'], {env: sandbox.env})
    expect(got.stdoutBytes.length).toBe(0)
    const listed = JSON.parse((await runCli(['ls', '--json'], {env: sandbox.env})).stdout)
    expect(listed.find((j: {id: string}) => j.id === 'raw-empty')).toMatchObject({status: 'ended', lines: 0, bytes: 0})
  })

  it('splits a line longer than --max-line-bytes into continuation entries and joins them back', async () => {
    const input = Buffer.from(`${'a'.repeat(25)}\nshort\n`)
    await runCli(['push', '--job', 'raw-split', '--max-line-bytes', '10'], {input, env: sandbox.env})
    const json = (await runCli(['get', 'raw-split', '--output', 'json'], {env: sandbox.env})).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(json.map((e: {line: string; partial?: boolean}) => [e.line, e.partial ?? false])).toEqual([
      ['a'.repeat(10), true],
      ['a'.repeat(10), true],
      ['a'.repeat(5), false],
      ['short', false],
    ])
    const raw = await runCli(['get', 'raw-split', '--output', 'raw'], {env: sandbox.env})
    expect(raw.stdoutBytes.equals(input)).toBe(true)
  })

  it('--max-line-bytes over 8 MiB is a usage error (exit 2) before reading anything: an entry must fit an archive block', async () => {
    const pushed = await runCli(['push', '--job', 'raw-huge-lines', '--max-line-bytes', '8388609'], {input: 'a line\n', env: sandbox.env})
    expect(pushed.code).toBe(2)
    expect(pushed.stderr).toMatch(/max-line-bytes.*8388608/s)
    expect((await runCli(['get', 'raw-huge-lines'], {env: sandbox.env})).code).not.toBe(0)
  })

  it('copies the stored bytes of -n, --head and --after ranges as the entries of those ranges hold them', async () => {
    const input = Buffer.concat([Buffer.from('one\r\n\u0000two\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from(`${'x'.repeat(25)}\nlast`)])
    await runCli(['push', '--job', 'raw-ranges', '--max-line-bytes', '10'], {input, env: sandbox.env})
    for (const range of [[], ['-n', '3'], ['--head', '4'], ['--after', '2'], ['--after', '2', '--head', '1'], ['-n', '0'], ['--after', '99']]) {
      const raw = await runCli(['get', 'raw-ranges', '--output', 'raw', ...range], {env: sandbox.env})
      const json = await runCli(['get', 'raw-ranges', '--output', 'json', ...range], {env: sandbox.env})
      expect(raw.code).toBe(0)
      const records = json.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as {line: string; bytes?: string; partial?: true})
      const expected = Buffer.concat(records.map((r) => Buffer.concat([r.bytes ? Buffer.from(r.bytes, 'base64') : Buffer.from(r.line), Buffer.from(r.partial ? '' : '\n')])))
      expect(raw.stdoutBytes.equals(expected), range.join(' ')).toBe(true)
    }
  })

  it('carries invalid UTF-8 in JSON output as base64 bytes', async () => {
    const json = (await runCli(['get', 'raw-invalid-utf-8', '--output', 'json'], {env: sandbox.env})).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(json[0]).toEqual({seq: 1, ts: json[0].ts, level: null, stream: null, line: 'ok'})
    expect(Buffer.from(json[1].bytes, 'base64')).toEqual(Buffer.from([0xff, 0xfe, 0x80]))
  })

  it('--tee copies stdin to stdout unchanged', async () => {
    const input = CASES['invalid utf-8']
    const pushed = await runCli(['push', '--job', 'raw-tee', '--tee'], {input, env: sandbox.env})
    expect(pushed.stdoutBytes.equals(input)).toBe(true)
  })
})
