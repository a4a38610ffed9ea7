/**
 * markerText (structure/marker-text.ts): the header text output shows for a section
 * marker of each CI system, and nothing for a line that only looks like one. Every line it
 * shows as a header starts as startsAsMarker says, which readsAsText relies on.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {stripAnsi} from '../../src/lib/level.js'
import {MARKER_STARTS, markerText, startsAsMarker} from '../../src/lib/structure/marker-text.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ci')
const fixtureLines = (name: string) => readFileSync(join(FIXTURES, name), 'utf8').replace(/\n$/, '').split('\n')

describe('markerText', () => {
  it("shows each system's markers as headers: ▾ open, ▸ folded, ▴ an end (with its name when the marker names it)", () => {
    const shown = (lines: string[]) => lines.map(markerText).filter((text) => text !== undefined)
    expect(shown(fixtureLines('github.log'))).toEqual(['▾ Install dependencies', '▴', '▾ Run tests', '▴'])
    expect(shown(fixtureLines('azure.log'))).toEqual(['▾ Install dependencies', '▴', '▾ Run tests', '▴'])
    expect(shown(fixtureLines('teamcity.log'))).toEqual(['▾ Compile', "▾ Module 'core'", "▴ Module 'core'", '▴ Compile', '▾ Test', '▾ Unit', '▴ Test'])
    expect(shown(fixtureLines('gitlab.log'))).toEqual(['▸ Preparing the environment', '▾ Fetching sources', '▴ fetch', '▴ prepare', '▾ Executing the script'])
    // Each line on its own: the `^^^ +++` after `--- :package: Build` unfolds it in the sections, not in its header line.
    expect(shown(fixtureLines('buildkite.log'))).toEqual(['▸ Preparing working directory', '▸ :package: Build', '▾ :test_tube: Test', '▸ Uploading artifacts'])
    // Jenkins: a stage's start only (its `[Pipeline] }` ends a step's block as often, and stays as it is).
    expect(shown(fixtureLines('jenkins.log'))).toEqual(['▾ Checkout', '▾ Build', '▾ Test', '▾ Unit', '▾ Deploy'])
    // Behind a timestamp prefix (a downloaded log): the header takes the whole line.
    expect(shown(fixtureLines('github-download.log'))).toEqual(['▾ Runner Image', '▴', '▾ Run actions/checkout@v4', '▴', '▾ Run npm test', '▴'])
    expect(shown(fixtureLines('gitlab-timestamps.log'))).toEqual(['▾ prepare_executor', '▴ prepare_executor', '▾ step_script', '▴ step_script'])
    expect(shown(fixtureLines('jenkins-timestamps.log'))).toEqual(['▾ Checkout', '▾ Build', '▾ Test', '▾ Unit', '▾ Deploy'])
    // Behind gh run view --log's job and step columns too.
    expect(shown(fixtureLines('gh-run-view.log'))).toEqual(shown(fixtureLines('github-download.log')))
  })

  it('shows nothing for lines that only look like markers', () => {
    for (const line of [
      '##[section]Starting: Build',
      '##[error]failed',
      '##vso[task.logissue type=error]x',
      "##teamcity[message text='x']",
      "##teamcity[blockOpened name='']",
      '::error::x',
      '^^^ +++',
      '## Heading',
      '+ echo ::group::x',
      '\u001B[32mok\u001B[0m',
      '[Pipeline] {',
      '[Pipeline] }',
      '[Pipeline] stage',
      '[Pipeline] { ()',
      '[Pipeline] // stage',
    ]) {
      expect(markerText(line), line).toBeUndefined()
    }
  })

  it('every line shown as a header starts as startsAsMarker says: with one of MARKER_STARTS, or behind a timestamp prefix', () => {
    const lines = [
      'github.log',
      'azure.log',
      'teamcity.log',
      'gitlab.log',
      'buildkite.log',
      'jenkins.log',
      'github-download.log',
      'gitlab-timestamps.log',
      'jenkins-timestamps.log',
      'gh-run-view.log',
    ].flatMap(fixtureLines)
    const headers = lines.filter((line) => markerText(line) !== undefined)
    expect(headers.length).toBeGreaterThan(30)
    for (const line of headers) expect(startsAsMarker(stripAnsi(line)), line).toBe(true)
    expect(headers.filter((line) => MARKER_STARTS.some((start) => stripAnsi(line).startsWith(start)))).toHaveLength(headers.length - 21)
  })
})
