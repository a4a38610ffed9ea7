import {describe, expect, it} from 'vitest'
import {progressBar} from '../../src/lib/archive/progress.js'

function fakeStream(isTTY: boolean): NodeJS.WriteStream & {text: string} {
  const stream = {isTTY, columns: 60, text: '', write(chunk: string) {
    stream.text += chunk
    return true
  }}
  return stream as unknown as NodeJS.WriteStream & {text: string}
}

describe('archive progress bar', () => {
  it('draws on a terminal, within its width, and clears the line at the end', () => {
    const tty = fakeStream(true)
    const bar = progressBar(tty)
    bar.update(2, 4, 'build-42')
    bar.update(4, 4, 'build-43')
    bar.finish()
    expect(tty.text).toContain('archiving [############------------] 2/4 build-42')
    expect(tty.text).toContain('4/4 build-43')
    expect(tty.text.endsWith('\r\u001B[2K')).toBe(true)
    for (const line of tty.text.split('\r')) expect(line.replace('\u001B[2K', '').length).toBeLessThan(60)
  })

  it('writes nothing when not on a terminal (cron gets the summary only)', () => {
    const pipe = fakeStream(false)
    const bar = progressBar(pipe)
    bar.update(1, 1, 'x')
    bar.finish()
    expect(pipe.text).toBe('')
  })
})
