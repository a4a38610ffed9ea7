/**
 * Lines of wide characters (CJK, emoji) cut to the width in the real viewer under tmux:
 * at every width the cut line ends with "…", even where the edge falls in the middle of
 * a wide character.
 */
import stringWidth from 'string-width'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {terminalEnv, Tmux, viewerRows, viewerStatus} from '../../helpers/tmux.js'

const WIDE = 'ab漢字😀c日本語テキスト🎉x中文字符end'

describe('logs tail on a terminal: wide characters (tmux)', () => {
  const sandbox = useIsolatedHome()
  let tmux: Tmux
  beforeAll(async () => {
    tmux = new Tmux(terminalEnv(sandbox.env))
    expect((await runCli(['push', '--job', 'wide', '--exit-code', '0'], {env: sandbox.env, input: `${WIDE}\nzz\n`})).code).toBe(0)
  })
  afterAll(() => tmux?.kill())

  it('cuts a line of CJK and emoji with "…" at every width (w, resize-window)', async () => {
    const s = 'wide'
    const until = (check: (text: string) => boolean, what: string) => tmux.until(s, check, what)
    tmux.open(s, `cd ${sandbox.home} && node ${BIN} tail wide; echo "EXIT=$?"; sleep 600`, {x: 20, y: 10})
    await until((t) => viewerRows(t).includes('zz') && t.includes('ended'), 'the viewer')
    // Wrapped, the line takes two rows above "zz"; cut (w), one.
    const rowAbove = (t: string, n: number): string => (viewerRows(t).at(-1 - n) ?? '').trimEnd()
    tmux.keys(s, 'w')
    await until((t) => rowAbove(t, 2) === '', 'lines cut (w)')
    for (let x = stringWidth(WIDE) - 1; x >= 12; x--) {
      tmux.run('resize-window', '-t', s, '-x', String(x), '-y', '10')
      // Drawn again at this width: the status bar is Ink's cut with its "…", not tmux's clip of the last frame.
      const drawn = (t: string): boolean => stringWidth(viewerStatus(t).trimEnd()) === x && viewerStatus(t).trimEnd().endsWith('…') && rowAbove(t, 2) === ''
      const line = rowAbove(await until(drawn, `the viewer at ${x} columns`), 1)
      expect(line.endsWith('…'), `${JSON.stringify(line)} at ${x} columns`).toBe(true)
      expect(WIDE.startsWith(line.slice(0, -1)), `${JSON.stringify(line)} at ${x} columns`).toBe(true)
      expect([x - 1, x], `${JSON.stringify(line)} at ${x} columns`).toContain(stringWidth(line))
    }
    tmux.keys(s, 'q')
    await until((t) => t.includes('EXIT=0'), 'the viewer to exit')
  })
})
