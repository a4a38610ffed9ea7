/**
 * Sections and phase in the real viewer under tmux: GitLab and Buildkite logs (written from
 * their documented markers) shown as foldable headers with durations, folded where the
 * marker says so; the keys z, Z, ] and [ of the help; and a live job's phase and progress
 * in the top row, updated as its JSON lines report new ones.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, collect, ROOT, runCli, startCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {terminalEnv, Tmux, viewerRows, viewerStatus, viewerToolbar} from '../../helpers/tmux.js'

const fixture = (name: string) => readFileSync(join(ROOT, 'test', 'fixtures', 'ci', name))
/** The log rows of a screen, blank ones left out. */
const logRows = (screen: string): string[] => viewerRows(screen).filter((row) => row.trim() !== '')
const toolbar = viewerToolbar
const status = viewerStatus

describe('logs tail on a terminal: sections and phase (tmux)', () => {
  const sandbox = useIsolatedHome()
  let tmux: Tmux
  beforeAll(async () => {
    tmux = new Tmux(terminalEnv(sandbox.env))
    expect((await runCli(['push', '--job', 'gitlab', '--exit-code', '1'], {env: sandbox.env, input: fixture('gitlab.log')})).code).toBe(0)
    expect((await runCli(['push', '--job', 'buildkite', '--exit-code', '0'], {env: sandbox.env, input: fixture('buildkite.log')})).code).toBe(0)
  })
  afterAll(() => tmux?.kill())

  it('GitLab: headers with durations, [collapsed=true] folded; ? lists z Z ] [; z, Z, ] and [ fold, unfold and move', async () => {
    const s = 'gitlab'
    const until = (check: (text: string) => boolean, what: string) => tmux.until(s, check, what)
    tmux.open(s, `cd ${sandbox.home} && node ${BIN} tail gitlab; echo "EXIT=$?"; sleep 600`)
    // The plain first screen (drawn before Ink loads) has no folds; the viewer's headers carry durations.
    const first = await until((t) => logRows(t).includes('ERROR: 2 tests failed') && logRows(t)[0].includes(' · '), 'the viewer')
    // prepare is folded (its marker says collapsed=true): its header only, with its duration and lines.
    expect(logRows(first)).toEqual([
      '▸ Preparing the environment  10s · 6 lines',
      expect.stringMatching(/^▾ Executing the script {2}\S+ · 3 lines · 1 error · failed$/),
      'make test',
      'ERROR: 2 tests failed',
    ])
    expect(first).not.toContain('section_start')

    tmux.keys(s, '?')
    await until((t) => t.includes('fold / unfold the section at the cursor / all sections') && t.includes('next / previous section'), 'z Z ] [ in the help')
    tmux.keys(s, 'x')
    await until((t) => logRows(t).includes('make test'), 'the help closed')

    // Z folds every section, Z again unfolds every one (nested ones included).
    tmux.keys(s, 'Z')
    await until((t) => logRows(t).length === 2 && logRows(t)[1].startsWith('▸ Executing the script') && status(t).includes('all sections folded'), 'Z folds all')
    // A search skips folded lines, and says so.
    tmux.keys(s, 'E')
    await until((t) => status(t).includes('no error above outside folded sections (Z unfolds them all)'), 'E with every section folded')
    tmux.keys(s, 'Z')
    const open = await until((t) => logRows(t).includes('Running on runner-1') && logRows(t).includes('git fetch'), 'Z unfolds all')
    expect(logRows(open)).toContain('▾ Fetching sources  3s · 3 lines')

    // [ goes to the previous section's header, z folds the section at the cursor.
    tmux.keys(s, '[')
    tmux.keys(s, 'z')
    await until(
      (t) => logRows(t).at(-1)!.startsWith('▸ Executing the script') && !logRows(t).includes('make test') && status(t).includes('folded Executing the script'),
      '[ then z',
    )
    tmux.keys(s, '[')
    tmux.keys(s, 'z')
    await until(
      (t) => logRows(t).includes('▸ Fetching sources  3s · 3 lines') && !logRows(t).includes('git fetch') && logRows(t).includes('Running on runner-1'),
      'the nested one folded',
    )
    // ] goes to the next header; z there unfolds it.
    tmux.keys(s, ']')
    tmux.keys(s, 'z')
    await until((t) => logRows(t).includes('make test') && status(t).includes('unfolded Executing the script'), '] then z')

    tmux.keys(s, 'q')
    await until((t) => t.includes('EXIT=0'), 'q quits')
  })

  it('Buildkite: --- and ~~~ groups folded, +++ and ^^^ +++ open', async () => {
    const s = 'buildkite'
    tmux.open(s, `cd ${sandbox.home} && node ${BIN} tail buildkite; echo "EXIT=$?"; sleep 600`)
    const screen = await tmux.until(s, (t) => logRows(t).some((r) => /^▸ Uploading artifacts {2}\S+ · /.test(r)), 'the viewer')
    expect(logRows(screen).map((r) => r.replace(/ {2}\S+ · .*$/, ''))).toEqual([
      '▸ Preparing working directory',
      '▾ :package: Build',
      'make build',
      '^^^ +++',
      '▾ :test_tube: Test',
      'make test',
      'WARN flaky',
      '▸ Uploading artifacts',
    ])
    tmux.keys(s, 'q')
    await tmux.until(s, (t) => t.includes('EXIT=0'), 'q quits')
  })

  it("a live job's phase and progress in the top row, updated as they change; its open section shown running", async () => {
    const s = 'live'
    const until = (check: (text: string) => boolean, what: string) => tmux.until(s, check, what)
    const pusher = startCli(['push', '--job', 'deploy'], {env: sandbox.env})
    const pushed = collect(pusher)
    try {
      pusher.stdin!.write('::group::Deploy\n{"phase":"migrate","progress":60}\n')
      tmux.open(s, `cd ${sandbox.home} && node ${BIN} tail deploy; echo "EXIT=$?"; sleep 600`)
      await until((t) => toolbar(t).includes('phase: migrate ▕██████░░░░▏ 60%') && logRows(t).some((r) => r.startsWith('▾ Deploy  running')), 'the phase and progress')
      pusher.stdin!.write('{"phase":"verify","progress":90}\n')
      await until((t) => toolbar(t).includes('phase: verify ▕█████████░▏ 90%'), 'the new phase and progress')
    } finally {
      pusher.stdin!.end()
      await pushed
    }
    await until((t) => status(t).includes('deploy ended'), 'the end')
    tmux.keys(s, 'q')
    await until((t) => t.includes('EXIT=0'), 'q quits')
  })
})
