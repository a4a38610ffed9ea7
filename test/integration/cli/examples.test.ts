/**
 * Every example shown to users — each command's --help, the top-level help and README.md's
 * shell blocks — runs here as written, in bash, against real stores: a file store seeded
 * with the jobs the examples name, redis-server for redis://logs.internal:6379 and
 * redis://redis:6379, s3rver for s3://my-bucket/logs, and a `logs serve` relay (token
 * s3cret, read token viewer) for http://relay:8080. Each example gets its own copy of the
 * seeded home, so one that deletes or archives a job does not change the next.
 * A `logs serve` example must print "listening on" and stop cleanly on SIGTERM; every other
 * one must exit 0.
 */
import {spawn} from 'node:child_process'
import {chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, collect, isolatedEnv, ROOT, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {helpExamples, readmeExamples, type Example} from '../../helpers/examples.js'
import {startRedis, type RedisServer} from '../../helpers/redis-server.js'
import {startServeCli, stopServeCli} from '../../helpers/relay.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {waitUntil} from '../../helpers/wait.js'
import {startTogether} from '../../helpers/start-together.js'

/** Not usage examples: they install the project, run its whole suite or its benchmarks. Each must still be in the README. */
const NOT_RUN: Record<string, string> = {
  'npm ci && printf \'build started\\nERROR: disk full\\n{"level":"warn","msg":"slow"}\\n\' | npx logs push --job demo && npx logs get demo --level warn':
    'reinstalls node_modules of this checkout',
  'bash .ci/run': 'runs the whole suite',
}
/** Examples whose outcome here differs from a real deployment's, and why. */
const EXPECTED: Record<string, {code: number; stderr: RegExp; why: string}> = {}
for (const command of [
  'logs gc --archive s3://my-bucket/logs --apply-lifecycle',
  'logs gc --archive s3://my-bucket/logs --apply-lifecycle   # let the S3 bucket expire objects itself',
]) {
  // The rule's requests are checked against S3's documented contract in s3-archive.test.ts.
  EXPECTED[command] = {code: 1, stderr: /cannot read the lifecycle configuration: .*\(HTTP 501/, why: 's3rver does not implement bucket lifecycle (501)'}
}
const isBench = (command: string) => command.startsWith('npx tsx bench/')
// Verified by hand (README "Install logs globally"): they change this checkout or the machine's global packages.
const isInstall = (command: string) => /^npm (ci|pack|install -g|link|uninstall)\b/.test(command)

const examples = [...helpExamples(), ...readmeExamples()]
const runnable = examples.filter((e) => !(e.command in NOT_RUN) && !isBench(e.command) && !isInstall(e.command))

let home: {home: string; cleanup: () => void}
let redis: RedisServer
let s3: S3Server
let relay: Awaited<ReturnType<typeof startServeCli>>

const GH_RUN_LOG = join(ROOT, 'test', 'fixtures', 'ci', 'gh-run-view.log')
const template = () => join(home.home, 'template')
const bin = () => join(home.home, 'bin')

function script(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
}

function baseEnv(dir: string): NodeJS.ProcessEnv {
  return isolatedEnv(dir, {
    ...s3.env(),
    AWS_EC2_METADATA_DISABLED: 'true',
    PATH: `${bin()}:${process.env.PATH}`,
    T: 's3cret',
    RW: 'rw-token',
    RO: 'ro-token',
    DEPLOY_TOKEN: 'd3ploy-t0ken',
    SESSION_ID: 'sess-1234',
  })
}

beforeAll(async () => {
  home = tempHome()
  ;[redis, s3] = await startTogether([startRedis(), startS3Server()])
  await s3.createBucket('my-bucket')
  mkdirSync(bin())
  // `logs` on PATH, as after `npm install -g`; the programs the examples pipe from.
  script(join(bin(), 'logs'), `exec "${process.execPath}" "${BIN}" "$@"`)
  script(join(bin(), 'some-job'), 'echo "starting"; echo "ERROR: disk full" >&2; echo "done"')
  // GitHub's CLI: `gh run view ID --log` prints a run's log with each line's job and step before it.
  script(join(bin(), 'gh'), `cat "${GH_RUN_LOG}"`)
  script(join(bin(), 'deploy.sh'), 'echo "deploying with token $DEPLOY_TOKEN"; echo "api_key=abc123"; echo "deployed"')

  const seed = template()
  const work = join(seed, 'work')
  mkdirSync(work, {recursive: true})
  writeFileSync(join(work, 'Makefile'), 'all:\n\t@echo compiling\n\t@echo "WARN slow step"\ntest:\n\t@echo "running tests"\n\t@echo "ok 1 - works"\n')
  script(join(work, 'etl.sh'), 'echo "extract $1"; echo "load done"')
  script(join(work, 'release.sh'), 'echo "releasing"')
  writeFileSync(join(work, 'secrets.txt'), 'hunter2\n')
  // The pipelined requests the relay section sends with curl -T.
  writeFileSync(join(work, 'part1.log'), 'first part\n')
  writeFileSync(join(work, 'part2.log'), 'second part\n')
  const env = baseEnv(seed)
  const push = async (args: string[], input: string) => expect((await runCli(['push', ...args], {env, input})).code).toBe(0)
  // Sections as GitHub Actions marks them, named as the --section examples name them.
  const build42 = [
    'INFO starting build',
    '::group::Run tests',
    'WARN request timeout, retrying',
    'ERROR connection reset by peer',
    'INFO healthcheck ok',
    '::endgroup::',
    '::group::deploy-prod',
    'ERROR connection refused',
    '::endgroup::',
    'INFO done',
  ].join('\n')
  await push(['--job', 'build-41', '--exit-code', '0', '--label', 'env=prod', '--label', 'team=web'], 'INFO old build\n')
  await push(['--job', 'build-42', '--exit-code', '0', '--label', 'env=prod', '--label', 'team=web', '--label', 'tier=backend'], `${build42}\n`)
  expect((await runCli(['run', '--job', 'build-42', '--', 'sh', '-c', 'echo "stderr: ERROR flaky test" >&2'], {env})).code).toBe(0)
  await push(['--job', 'build-43', '--exit-code', '0', '--label', 'env=dev', '--label', 'team=infra'], 'INFO next build\n')
  await push(['--job', 'deploy-7', '--exit-code', '0', '--label', 'env=test'], 'deploying\n')
  await push(['--job', 'deploy-3', '--exit-code', '0'], 'deployed\n')
  await push(['--job', 'test-7', '--exit-code', '0'], 'tests\n')
  await push(['--job', 'gha-123', '--exit-code', '1'], readFileSync(GH_RUN_LOG, 'utf8'))

  const relayHome = join(home.home, 'relay')
  cpSync(seed, relayHome, {recursive: true})
  relay = await startServeCli(['--token', 's3cret', '--read-token', 'viewer'], baseEnv(relayHome))
}, 180_000)

afterAll(async () => {
  if (relay) await stopServeCli(relay)
  await Promise.all([redis?.destroy(), s3?.destroy()])
  home?.cleanup()
})

/** The example with the test's servers in place of the hosts it names. */
function localised(command: string): string {
  const local = command
    .replaceAll('http://relay:8080', relay.url)
    .replaceAll(/redis:\/\/(logs\.internal|redis):6379/g, redis.url)
    .replaceAll('--port 8080', '--port 0')
  // Examples run at once: one that takes serve's default port (8080) gets a free one instead
  // (0: the system's pick, which serve prints; no other process can take it first).
  if (/\blogs serve\b/.test(local) && !/ (--port|-p)\b/.test(local)) return local.replace(/\blogs serve\b/, 'logs serve --port 0')
  return local
}

let copies = 0
async function run(example: Example) {
  const dir = join(home.home, `run-${++copies}`)
  cpSync(template(), dir, {recursive: true})
  const child = spawn('bash', ['-o', 'pipefail', '-c', localised(example.command)], {
    cwd: join(dir, 'work'),
    env: baseEnv(dir),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const serving = /^(\S+=\S+ )*logs serve\b/.test(example.command)
  // Only globs or a selector: nothing is named, so it waits for matching jobs to start.
  const selecting = /^logs tail( ('[^' ]*\*[^' ]*'|-l \S+))+( --since \S+)?\s*(#.*)?$/.test(example.command)
  const done = collect(child)
  if (selecting) {
    // A selector follows the matching jobs that run now and every one that starts later (none runs in the seed): start one.
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    const env = baseEnv(dir)
    // It runs until the test has seen its line: a job that starts and ends between two listings is not followed.
    const push = startCli(['push', '--job', 'build-new', '--label', 'env=prod', '--label', 'team=web'], {env})
    const pushed = collect(push)
    push.stdin!.write('a new matching job\n')
    await waitUntil(() => stdout.includes('a new matching job') || child.exitCode !== null, {what: 'the new matching job on stdout', timeout: 30_000})
    // Piped, tail exits once every job it follows has ended.
    push.stdin!.end()
    expect((await pushed).code).toBe(0)
  } else if (serving) {
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    await waitUntil(() => stdout.includes('listening on') || child.exitCode !== null, {what: 'logs serve to listen'})
    process.kill(-child.pid!, 'SIGTERM')
  }
  return {serving, selecting, result: await done}
}

describe('every example shown to users runs', () => {
  it('finds the examples, and every one it does not run is still shown', () => {
    expect(helpExamples().length).toBeGreaterThan(40)
    expect(readmeExamples().length).toBeGreaterThan(40)
    for (const command of Object.keys(NOT_RUN)) expect(examples.map((e) => e.command)).toContain(command)
  })

  it.concurrent.each(runnable.map((e) => [`${e.source}: ${e.command}`, e] as const))('%s', async (_name, example) => {
    const {serving, selecting, result} = await run(example)
    const report = `${example.source}: ${example.command}\nexit ${result.code} ${result.signal ?? ''}\nstdout: ${result.stdout.slice(0, 2000)}\nstderr: ${result.stderr.slice(0, 2000)}`
    const expected = EXPECTED[example.command]
    if (serving) {
      expect(result.stdout, report).toMatch(/listening on http:\/\//)
      expect(result.code === 0 || result.code === 143 || result.signal === 'SIGTERM', report).toBe(true)
    } else if (selecting) {
      expect(result.stdout, report).toContain('build-new')
      expect(result.stdout, report).toContain('a new matching job')
      expect(result.code, report).toBe(0)
    } else if (expected) {
      expect(result.code, `${report}\n(${expected.why})`).toBe(expected.code)
      expect(result.stderr, report).toMatch(expected.stderr)
    } else {
      expect(result.code, report).toBe(0)
    }
  })
})
