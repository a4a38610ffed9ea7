import {describe, expect, it} from 'vitest'
import {parseAnsi, plainText} from '../../../web/src/ansi.js'

describe('parseAnsi (the web viewer)', () => {
  it('leaves text without escapes alone', () => {
    expect(parseAnsi('plain <b>text</b>')).toEqual([{text: 'plain <b>text</b>'}])
  })

  it('turns SGR colours into styled segments and drops the codes', () => {
    const segments = parseAnsi('\u001B[1;31mERROR\u001B[0m done \u001B[92mok\u001B[39m')
    expect(segments).toEqual([{text: 'ERROR', style: {bold: true, fg: 'c-red'}}, {text: ' done '}, {text: 'ok', style: {fg: 'c-bright-green'}}])
    expect(plainText(segments)).toBe('ERROR done ok')
  })

  it('handles 256-colour and truecolour, foreground and background', () => {
    expect(parseAnsi('\u001B[38;5;196mx')).toEqual([{text: 'x', style: {fg: 'rgb(255, 0, 0)'}}])
    expect(parseAnsi('\u001B[38;5;9mx')).toEqual([{text: 'x', style: {fg: 'c-bright-red'}}])
    expect(parseAnsi('\u001B[48;5;240mx')).toEqual([{text: 'x', style: {bg: 'rgb(88, 88, 88)'}}])
    expect(parseAnsi('\u001B[38;2;10;20;300;48;2;1;2;3mx')).toEqual([{text: 'x', style: {fg: 'rgb(10, 20, 255)', bg: 'rgb(1, 2, 3)'}}])
  })

  it('resets attributes one by one, and drops non-colour escapes (cursor moves, OSC titles)', () => {
    expect(parseAnsi('\u001B[1;4ma\u001B[22mb\u001B[24mc')).toEqual([{text: 'a', style: {bold: true, underline: true}}, {text: 'b', style: {underline: true}}, {text: 'c'}])
    expect(parseAnsi('\u001B]0;title\u0007\u001B[2K\u001B[1Gprogress 50%')).toEqual([{text: 'progress 50%'}])
    expect(parseAnsi('\u001B[mplain')).toEqual([{text: 'plain'}])
  })

  it('shows the line as the terminal commands print it: no control characters, a carriage return starting it again', () => {
    expect(parseAnsi('\u001B[32m10%\r\u001B[32m100%\u001B[0m\u0007 done\r')).toEqual([{text: '100%', style: {fg: 'c-green'}}, {text: ' done'}])
  })
})
