import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'

describe('error paths: one clear line, the right exit code, nothing written', () => {
  const sandbox = useIsolatedHome()

  const cases: [string, string[], NodeJS.ProcessEnv, number, RegExp][] = [
    ['bad job id as argument', ['get', '../etc'], {}, 2, /invalid job id "\.\.\/etc" \(the job id argument\)/],
    ['bad job id in --job', ['push', '--job', 'a b'], {}, 2, /invalid job id "a b" \(--job \/ LOGS_JOB\)/],
    ['bad job id in LOGS_JOB', ['push'], {LOGS_JOB: '-starts-with-dash'}, 2, /invalid job id "-starts-with-dash"/],
    ['too long job id', ['get', 'x'.repeat(129)], {}, 2, /invalid job id/],
    // Before: exit 1, 'archive key "../" escapes …/archive' from the archive directory it reached.
    ['a prefix no job id starts with', ['ls', '--prefix', '../'], {}, 2, /^logs: invalid job id prefix "\.\.\/" \(--prefix\): ids are/],
    // Before: the pattern shown with its wildcards as 'x' ("éx", "a bx").
    ['a glob no job id can match', ['get', 'é*'], {}, 2, /^logs: invalid job id pattern "é\*" \(a job glob argument\)/],
    ['a glob with a space', ['tail', 'a b?'], {}, 2, /^logs: invalid job id pattern "a b\?" \(a job glob argument\)/],
    ['URL without a scheme', ['get', 'j', '--store', '/tmp/x'], {}, 2, /invalid live store URL from --store: "\/tmp\/x" has no scheme/],
    ['unknown scheme from the environment', ['get', 'j'], {LOGS_STORE: 'ftp://host/x'}, 2, /invalid live store URL from LOGS_STORE: unknown scheme "ftp:"/],
    // Before: "hint: a archive URL starts with …".
    [
      'unknown scheme of an archive',
      ['get', 'j', '--archive', 'ftp://host/x'],
      {},
      2,
      /unknown scheme "ftp:" in ftp:\/\/host\/x\n {2}hint: an archive URL starts with one of: file:\/\//,
    ],
    ['unknown scheme of a live store', ['get', 'j', '--store', 'ftp://host/x'], {}, 2, /\n {2}hint: a live store URL starts with one of: /],
    // Before: "invalid archive URL from --store" (the bucket's own check named every URL an archive's).
    [
      'a live object store without a bucket',
      ['tail', 'j', '--store', 'supabase://'],
      {},
      2,
      /^logs: invalid live store URL from --store: supabase:\/\/ names no bucket\n {2}hint: use supabase:\/\/bucket\/prefix\n$/,
    ],
    ['an archive without a bucket', ['get', 'j', '--archive', 's3://'], {}, 2, /^logs: invalid archive URL from --archive: s3:\/\/ names no bucket\n/],
    ['missing job', ['get', 'nope'], {}, 1, /^logs: job nope not found in file:\/\/\S+ or file:\/\/\S+\/archive\n/],
    // Before: sections and get --section named the live store alone, though the archive was searched too.
    ['missing job, one section of it', ['get', 'nope', '--section', 'build'], {}, 1, /^logs: job nope not found in file:\/\/\S+ or file:\/\/\S+\/archive\n/],
    // Before: "or pass --follow to wait for it to start", a flag sections does not have.
    [
      'missing job, a command without -f',
      ['sections', 'nope'],
      {},
      1,
      /^logs: job nope not found in file:\/\/\S+ or file:\/\/\S+\/archive\n {2}hint: run `logs ls` to see the jobs there; `logs get JOB -f` and `logs tail JOB` wait for a job that has not started\n$/,
    ],
    ['bad duration', ['get', 'j', '--since', 'yesterday'], {}, 2, /invalid time "yesterday" for --since/],
    [
      'a bare number is not a time (not the year 2001)',
      ['get', 'j', '--since', '5'],
      {},
      2,
      /invalid time "5" for --since: expected a duration back from now \(90s, 10m, 2h30m, 7d\).*RFC 3339[\s\S]*hint: a number needs a unit: 5s, 5m/,
    ],
    ['an impossible date', ['get', 'j', '--until', '2026-02-30'], {}, 2, /invalid time "2026-02-30" for --until: expected/],
    ['a negative duration', ['push', '--job', 'j', '--flush-interval', '-3m'], {}, 2, /invalid duration "-3m" for --flush-interval: expected a number with a unit/],
    ['an exponent', ['archive', '--idle', '1e3'], {}, 2, /invalid duration "1e3" for --idle: expected a number with a unit .*2h30m/],
    ['an unknown unit', ['gc', '--older-than', '5x'], {}, 2, /invalid duration "5x" for --older-than: expected a number with a unit/],
    ['a bare ttl', ['push', '--job', 'j', '--store', 'redis://127.0.0.1:1?ttl=5'], {}, 2, /ttl=5 is not a duration: expected a number with a unit/],
    ['bad level', ['get', 'j', '--level', 'loud'], {}, 2, /invalid level "loud" for --level/],
    ['bad regular expression', ['get', 'j', '--grep', '(unclosed'], {}, 2, /invalid regular expression "\(unclosed" for --grep/],
    ['bad drain timeout', ['push', '--job', 'j', '--drain-timeout', 'soon'], {}, 2, /invalid duration "soon" for --drain-timeout/],
    ['bad label', ['push', '--job', 'j', '--label', 'novalue'], {}, 2, /invalid --label "novalue"/],
    ['run without a command', ['run', '--job', 'j'], {}, 2, /no command to run/],
    [
      'unknown flag, in the words of every usage error',
      ['get', 'j', '--colour'],
      {},
      2,
      /^logs: unknown flag --colour\n {2}hint: did you mean --color\?\n {2}hint: logs get --help lists its arguments and flags\n$/,
    ],
    [
      'mistyped flags, each with the flag it most likely meant',
      ['get', 'j', '--follw', '--no-colr', '--zzzz'],
      {},
      2,
      /^logs: unknown flags --follw, --no-colr, --zzzz\n {2}hint: did you mean --follow\?\n {2}hint: did you mean --no-color\?\n {2}hint: logs get --help/,
    ],
    [
      "another command's JSON flag: get takes --output json",
      ['get', 'j', '--json'],
      {},
      2,
      /^logs: unknown flag --json\n {2}hint: did you mean --output json\?\n {2}hint: logs get --help/,
    ],
    [
      'a job id typed as an argument to archive, which takes --job',
      ['archive', 'build-1', 'build-2'],
      {},
      2,
      /^logs: unexpected arguments: build-1, build-2\n {2}hint: did you mean --job build-1 --job build-2\?\n {2}hint: logs archive --help/,
    ],
    [
      'a job id typed as an argument to push',
      ['push', 'build-1'],
      {},
      2,
      /^logs: unexpected argument: build-1\n {2}hint: did you mean --job build-1\?\n {2}hint: logs push --help/,
    ],
    ["another command's JSON flag: ls takes --json", ['ls', '-o', 'json'], {}, 2, /^logs: unknown flag -o\n {2}hint: did you mean --json\?\n {2}hint: logs ls --help/],
    [
      'a flag value oclif cannot parse',
      ['get', 'j', '-n', '-3'],
      {},
      2,
      /^logs: invalid value for --lines: expected an integer greater than or equal to 0 but received: -3\n {2}hint: logs get --help/,
    ],
    [
      "a value the flag's own parse refuses (before: oclif's three lines, no hint)",
      ['push', '--job', 'j', '--exit-code', '256'],
      {},
      2,
      /^logs: invalid --exit-code "256": expected a whole number from 0 to 255\n {2}hint: logs push --help lists its arguments and flags\n$/,
    ],
    // Before: an empty value was taken for no filter at all.
    ['an empty --since', ['get', 'j', '--since', ''], {}, 2, /^logs: invalid time "" for --since: expected a duration/],
    ['an empty --level', ['get', 'j', '--level', ''], {}, 2, /^logs: invalid level "" for --level\n {2}hint: use one of trace/],
    ['a flag value not among its options', ['ls', '--status', 'weird'], {}, 2, /^logs: invalid value "weird" for --status: expected one of running, succeeded/],
    ['push without a job', ['push'], {}, 2, /^logs: missing required flag --job\n/],
  ]

  for (const [name, args, extra, code, message] of cases) {
    it(name, async () => {
      const result = await runCli(args, {env: {...sandbox.env, ...extra}, input: 'a line\n'})
      expect(result.stderr).toMatch(message)
      expect(result.code).toBe(code)
      expect(result.stdout).toBe('')
      expect(existsSync(join(sandbox.home, 'state', 'logs', 'jobs', 'j'))).toBe(false)
    })
  }

  it('a missing argument, in the words of every usage error', async () => {
    const result = await runCli(['sections'], {env: sandbox.env, input: ''})
    expect(result.stderr).toMatch(/^logs: missing argument ID\n {2}hint: logs sections --help lists its arguments and flags\n$/)
    expect(result.code).toBe(2)
  })

  it('a store that cannot be used: exit 1, naming it', async () => {
    const file = join(sandbox.home, 'not-a-dir')
    writeFileSync(file, 'x')
    const result = await runCli(['push', '--job', 'j', '--store', `file://${file}/store`], {env: sandbox.env, input: 'x\n'})
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/cannot use file:\/\/.*not-a-dir\/store: ENOTDIR/)
  })

  // Before: "hint: check that the object store is reachable (endpoint, network)".
  it('an archive directory with a file in the way: exit 1, naming the path, with a hint about the directory and not the network', async () => {
    const file = join(sandbox.home, 'in-the-way-of-the-archive')
    writeFileSync(file, 'x')
    const result = await runCli(['ls', '--archive', `file://${file}/archive`], {env: sandbox.env})
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^logs: file:\/\/\S+\/in-the-way-of-the-archive\/archive: cannot list \S+: ENOTDIR/)
    expect(result.stderr).toMatch(/\n {2}hint: check that \S+\/in-the-way-of-the-archive\/archive is a directory \(or can be made one\) on a disk with free space\n$/)
  })

  it('a broken config file names the file', async () => {
    mkdirSync(join(sandbox.home, 'cfg'), {recursive: true})
    const config = join(sandbox.home, 'cfg', 'bad.json')
    writeFileSync(config, '{"store": ')
    const result = await runCli(['ls', '--config', config], {env: sandbox.env})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/config file .*bad\.json is not valid JSON/)
  })

  it("a broken config file's message does not quote its text, which may hold a token", async () => {
    const config = join(sandbox.home, 'cfg', 'token.json')
    mkdirSync(join(sandbox.home, 'cfg'), {recursive: true})
    writeFileSync(config, '{"store": "file:///tmp/x",\n"token": supersecretTOKEN123}')
    const result = await runCli(['ls', '--config', config], {env: sandbox.env})
    expect(result.code).toBe(2)
    // Before: V8's quote of the text around the error, `"token": supersecre"...`.
    expect(result.stderr).toBe(`logs: config file ${config} is not valid JSON: Unexpected token 's'\n`)
  })

  // oclif's --json answers a failure with {"error": …} on stdout; ours also says it on stderr.
  const jsonCases: [string, string[], number, string, RegExp][] = [
    ['a bad URL', ['ls', '--json', '--store', 'ftp://host/x'], 2, 'invalid-url', /invalid live store URL from --store: unknown scheme "ftp:"/],
    ['a bad duration', ['gc', '--json', '--older-than', '5'], 2, 'usage', /invalid duration "5" for --older-than/],
    ['a bad job id', ['archive', '--json', '--job', '../x'], 2, 'invalid-job-id', /invalid job id "\.\.\/x" \(--job\)/],
    // Before: {"code": "internal", "exitCode": 1}.
    ['a bad prefix', ['ls', '--json', '--prefix', '../'], 2, 'invalid-job-id', /invalid job id prefix "\.\.\/" \(--prefix\)/],
    ['an unknown flag', ['ls', '--json', '--colour'], 2, 'usage', /unknown flag --colour/],
  ]
  it('--json and a mistyped flag: the flag it most likely meant among the suggestions', async () => {
    const result = await runCli(['ls', '--json', '--colour'], {env: sandbox.env})
    expect(JSON.parse(result.stdout).error.suggestions).toEqual(['did you mean --color?', 'logs ls --help lists its arguments and flags'])
  })

  for (const [name, args, code, errorCode, message] of jsonCases) {
    it(`--json and ${name}: the error on stderr and as {"error": …} on stdout, exit ${code}`, async () => {
      const result = await runCli(args, {env: sandbox.env})
      expect(result.code).toBe(code)
      expect(result.stderr).toMatch(message)
      const json = JSON.parse(result.stdout) as {error: {code: string; message: string; exitCode: number; suggestions: string[]}}
      expect(json.error).toMatchObject({code: errorCode, exitCode: code})
      expect(json.error.message).toMatch(message)
      expect(Array.isArray(json.error.suggestions)).toBe(true)
    })
  }

  it('--json and a store that fails: exit 1, the error on both streams', async () => {
    const file = join(sandbox.home, 'in-the-way')
    writeFileSync(file, 'x')
    const result = await runCli(['ls', '--json', '--store', `file://${file}/store`], {env: sandbox.env})
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/cannot use file:\/\/.*in-the-way\/store: ENOTDIR/)
    expect(JSON.parse(result.stdout).error).toMatchObject({code: 'store-unavailable', exitCode: 1, message: expect.stringMatching(/ENOTDIR/)})
  })

  it('a password in a store URL never appears in messages', async () => {
    const result = await runCli(['get', 'j', '--store', 'ftp://user:hunter2@host/x'], {env: sandbox.env})
    expect(result.code).toBe(2)
    expect(result.stderr).not.toContain('hunter2')
    expect(result.stderr).toContain('***')
  })
})
