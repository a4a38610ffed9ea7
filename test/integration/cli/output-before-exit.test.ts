/**
 * A command that fails after printing (exit 1 with its output, as `ls` does when it met a
 * damaged manifest, or `get` when a block could not be read) ends only once its output is
 * in the pipe. CI once lost the last lines of `get --output json` when the reader was behind:
 * oclif ends a failed command with process.exit, which drops what Node still holds for a full pipe.
 *
 * `ls --json` prints its list in one write, larger than a pipe holds (64 KiB), and the reader
 * here reads nothing until the damaged manifest is named on stderr: before, every run lost the
 * part of the list the pipe did not take. The same holds for stderr: the errors that say why.
 */
import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {BlobArchive} from '../../../src/lib/archive/blob-archive.js'
import {DirectoryBucket} from '../../../src/lib/store/object/directory-bucket.js'
import {BIN, collect, isolatedEnv, ROOT, runCli} from '../../helpers/cli.js'
import {iterate} from '../../helpers/iterables.js'
import {endedMeta, stepJob} from '../archive/archive-helpers.js'

const JOBS = 300
const dir = mkdtempSync(join(tmpdir(), 'logs-output-before-exit-'))
const root = join(dir, 'archive')
const env = isolatedEnv(join(dir, 'home'), {LOGS_STORE: `file://${join(dir, 'live')}`, LOGS_ARCHIVE: `file://${root}`})
const ids = Array.from({length: JOBS}, (_, i) => `job-${String(i).padStart(3, '0')}`)

beforeAll(async () => {
  const archive = new BlobArchive({bucket: new DirectoryBucket(root)})
  for (const id of [...ids, 'damaged']) {
    const entries = stepJob(2)
    await archive.put(endedMeta(id, entries), iterate(entries))
  }
  await archive.close()
  writeFileSync(join(root, 'damaged.meta.json'), '{"format": "logs-archive/1", "id": "damaged", "par')
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

it('`ls --json` that met a damaged manifest: the whole list reaches a reader that is behind, then exit 1', async () => {
  const whole = await runCli(['ls', '--json'], {env})
  expect(whole.code).toBe(1)
  expect(whole.stdout.length).toBeGreaterThan(2 * 64 * 1024)
  const errFile = join(dir, 'ls.err')
  const script = `"$NODE" "$BIN" ls --json 2>"$ERR" | { until grep -q 'job damaged: its archive manifest' "$ERR"; do sleep 0.05; done; cat; }; exit \${PIPESTATUS[0]}`
  const result = await collect(spawn('bash', ['-c', script], {cwd: ROOT, env: {...env, NODE: process.execPath, BIN, ERR: errFile}, stdio: ['ignore', 'pipe', 'pipe']}))
  expect((JSON.parse(result.stdout) as Array<{id: string}>).map((job) => job.id).sort()).toEqual(ids)
  expect(result.code).toBe(1)
})

it('`ls` that met 400 damaged manifests: each named on stderr, to a reader that is behind, then exit 1', async () => {
  const many = join(dir, 'many')
  mkdirSync(many)
  const damaged = Array.from({length: 400}, (_, i) => `broken-${String(i).padStart(3, '0')}`)
  for (const id of damaged) writeFileSync(join(many, `${id}.meta.json`), `{"format": "logs-archive/1", "id": "${id}", "par`)
  const manyEnv = {...env, LOGS_ARCHIVE: `file://${many}`}
  // stdout goes to a file, before stderr says anything; stderr's reader waits for it.
  const out = join(dir, 'many.out')
  const script = `"$NODE" "$BIN" ls --json 2>&1 >"$OUT" | { until grep -q ']' "$OUT" 2>/dev/null; do sleep 0.05; done; cat; }; exit \${PIPESTATUS[0]}`
  const result = await collect(spawn('bash', ['-c', script], {cwd: ROOT, env: {...manyEnv, NODE: process.execPath, BIN, OUT: out}, stdio: ['ignore', 'pipe', 'pipe']}))
  expect(result.stdout.length).toBeGreaterThan(64 * 1024)
  expect([...result.stdout.matchAll(/logs: job (broken-\d+): its archive manifest/g)].map((match) => match[1]).sort()).toEqual(damaged)
  expect(result.code).toBe(1)
})
