/**
 * The fish completion script, generated from the CLI's real commands: the oclif manifest that
 * `npm run build` writes (what `logs autocomplete` reads at run time). Fish itself runs it in
 * test/integration/cli/oclif-plugins.test.ts.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'
import {fishCompletion} from '../../src/lib/cli/fish-completion.js'
import {ROOT} from '../helpers/cli.js'

type Manifest = {commands: Record<string, Parameters<typeof fishCompletion>[1][number]>}
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as Manifest
const commands = Object.values(manifest.commands)
const script = fishCompletion('logs', commands)

describe('fishCompletion', () => {
  it('reads a manifest of the commands in src/commands (else: npm run build)', () => {
    const sources = readdirSync(join(ROOT, 'src', 'commands'), {recursive: true, encoding: 'utf8'})
      .filter((file) => file.endsWith('.ts'))
      .map((file) =>
        relative('.', file)
          .replace(/\.ts$/, '')
          .replace(/\/index$/, '')
          .replaceAll('/', ':'),
      )
    expect(Object.keys(manifest.commands).sort()).toEqual(sources.sort())
  })

  it('offers every command that is not hidden, with its summary, where no command is typed yet', () => {
    const visible = commands.filter((c) => !c.hidden)
    expect(visible.map((c) => c.id)).toEqual(
      expect.arrayContaining(['archive', 'autocomplete', 'gc', 'get', 'help', 'ls', 'push', 'recover', 'rm', 'run', 'sections', 'serve', 'tail']),
    )
    for (const command of visible) {
      const summary = (command.summary ?? command.description!).split('\n')[0].replaceAll("'", "\\'")
      expect(script).toContain(`complete -c logs -f -n '__logs_at' -a '${command.id}' -d '${summary}'\n`)
    }
    expect(script).not.toMatch(/-a 'create'|-a 'script'/)
  })

  it("offers each command's flags, long and short, with a value where they take one and the choices where there are some", () => {
    expect(script).toContain("complete -c logs -n '__logs_at get' -l grep -r -d 'only lines matching")
    expect(script).toContain("complete -c logs -n '__logs_at get' -l output -s o -x -a 'text\\\\t json\\\\t raw\\\\t' -d 'text (for people)")
    expect(script).toContain("complete -c logs -n '__logs_at get' -l follow -s f -d 'keep following")
    expect(script).toContain("complete -c logs -n '__logs_at run' -l job -s j -r -d 'job id:")
    expect(script).toContain("complete -c logs -n '__logs_at tail' -l no-follow\n")
    expect(script).toContain("complete -c logs -n '__logs_at ls' -l json -d")
    expect(script).toContain("complete -c logs -f -n '__logs_at autocomplete' -a 'zsh\\\\t bash\\\\t fish\\\\t powershell\\\\t'\n")
    expect(script).toContain("complete -c logs -n '__logs_at autocomplete' -l refresh-cache -s r -d")
  })

  it('types topics with spaces: a nested command is offered after its topic, and takes its own flags', () => {
    const nested = fishCompletion('logs', [
      {id: 'jobs:prune', summary: "Prune the jobs' logs", flags: {force: {type: 'boolean', char: 'F', summary: 'do it'}}},
      {id: 'jobs:list', description: 'List jobs\nand more', aliases: ['jobs:ls']},
    ])
    expect(nested).toContain("    set -l topics 'jobs' 'jobs:list' 'jobs:ls' 'jobs:prune'\n")
    expect(nested).toContain("complete -c logs -f -n '__logs_at' -a 'jobs'\n")
    expect(nested).toContain("complete -c logs -f -n '__logs_at jobs' -a 'prune' -d 'Prune the jobs\\' logs'\n")
    expect(nested).toContain("complete -c logs -f -n '__logs_at jobs' -a 'list' -d 'List jobs'\n")
    expect(nested).toContain("complete -c logs -f -n '__logs_at jobs' -a 'ls' -d 'List jobs'\n")
    expect(nested).toContain("complete -c logs -n '__logs_at jobs:prune' -l force -s F -d 'do it'\n")
  })

  it('offers nothing of its own after --: the words there are the command `run` runs', () => {
    expect(script).toContain('    contains -- -- (commandline -opc); and return 1\n')
    expect(script.split('\n').filter((line) => line.startsWith('complete ') && !line.includes("-n '__logs_at"))).toEqual([])
  })
})
