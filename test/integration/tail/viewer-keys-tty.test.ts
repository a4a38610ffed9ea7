/**
 * Every key of the viewer's help (`?`), pressed in the real viewer under tmux, on a job
 * larger than the viewer's buffer: e/E and searches reach entries only the store holds.
 */
import {existsSync, readFileSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {KEYS} from '../../../src/lib/ui/HelpOverlay.js'
import {cutToWidth} from '../../../src/lib/ui/line-text.js'
import {terminalEnv, Tmux, viewerRows, viewerStatus, viewerToolbar} from '../../helpers/tmux.js'

const LONG = `LONG ${'x'.repeat(295)}`
const line = (n: number): string => {
  if (n === 30) return 'ERROR first failure 30'
  if (n === 4000) return 'ERROR second failure 4000'
  if (n === 4990) return 'ERROR third failure 4990'
  if (n === 4996) return LONG
  return `line ${n}`
}
const logRows = viewerRows
const toolbar = viewerToolbar
const status = viewerStatus

describe('logs tail on a terminal: every key of the help (tmux)', () => {
  const sandbox = useIsolatedHome()
  let tmux: Tmux
  beforeAll(async () => {
    tmux = new Tmux(terminalEnv(sandbox.env))
    const input = Array.from({length: 5000}, (_, i) => `${line(i + 1)}\n`).join('')
    expect((await runCli(['push', '--job', 'keys-1', '--exit-code', '0'], {env: sandbox.env, input})).code).toBe(0)
    expect((await runCli(['push', '--job', 'keys-2', '--exit-code', '0'], {env: sandbox.env, input: 'other job line\n'})).code).toBe(0)
  })
  afterAll(() => tmux?.kill())

  it('one job: ? e E g G Home End PgUp PgDn ↑ ↓ / n N Esc l t w space s q', async () => {
    const s = 'one'
    const until = (check: (text: string) => boolean, what: string) => tmux.until(s, check, what)
    // --buffer 500: the viewer holds lines 4501-5000; older ones are only in the store.
    tmux.open(s, `cd ${sandbox.home} && node ${BIN} tail keys-1 --buffer 500; echo "EXIT=$?"; sleep 600`)
    await until((t) => logRows(t).includes('line 5000') && t.includes('keys-1 succeeded'), 'the viewer')

    tmux.keys(s, '?')
    await until((t) => t.includes('logs tail — keys') && t.includes('next / previous error'), 'the help')
    tmux.keys(s, 'x')
    await until((t) => !t.includes('logs tail — keys') && logRows(t).includes('line 5000'), 'the help closed by any key')

    // E: the error in the buffer, then the ones only the store holds, then none.
    tmux.keys(s, 'E')
    await until((t) => t.includes('ERROR third failure 4990'), 'E in the buffer')
    tmux.keys(s, 'E')
    await until((t) => logRows(t).includes('ERROR second failure 4000'), 'E from the store')
    tmux.keys(s, 'E')
    await until((t) => logRows(t).includes('ERROR first failure 30'), 'E to the first error of the job')
    tmux.keys(s, 'E')
    await until((t) => status(t).includes('no error above'), 'no error further back')
    tmux.keys(s, 'e')
    await until((t) => logRows(t).includes('ERROR second failure 4000'), 'e forward from the store')

    // G and End: the newest lines, following again; g and Home: the first line of the job.
    tmux.keys(s, 'G')
    await until((t) => logRows(t).includes('line 5000') && toolbar(t).includes('■ ended: succeeded'), 'G')
    tmux.keys(s, 'g')
    await until((t) => logRows(t)[0] === 'line 1' && toolbar(t).includes('paused'), 'g')
    tmux.keys(s, 'End')
    await until((t) => logRows(t).includes('line 5000') && toolbar(t).includes('■ ended: succeeded'), 'End')
    tmux.keys(s, 'Home')
    await until((t) => logRows(t)[0] === 'line 1', 'Home')

    // PgDn, PgUp, ↓, ↑ from the top of the job.
    tmux.keys(s, 'PgDn')
    await until((t) => logRows(t)[0] !== 'line 1' && /^line \d+$/.test(logRows(t)[0]), 'PgDn')
    tmux.keys(s, 'PgUp')
    await until((t) => logRows(t)[0] === 'line 1', 'PgUp')
    tmux.keys(s, 'Down')
    await until((t) => logRows(t)[0] === 'line 2', '↓')
    tmux.keys(s, 'Up')
    await until((t) => logRows(t)[0] === 'line 1', '↑')

    // / searches (a line only the store holds), N and n move between matches, Esc clears.
    tmux.keys(s, 'G')
    await until((t) => toolbar(t).includes('■ ended: succeeded'), 'following before the search')
    tmux.keys(s, '/')
    tmux.keys(s, '-l', 'line 4242$')
    tmux.keys(s, 'Enter')
    await until((t) => logRows(t).includes('line 4242') && toolbar(t).includes('/line 4242$'), 'the search, from the store')
    tmux.keys(s, 'G')
    await until((t) => logRows(t).includes('line 5000') && toolbar(t).includes('■ ended: succeeded'), 'G after the search')
    tmux.keys(s, '/')
    tmux.keys(s, '-l', 'failure')
    tmux.keys(s, 'Enter')
    await until((t) => logRows(t).includes('ERROR third failure 4990'), 'a search in the buffer')
    tmux.keys(s, 'N')
    await until((t) => logRows(t).includes('ERROR second failure 4000'), 'N from the store')
    tmux.keys(s, 'n')
    await until((t) => logRows(t).includes('ERROR third failure 4990'), 'n')
    tmux.keys(s, 'Escape')
    await until((t) => toolbar(t).includes('/ search'), 'Esc clears the search')

    // l cycles the level filter; at error+ only the errors are shown.
    tmux.keys(s, 'G')
    for (const label of ['debug+', 'info+', 'warn+', 'error+']) {
      tmux.keys(s, 'l')
      await until((t) => toolbar(t).includes(`level: ${label}`), `l → ${label}`)
    }
    const errorsOnly = await until((t) => logRows(t).includes('ERROR third failure 4990'), 'the errors')
    expect(
      logRows(errorsOnly)
        .filter((r) => r.trim() !== '')
        .every((r) => r.startsWith('ERROR')),
    ).toBe(true)
    tmux.keys(s, 'l')
    await until((t) => toolbar(t).includes('level: all') && logRows(t).includes('line 5000'), 'l → all')

    // t: timestamps on and off.
    tmux.keys(s, 't')
    await until((t) => logRows(t).some((r) => /^\d{4}-\d{2}-\d{2}T[\d:.]+Z line 5000$/.test(r)), 't on')
    tmux.keys(s, 't')
    await until((t) => logRows(t).includes('line 5000'), 't off')

    // w: the 300-character line wraps over several rows, or is cut to one.
    const wrapped = logRows(tmux.screen(s)).filter((r) => r.includes('xxxx')).length
    expect(wrapped).toBeGreaterThan(1)
    tmux.keys(s, 'w')
    await until((t) => logRows(t).filter((r) => r.includes('xxxx')).length === 1, 'w cuts long lines')
    tmux.keys(s, 'w')
    await until((t) => logRows(t).filter((r) => r.includes('xxxx')).length === wrapped, 'w wraps again')

    // space pauses and resumes.
    tmux.keys(s, 'Space')
    await until((t) => toolbar(t).includes('paused'), 'space pauses')
    tmux.keys(s, 'Space')
    await until((t) => toolbar(t).includes('■ ended: succeeded'), 'space resumes')

    // s saves what is shown to a file in the current directory.
    tmux.keys(s, 's')
    const saved = await until((t) => /saved \d+ lines to \S+/.test(status(t)), 's')
    const path = /saved \d+ lines to (\S+)/.exec(status(saved))![1]
    expect(existsSync(path)).toBe(true)
    expect(readFileSync(path, 'utf8')).toContain('line 5000\n')

    tmux.keys(s, 'q')
    await until((t) => t.includes('EXIT=0'), 'q quits')
  })

  it('several jobs: j shows the job list, space hides a job, Ctrl-C quits', async () => {
    const s = 'multi'
    const until = (check: (text: string) => boolean, what: string) => tmux.until(s, check, what)
    tmux.open(s, `cd ${sandbox.home} && node ${BIN} tail keys-1 keys-2 --buffer 500; echo "EXIT=$?"; sleep 600`)
    await until((t) => t.includes('other job line') && t.includes('line 5000'), 'both jobs')
    tmux.keys(s, 'j')
    const list = await until((t) => t.includes('[x] keys-1') && t.includes('[x] keys-2'), 'the job list')
    // The list is in the order the jobs arrived: hide whichever the cursor is on.
    const hidden = /> \[x\] (keys-[12])/.exec(list)![1]
    const [hiddenLine, shownLine] = hidden === 'keys-1' ? ['line 5000', 'other job line'] : ['other job line', 'line 5000']
    tmux.keys(s, 'Space')
    await until((t) => t.includes(`[ ] ${hidden}`), `${hidden} hidden`)
    tmux.keys(s, 'j')
    const screen = await until((t) => !t.includes(`[ ] ${hidden}`) && t.includes(shownLine), `the log without ${hidden}`)
    expect(logRows(screen).some((r) => r.includes(hiddenLine))).toBe(false)
    tmux.keys(s, 'C-c')
    await until((t) => t.includes('EXIT=0'), 'Ctrl-C quits')
  })
  it('? stays whole through resizes: no rows drawn over each other, nothing left of a longer row', async () => {
    const s = 'help-resize'
    const until = (check: (text: string) => boolean, what: string) => tmux.until(s, check, what)
    tmux.open(s, `cd ${sandbox.home} && node ${BIN} tail keys-2; echo "EXIT=$?"; sleep 600`, {x: 100, y: 30})
    await until((t) => logRows(t).includes('other job line'), 'the viewer')
    tmux.keys(s, '?')
    // The help as drawn in an x×y terminal: its rows that fit (y less the two bars and the row ink leaves), cut to x.
    const help = (x: number, y: number): string[] =>
      ['logs tail — keys (any key closes this help)', ...KEYS.map(([keys, what]) => `${keys.padEnd(20)} ${what}`)].slice(0, y - 3).map((row) => cutToWidth(`  ${row}`, x))
    const shown = (x: number, y: number) => (t: string) => {
      const rows = logRows(t).map((row) => row.trimEnd())
      const expected = help(x, y)
      while (expected.length < y - 3) expected.push('')
      return rows.length === y - 3 && rows.join('\n') === expected.join('\n')
    }
    await until(shown(100, 30), 'the whole help')
    for (const [x, y] of [
      [100, 14],
      [40, 12],
      [120, 10],
      [100, 30],
    ]) {
      tmux.run('resize-window', '-t', s, '-x', String(x), '-y', String(y))
      await until(shown(x, y), `the help at ${x}×${y}, each row once and whole`)
    }
    tmux.keys(s, 'x')
    await until((t) => !t.includes('logs tail — keys') && logRows(t).includes('other job line'), 'the help closed')
    tmux.keys(s, 'q')
    await until((t) => t.includes('EXIT=0'), 'q quits')
  })
})
