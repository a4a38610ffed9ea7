/**
 * oclif's own plugins, as a user meets them: help (`logs help get`, `-h`), did-you-mean
 * for a mistyped command (under tmux, since it asks on a terminal), shell completion,
 * `--version`; and the README's command reference, generated from the same help.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {BIN, ROOT, runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {Tmux} from '../../helpers/tmux.js'

const iso = useIsolatedHome()
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string

describe('help', () => {
  it('`logs help get`, `logs get --help` and `logs get -h` print the same help', async () => {
    const [help, long, short] = await Promise.all([runCli(['help', 'get'], {env: iso.env}), runCli(['get', '--help'], {env: iso.env}), runCli(['get', '-h'], {env: iso.env})])
    for (const result of [help, long, short]) {
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/\$ logs get \[JOBS\.\.\.\]/)
      expect(result.stdout).toContain('EXAMPLES')
    }
    expect(long.stdout).toBe(help.stdout)
    expect(short.stdout).toBe(help.stdout)
    // In colour (oclif's theme, whose colours are required at their first use): the same text.
    const {NO_COLOR: _plain, ...env} = iso.env
    const coloured = await runCli(['get', '--help'], {env: {...env, FORCE_COLOR: '3'}})
    expect(coloured.stdout).toContain('\u001b[')
    expect(coloured.stdout.replace(/\u001b\[[0-9;]*m/g, '')).toBe(help.stdout)
  })

  it('-h works on every command, and `logs help` lists them all', async () => {
    const list = await runCli(['help'], {env: iso.env})
    expect(list.code).toBe(0)
    const ids = ['archive', 'autocomplete', 'gc', 'get', 'ls', 'push', 'run', 'serve', 'tail']
    for (const id of ids) expect(list.stdout).toMatch(new RegExp(`^  ${id} `, 'm'))
    const results = await Promise.all(ids.map((id) => runCli([id, '-h'], {env: iso.env})))
    results.forEach((result, i) => {
      expect(result.code, ids[i]).toBe(0)
      expect(result.stdout, ids[i]).toContain(`$ logs ${ids[i]}`)
    })
  })

  // Before, oclif took the word help for a request of help and printed the root help.
  it("`logs help --help`, `-h` and `logs help help` print the help command's own usage", async () => {
    for (const args of [
      ['help', '--help'],
      ['help', '-h'],
      ['help', 'help'],
    ]) {
      const result = await runCli(args, {env: iso.env})
      expect(result.code, args.join(' ')).toBe(0)
      expect(result.stdout, args.join(' ')).toMatch(/^USAGE\n {2}\$ logs help \[COMMAND\.\.\.\]/m)
    }
  })

  it('--version and -v print the package version', async () => {
    for (const flag of ['--version', '-v']) {
      const result = await runCli([flag], {env: iso.env})
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(new RegExp(`^@jobs-cli/logs/${version.replaceAll('.', '\\.')} `))
    }
  })
})

describe('a mistyped command', () => {
  const tmux = new Tmux(iso.env)
  afterAll(() => tmux.kill())

  it('on a terminal, `logs gett` asks "Did you mean get?" and runs get when confirmed', async () => {
    tmux.open('typo', `${process.execPath} ${BIN} gett; echo "EXIT=$?"; sleep 600`, {x: 100, y: 80})
    await tmux.until('typo', (s) => s.includes('Did you mean get?'), 'the suggestion')
    expect(tmux.screen('typo')).toContain('gett is not a logs command')
    tmux.keys('typo', 'Enter')
    const text = await tmux.until('typo', (s) => s.includes('EXIT='), 'the exit')
    expect(text).toContain('Did you mean get? Yes')
    expect(text).toContain('logs: no job given') // get ran, without a job
    expect(text).not.toContain('EXIT=0')
  })

  // On a terminal plugin-not-found ranks by Levenshtein distance, where a swap of two letters
  // costs 2 (`gte` is as far from `gc` as from `get`); off a terminal a swap is one edit.
  it("in a pipe, it says the command does not exist in the tool's words, suggests the closest, and exits 127 without waiting for an answer", async () => {
    const result = await runCli(['gte'], {env: iso.env})
    expect(result.code).toBe(127)
    expect(result.stderr).toBe('logs: gte is not a logs command\n  hint: did you mean logs get?\n  hint: logs help lists the commands\n')
    expect(result.stdout).toBe('')
    const far = await runCli(['zzzzzz', '--json'], {env: iso.env})
    expect(far.code).toBe(127)
    expect(far.stderr).toBe('logs: zzzzzz is not a logs command\n  hint: logs help lists the commands\n')
    expect(JSON.parse(far.stdout)).toEqual({
      error: {code: 'command-not-found', message: 'zzzzzz is not a logs command', exitCode: 127, suggestions: ['logs help lists the commands']},
    })
  })

  it('in a pipe, a mistyped command followed by its arguments is named alone, with the closest command', async () => {
    const result = await runCli(['tial', 'build-1', '-n', '3'], {env: iso.env})
    expect(result.code).toBe(127)
    expect(result.stderr).toBe('logs: tial is not a logs command\n  hint: did you mean logs tail?\n  hint: logs help lists the commands\n')
  })

  // oclif reads `ls extra` as a command named `ls extra`: it is ls with an argument it does not take.
  it('a word after a command that takes no arguments is an unexpected argument of that command, not a missing command', async () => {
    const result = await runCli(['ls', 'extra', 'more', '--json'], {env: iso.env})
    expect(result.code).toBe(2)
    expect(result.stderr).toBe('logs: unexpected arguments: extra, more\n  hint: logs ls --help lists its arguments and flags\n')
    expect(JSON.parse(result.stdout)).toMatchObject({error: {code: 'usage', exitCode: 2, message: 'unexpected arguments: extra, more'}})
  })
})

describe("oclif's plugin commands fail in the tool's words", () => {
  // Before: " ›   Error: Command gte not found." and " ›   Error: Expected fish to be one of: …" with oclif's usage block.
  const cases: [string, string[], number, string][] = [
    ['help of a mistyped command', ['help', 'gte'], 2, 'logs: gte is not a logs command\n  hint: did you mean logs get?\n  hint: logs help lists the commands\n'],
    ['--help of a command that does not exist', ['zzzzzz', '--help'], 2, 'logs: zzzzzz is not a logs command\n  hint: logs help lists the commands\n'],
    [
      'a shell autocomplete does not offer',
      ['autocomplete', 'tcsh'],
      2,
      'logs: invalid argument "tcsh": expected one of zsh, bash, fish, powershell\n  hint: logs autocomplete --help lists its arguments and flags\n',
    ],
    ['an unknown flag of autocomplete', ['autocomplete', '--frob'], 2, 'logs: unknown flag --frob\n  hint: logs autocomplete --help lists its arguments and flags\n'],
  ]
  for (const [name, argv, code, stderr] of cases) {
    it(name, async () => {
      const result = await runCli(argv, {env: iso.env})
      expect(result.stderr).toBe(stderr)
      expect(result.code).toBe(code)
      expect(result.stdout).toBe('')
    })
  }
})

describe('logs autocomplete', () => {
  it('--help names the shells', async () => {
    const result = await runCli(['autocomplete', '--help'], {env: iso.env})
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('$ logs autocomplete [SHELL]')
    expect(result.stdout).toContain('zsh|bash|fish|powershell')
    expect(result.stdout).toContain('$ logs autocomplete fish')
  })

  it('bash: prints the setup and writes a completion script that completes commands and flags', async () => {
    const result = await runCli(['autocomplete', 'bash'], {env: iso.env})
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('logs autocomplete script bash')
    const script = await runCli(['autocomplete', 'script', 'bash'], {env: iso.env})
    expect(script.code).toBe(0)
    expect(script.stdout).toContain('LOGS_AC_BASH_SETUP_PATH=')
    // Load it as ~/.bashrc would, then ask bash what it completes after `logs g` and `logs get --fo`.
    const complete = (line: string): string[] =>
      execFileSync(
        'bash',
        [
          '-c',
          `${script.stdout}\nCOMP_LINE='${line}'; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); COMP_POINT=\${#COMP_LINE}; _logs_autocomplete; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        {env: iso.env, encoding: 'utf8'},
      )
        .split('\n')
        .filter(Boolean)
    expect(complete('logs g')).toEqual(expect.arrayContaining(['gc', 'get']))
    expect(complete('logs get --fo')).toEqual(['--follow'])
  })

  it('zsh: prints the setup', async () => {
    const result = await runCli(['autocomplete', 'zsh'], {env: iso.env})
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('logs autocomplete script zsh')
  })
})

describe('logs autocomplete fish', () => {
  // oclif's cache dir: $XDG_CACHE_HOME/logs, else ~/.cache/logs.
  const cacheFile = (): string => join(iso.env.XDG_CACHE_HOME ?? join(iso.home, '.cache'), 'logs', 'autocomplete', 'functions', 'fish', 'logs.fish')
  // fish loads a command's completions only once the command is on PATH, as `logs` is once installed.
  const installed = (): NodeJS.ProcessEnv => {
    const bin = join(iso.home, 'bin')
    mkdirSync(bin, {recursive: true})
    writeFileSync(join(bin, 'logs'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, {mode: 0o755})
    return {...iso.env, PATH: `${bin}:${iso.env.PATH}`}
  }
  // What fish offers at the end of the line, each `word<TAB>description`, with the setup the instructions give in place.
  const complete = (line: string): string[] => execFileSync('fish', ['-c', 'complete -C $argv[1]', line], {env: installed(), encoding: 'utf8'}).split('\n').filter(Boolean)

  it('prints the setup: a file in ~/.config/fish/completions that loads the script the command keeps in its cache', async () => {
    const result = await runCli(['autocomplete', 'fish'], {env: iso.env})
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('logs autocomplete script fish > ~/.config/fish/completions/logs.fish')
    expect(result.stdout).toContain(cacheFile())
    const script = await runCli(['autocomplete', 'script', 'fish'], {env: iso.env})
    expect(script.code).toBe(0)
    expect(script.stdout).toContain(`source '${cacheFile()}'`)
    // The setup step, in the isolated home (XDG_CONFIG_HOME is where fish looks for ~/.config/fish).
    mkdirSync(join(iso.env.XDG_CONFIG_HOME!, 'fish', 'completions'), {recursive: true})
    writeFileSync(join(iso.env.XDG_CONFIG_HOME!, 'fish', 'completions', 'logs.fish'), script.stdout)
  })

  it('fish completes commands with their summaries, flags, and the choices of a flag', () => {
    expect(complete('logs ge')).toEqual(["get\tPrint jobs' logs, wherever they live (live store or archive)"])
    expect(complete('logs get --gr')).toEqual(['--grep\tonly lines matching this regular expression, RE2 syntax (repeatable: all must match)'])
    expect(complete('logs get build-1 --output ')).toEqual(['json', 'raw', 'text'])
    expect(complete('logs get -')).toEqual(expect.arrayContaining(['-f\tkeep following new entries until the job ends', '--follow\tkeep following new entries until the job ends']))
    expect(complete('logs tail --no-f')).toEqual(['--no-follow'])
    expect(complete('logs autocomplete ')).toEqual(['bash', 'fish', 'powershell', 'zsh'])
  })

  it("offers none of logs' flags after `logs run … --`, where the command run starts", () => {
    expect(complete('logs run --job b -- make --')).toEqual([])
    expect(complete('logs run --j')).toEqual(['--job\tjob id: letters, digits, ".", "_", "-" (max 128)'])
  })

  it('--refresh-cache writes the script again', async () => {
    rmSync(cacheFile())
    const result = await runCli(['autocomplete', '--refresh-cache'], {env: {...iso.env, SHELL: '/usr/bin/fish'}})
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    expect(complete('logs ge')).toEqual(["get\tPrint jobs' logs, wherever they live (live store or archive)"])
  })
})

describe('README command reference', () => {
  it('matches the commands (regenerate with `npm run readme`)', () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'readme.mjs'), '--check'], {cwd: ROOT, encoding: 'utf8'})
  })
})
