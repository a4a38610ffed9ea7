import {Args, Flags, Parser} from '@oclif/core'
import {describe, expect, it} from 'vitest'
import {parseErrorMessage} from '../../src/lib/cli/parse-error-message.js'

/** The message oclif's own parser gives for `argv`, so a change in oclif's wording shows here. */
async function oclifMessage(argv: string[]): Promise<string> {
  const flags = {
    job: Flags.string({required: true}),
    lines: Flags.integer({char: 'n', min: 0}),
    status: Flags.string({options: ['running', 'ended']}),
  }
  try {
    await Parser.parse(argv, {flags, args: {id: Args.string({description: 'job id', required: true})}, strict: true})
  } catch (error) {
    return (error as Error).message
  }
  throw new Error(`oclif accepted ${argv.join(' ')}`)
}

describe("oclif's parse errors in this tool's words", () => {
  const cases: [string, string[], string][] = [
    ['a value that does not parse', ['a', '--job', 'j', '-n', '-3'], 'invalid value for --lines: expected an integer greater than or equal to 0 but received: -3'],
    ['an unknown flag', ['a', '--job', 'j', '--colour'], 'unknown flag --colour'],
    ['two unknown flags', ['a', '--job', 'j', '--colour', '--zz'], 'unknown flags --colour, --zz'],
    ['a value not among the options', ['a', '--job', 'j', '--status', 'weird'], 'invalid value "weird" for --status: expected one of running, ended'],
    ['a missing required flag', ['a'], 'missing required flag --job'],
    ['a flag without its value', ['a', '--job'], '--job needs a value'],
    ['a missing argument', ['--job', 'j'], 'missing argument ID'],
    ['an extra argument', ['a', 'b', '--job', 'j'], 'unexpected argument: b'],
  ]
  for (const [name, argv, expected] of cases) {
    it(name, async () => {
      const message = await oclifMessage(argv)
      expect(message).not.toBe(expected)
      expect(parseErrorMessage(message)).toBe(expected)
    })
  }

  it('an argument not among the options', async () => {
    let message = ''
    await Parser.parse(['fish'], {args: {shell: Args.string({options: ['zsh', 'bash']})}, strict: true}).catch((error: Error) => (message = error.message))
    expect(message).not.toBe('')
    expect(parseErrorMessage(message)).toBe('invalid argument "fish": expected one of zsh, bash')
  })

  it('keeps a message of another shape, without the help tail or colour', () => {
    expect(parseErrorMessage('\u001B[2mSomething new\u001B[22m\nSee more help with --help')).toBe('something new')
  })
})
