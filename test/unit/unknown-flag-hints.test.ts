import {describe, expect, it} from 'vitest'
import {unexpectedArgumentHints, unknownFlagHints} from '../../src/lib/cli/unknown-flag-hints.js'

const GET = {follow: {}, color: {allowNo: true}, output: {options: ['text', 'json', 'raw']}, 'max-line-bytes': {hidden: true}, since: {aliases: ['from']}}
const LS = {status: {}, json: {}}

describe('unknownFlagHints', () => {
  it('names the flag most likely meant, its --no- form and aliases included, a value typed with = aside', () => {
    expect(unknownFlagHints(['--follw'], GET)).toEqual(['did you mean --follow?'])
    expect(unknownFlagHints(['--colour=always'], GET)).toEqual(['did you mean --color?'])
    expect(unknownFlagHints(['--no-colr'], GET)).toEqual(['did you mean --no-color?'])
    expect(unknownFlagHints(['--frm'], GET)).toEqual(['did you mean --from?'])
  })

  it('suggests no hidden flag, nothing far off, and each hint once', () => {
    expect(unknownFlagHints(['--max-line-byte'], GET)).toEqual([])
    expect(unknownFlagHints(['--zzzz', '-q'], GET)).toEqual([])
    expect(unknownFlagHints(['--follw', '--folow'], GET)).toEqual(['did you mean --follow?'])
  })

  it("answers another command's output flag with this command's", () => {
    expect(unknownFlagHints(['--json'], GET)).toEqual(['did you mean --output json?'])
    expect(unknownFlagHints(['-o'], LS)).toEqual(['did you mean --json?'])
    expect(unknownFlagHints(['--output=json'], LS)).toEqual(['did you mean --json?'])
    expect(unknownFlagHints(['--jsn'], LS)).toEqual(['did you mean --json?'])
    expect(unknownFlagHints(['-o'], {status: {}})).toEqual([])
  })
})

describe('unexpectedArgumentHints', () => {
  it('names --job for job ids typed as arguments, once per id where --job repeats; nothing for what is no job id or where no --job would take them', () => {
    expect(unexpectedArgumentHints(['build-1'], {job: {}})).toEqual(['did you mean --job build-1?'])
    expect(unexpectedArgumentHints(['a', 'b'], {job: {multiple: true}})).toEqual(['did you mean --job a --job b?'])
    expect(unexpectedArgumentHints(['a', 'b'], {job: {}})).toEqual([])
    expect(unexpectedArgumentHints(['build-*'], {job: {multiple: true}})).toEqual([])
    expect(unexpectedArgumentHints(['build-1'], LS)).toEqual([])
  })
})
