/**
 * How the viewer ends and what it says of a job's end, under tmux: `--exit-code` decides
 * the exit status as piped `tail` does (a glob's match included), and the top row says
 * a job has ended rather than "following".
 */
import type {ChildProcess} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, collect, runCli, startCli, type CliResult} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {terminalEnv, Tmux, viewerStatus, viewerToolbar} from '../../helpers/tmux.js'

describe('logs tail on a terminal: exit status and the end of a job (tmux)', () => {
  const sandbox = useIsolatedHome()
  let tmux: Tmux
  beforeAll(() => {
    tmux = new Tmux(terminalEnv(sandbox.env))
  })
  afterAll(() => tmux?.kill())

  function openPush(job: string, ...args: string[]): {child: ChildProcess; write: (text: string) => void; end: () => Promise<CliResult>} {
    const child = startCli(['push', '--job', job, ...args], {env: sandbox.env})
    const done = collect(child, 60_000)
    return {child, write: (text) => child.stdin!.write(text), end: () => (child.stdin!.end(), done)}
  }

  it.each([
    ['a glob', 'gfail-1', "'gfail-*'", 'q'],
    ['a glob, quit with Ctrl-C', 'cfail-1', "'cfail-*'", 'C-c'],
    ['a job id', 'ifail-1', 'ifail-1', 'q'],
    ['a glob whose match starts once the viewer is open', 'lfail-1', "'lfail-*'", 'q'],
  ])('--exit-code with %s: a followed job that failed while watched decides the exit status', async (_what, job, target, quitKey) => {
    const s = job
    const later = job.startsWith('l')
    if (later) {
      tmux.open(s, `cd ${sandbox.home} && node ${BIN} tail ${target} --exit-code; echo "EXIT=$?"; sleep 600`)
      await tmux.until(s, (t) => viewerStatus(t).includes('waiting for jobs'), 'the viewer waiting for a match')
    }
    const pusher = openPush(job, '--exit-code', '4')
    pusher.write('first line\n')
    if (!later) tmux.open(s, `cd ${sandbox.home} && node ${BIN} tail ${target} --exit-code; echo "EXIT=$?"; sleep 600`)
    await tmux.until(s, (t) => t.includes('first line') && viewerStatus(t).includes('running'), 'the running job')
    expect((await pusher.end()).code).toBe(0)
    await tmux.until(s, (t) => viewerStatus(t).includes('failed (exit 4)'), 'the failed end')
    tmux.keys(s, quitKey)
    await tmux.until(s, (t) => /EXIT=\d+/.test(t), 'the viewer to exit')
    expect(tmux.screen(s)).toContain('EXIT=4')
  })

  it('--exit-code with several failed jobs: the first to fail decides, as piped tail does, not the first followed', async () => {
    const first = openPush('order-1', '--exit-code', '3')
    first.write('line of 1\n')
    const s = 'order'
    tmux.open(s, `cd ${sandbox.home} && node ${BIN} tail 'order-*' --exit-code; echo "EXIT=$?"; sleep 600`)
    await tmux.until(s, (t) => t.includes('line of 1') && viewerStatus(t).includes('running'), 'order-1')
    const second = openPush('order-2', '--exit-code', '4')
    second.write('line of 2\n')
    await tmux.until(s, (t) => t.includes('line of 2') && viewerStatus(t).includes('2 jobs: 2 running'), 'order-2 joining')
    expect((await second.end()).code).toBe(0)
    await tmux.until(s, (t) => viewerStatus(t).includes('1 running, 1 failed'), 'order-2 failed')
    expect((await first.end()).code).toBe(0)
    await tmux.until(s, (t) => viewerStatus(t).includes('0 running, 2 failed'), 'order-1 failed')
    tmux.keys(s, 'q')
    await tmux.until(s, (t) => /EXIT=\d+/.test(t), 'the viewer to exit')
    expect(tmux.screen(s)).toContain('EXIT=4')
  })

  it('the top row says a job that had ended before it was opened has ended, not following', async () => {
    expect((await runCli(['push', '--job', 'done-1', '--exit-code', '3'], {env: sandbox.env, input: 'all done\n'})).code).toBe(0)
    const s = 'ended'
    tmux.open(s, `cd ${sandbox.home} && node ${BIN} tail done-1; echo "EXIT=$?"; sleep 600`)
    const text = await tmux.until(s, (t) => t.includes('all done') && viewerStatus(t).includes('failed (exit 3)'), 'the ended job')
    expect(viewerToolbar(text)).not.toContain('following')
    expect(viewerToolbar(text)).toContain('ended: failed (exit 3)')
    tmux.keys(s, 'q')
    await tmux.until(s, (t) => t.includes('EXIT=0'), 'the viewer to exit')
  })
})
