/**
 * Patterns from the network (issue 18, item 2). The relay runs as its own process (the
 * built `logs serve`), so a pattern that froze it could not freeze the test: the request
 * that used to hang it — `grep=^(a+)+$` over forty a's and a `!` — is answered, and so
 * are /healthz and SIGTERM. Unsupported syntax, over-long patterns and too many of them
 * are 400 (relay) / exit 2 (CLI), and a pattern means the same to `get` and the relay.
 */
import type {ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {openRawStream, raw, startServeCli, stopServeCli} from '../../helpers/relay.js'

const home = useIsolatedHome()
const EVIL = '^(a+)+$'
const LINES = ['a'.repeat(40) + '!', 'ERROR: disk full', 'error: again', 'aaaa', 'fine']

let serve: {child: ChildProcess; url: string; stderr: () => string}
beforeAll(async () => {
  expect((await runCli(['push', '--job', 'evil', '--exit-code', '0'], {env: home.env, input: `${LINES.join('\n')}\n`})).code).toBe(0)
  serve = await startServeCli([], home.env)
})
afterAll(async () => {
  // The last test stops it with SIGTERM; this is for a run where that test did not.
  if (serve) await stopServeCli(serve)
})

const history = async (query: string) => raw(`${serve.url}/v1/jobs/evil/logs?${query}`)
const lines = (answer: {json: () => {entries: Array<{line: string}>}}) => answer.json().entries.map((e) => e.line)

describe('the relay and hostile patterns', () => {
  it('answers grep=^(a+)+$ (the line that used to freeze it), and /healthz with it', async () => {
    const [evil, health] = await Promise.all([history(`grep=${encodeURIComponent(EVIL)}`), raw(`${serve.url}/healthz`)])
    expect(evil.status).toBe(200)
    expect(lines(evil)).toEqual(['aaaa'])
    expect(health.status).toBe(200)
    expect(lines(await history(`grep=${encodeURIComponent('(?i)^error')}`))).toEqual(['ERROR: disk full', 'error: again'])
    const stream = openRawStream(`${serve.url}/v1/jobs/evil/logs/stream?grep=${encodeURIComponent('(a|aa)+$')}`)
    await stream.closed
    expect(
      stream
        .events()
        .filter((e) => e.event === 'log')
        .map((e) => JSON.parse(e.data).line),
    ).toEqual(['aaaa'])
    expect(stream.events().at(-1)?.event).toBe('end')
  })

  it.each([
    ['a backreference', '(a)\\1', /backreferences are not supported/],
    ['a lookahead', 'a(?=b)', /lookahead and lookbehind are not supported/],
    ['a lookbehind', '(?<=a)b', /invalid/],
    ['an over-long pattern', 'a'.repeat(513), /longer than 512 characters/],
    ['huge repetitions', '[a-z]{1000}[0-9]{1000}', /repetition counts add up to more than 1000/],
    ['a syntax error', 'a(b', /missing closing \)/],
  ])('answers 400 to %s, naming the parameter', async (_what, pattern, reason) => {
    const answer = await history(`grep=${encodeURIComponent(pattern)}`)
    expect(answer.status).toBe(400)
    expect(answer.json().error).toMatch(/invalid regular expression .* for grep/)
    expect(answer.json().error).toMatch(reason)
    const stream = await raw(`${serve.url}/v1/jobs/evil/logs/stream?exclude=${encodeURIComponent(pattern)}`)
    expect(stream.status).toBe(400)
  })

  it('answers 400 to more than 16 patterns', async () => {
    const query = Array.from({length: 17}, (_, i) => `exclude=x${i}`).join('&')
    const answer = await history(query)
    expect(answer.status).toBe(400)
    expect(answer.json().error).toContain('too many patterns')
  })

  it('still stops on SIGTERM after all that', async () => {
    const exited = once(serve.child, 'exit')
    serve.child.kill('SIGTERM')
    // Its SIGTERM handler ran (a loop blocked by a pattern would never run it): shut down, it dies of the signal.
    expect(await exited).toEqual([null, 'SIGTERM'])
  })
})

describe('the same engine on the command line', () => {
  it('get --grep ^(a+)+$ answers; RE2-only syntax means the same to get and to the relay', async () => {
    const evil = await runCli(['get', 'evil', '--grep', EVIL], {env: home.env})
    expect(evil.code).toBe(0)
    expect(evil.stdout).toBe('aaaa\n')
    // (?i) is RE2 syntax a JavaScript RegExp refuses: it works the same here as over the relay's grep=.
    const inline = await runCli(['get', 'evil', '--grep', '(?i)^error'], {env: home.env})
    expect(inline.stdout).toBe('ERROR: disk full\nerror: again\n')
  })

  it('an unsupported pattern is exit 2 naming the flag and RE2', async () => {
    const result = await runCli(['get', 'evil', '--exclude', '(a)\\1'], {env: home.env})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('for --exclude')
    expect(result.stderr).toContain('backreferences are not supported')
    expect(result.stderr).toContain('RE2 syntax')
  })
})
