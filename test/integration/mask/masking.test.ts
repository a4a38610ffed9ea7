/**
 * Secrets never reach a store: real pushes and runs with every source and every default
 * detector, into the file store, Redis, a relay (push --url) and an object store, then
 * archived — and every byte left on disk, in Redis and in the relay's answers is searched
 * for the secret values.
 */
import {rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {startRedis, type RedisServer} from '../../helpers/redis-server.js'
import {startServeCli, stopServeCli} from '../../helpers/relay.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {searchBytes, searchFiles, searchRedis} from '../../helpers/secret-search.js'
import {INPUT, MASKED_OCCURRENCES, maskSources, SECRETS, SOURCE_SECRETS} from './fixture.js'
import {startTogether} from '../../helpers/start-together.js'

let home: {home: string; cleanup: () => void}
let sources: ReturnType<typeof maskSources>
let redis: RedisServer
let s3: S3Server

beforeAll(async () => {
  home = tempHome()
  sources = maskSources()
  ;[redis, s3] = await startTogether([startRedis(), startS3Server()])
  await s3.createBucket('logs')
})

afterAll(async () => {
  await Promise.all([redis?.destroy(), s3?.destroy()])
  home?.cleanup()
  if (sources) rmSync(sources.dir, {recursive: true, force: true})
})

const env = (at = home.home) => isolatedEnv(at, {...sources.env, ...s3.env(), AWS_EC2_METADATA_DISABLED: 'true'})
/** Everything the tool keeps on this machine: store, spools, archive (the config and mask file live elsewhere). */
const onDisk = () => [join(home.home, 'state'), join(home.home, 'data')]

async function metaOf(job: string, args: string[] = []): Promise<{masked?: number; lines: number}> {
  const listed = await runCli(['ls', '--json', ...args], {env: env()})
  expect(listed.code).toBe(0)
  return (JSON.parse(listed.stdout) as Array<{id: string; masked?: number; lines: number}>).find((meta) => meta.id === job)!
}

function expectMaskedOutput(raw: string): void {
  expect(searchBytes('get --output raw', Buffer.from(raw), SECRETS)).toEqual([])
  expect(raw.split('\n')).toHaveLength(INPUT.split('\n').length)
  expect(raw).toContain('::add-mask::***\n')
  expect(raw).toContain('-----BEGIN PRIVATE KEY-----\n***\n***\n-----END PRIVATE KEY-----\n')
}

describe('masking at capture', () => {
  it('push into the file store: every source and detector masked; --tee passes the input through unchanged', async () => {
    const pushed = await runCli(['push', '--job', 'mask-file', '--tee', ...sources.args], {env: env(), input: INPUT})
    expect(pushed.code).toBe(0)
    expect(pushed.stdout).toBe(INPUT)
    expect(searchBytes('stderr', Buffer.from(pushed.stderr), SECRETS)).toEqual([])
    const raw = await runCli(['get', 'mask-file', '--output', 'raw'], {env: env()})
    expectMaskedOutput(raw.stdout)
    expect(await metaOf('mask-file')).toMatchObject({masked: MASKED_OCCURRENCES, lines: INPUT.split('\n').length - 1})
    expect(searchFiles(onDisk(), SECRETS)).toEqual([])
  })

  it('--no-mask-defaults keeps the detectors off but the explicit sources on', async () => {
    const other = tempHome()
    try {
      const pushed = await runCli(['push', '--job', 'mask-nodefaults', '--no-mask-defaults', ...sources.args], {env: env(other.home), input: INPUT})
      expect(pushed.code).toBe(0)
      const raw = (await runCli(['get', 'mask-nodefaults', '--output', 'raw'], {env: env(other.home)})).stdout
      expect(searchBytes('raw', Buffer.from(raw), Object.values(SOURCE_SECRETS))).toEqual([])
      expect(raw).toContain('AKIAIOSFODNN7EXAMPLE')
    } finally {
      other.cleanup()
    }
  })

  it("run: both streams masked in the store, the terminal gets the command's own output", async () => {
    const script = join(sources.dir, 'job.sh')
    writeFileSync(script, `printf '%s' "$1"; printf '%s' "$1" >&2; exit 3\n`)
    const result = await runCli(['run', '--job', 'mask-run', ...sources.args, '--', 'sh', script, INPUT], {env: env()})
    expect(result.code).toBe(3)
    expect(result.stdout).toBe(INPUT)
    expect(result.stderr).toBe(INPUT)
    const json = await runCli(['get', 'mask-run', '--output', 'json'], {env: env()})
    const streams = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).stream as string)
    expect(streams.filter((s) => s === 'stderr')).toHaveLength(INPUT.split('\n').length - 1)
    expect(searchBytes('get --output json', Buffer.from(json.stdout), SECRETS)).toEqual([])
    expect(await metaOf('mask-run')).toMatchObject({masked: 2 * MASKED_OCCURRENCES})
    expect(searchFiles(onDisk(), SECRETS)).toEqual([])
  })

  it('push into Redis (through the spool): nothing in any key, the AOF or the spool', async () => {
    const store = `${redis.url}?prefix=mask:`
    const pushed = await runCli(['push', '--job', 'mask-redis', '--store', store, ...sources.args], {env: env(), input: INPUT})
    expect(pushed.code).toBe(0)
    expectMaskedOutput((await runCli(['get', 'mask-redis', '--output', 'raw', '--store', store], {env: env()})).stdout)
    expect(await metaOf('mask-redis', ['--store', store])).toMatchObject({masked: MASKED_OCCURRENCES})
    await redis.cli('BGREWRITEAOF')
    const {hits, keys} = await searchRedis(redis.url, SECRETS)
    expect(keys).toBeGreaterThan(0)
    expect(hits).toEqual([])
    expect(searchFiles([...onDisk(), redis.dir], SECRETS)).toEqual([])
  })

  it("push --url: masked before it leaves the machine; the relay's answers and store hold none", async () => {
    const server = tempHome()
    const relay = await startServeCli(['--host', '127.0.0.1'], isolatedEnv(server.home))
    try {
      const pushed = await runCli(['push', '--job', 'mask-relay', '--url', relay.url, ...sources.args], {env: env(), input: INPUT})
      expect(pushed.code).toBe(0)
      const answers = await Promise.all(
        ['/v1/jobs/mask-relay', '/v1/jobs/mask-relay/logs', '/v1/jobs/mask-relay/logs/download', '/v1/jobs/mask-relay/logs/stream'].map(async (path) => {
          const response = await fetch(relay.url + path)
          expect(response.status, path).toBe(200)
          return {path, body: Buffer.from(await response.arrayBuffer())}
        }),
      )
      for (const {path, body} of answers) expect(searchBytes(path, body, SECRETS)).toEqual([])
      expect(JSON.parse(answers[0].body.toString())).toMatchObject({masked: MASKED_OCCURRENCES})
      expect(answers[2].body.toString()).toContain('::add-mask::***')
      expect(searchFiles([...onDisk(), server.home], SECRETS)).toEqual([])
    } finally {
      await stopServeCli(relay)
      server.cleanup()
    }
  })

  // Before: `::add-mask::` inside a JSON line registered `JsonAddMask1"}` and cut the line's closing `"}`.
  it('::add-mask:: is a command only at the start of a line: elsewhere the line is stored as it is', async () => {
    const input = '{"msg":"::add-mask::JsonAddMask1"}\nlater JsonAddMask1\n  ::add-mask::Indented-Secret-9\t\nlater Indented-Secret-9 end\n'
    const pushed = await runCli(['push', '--job', 'mask-add-mask'], {env: env(), input})
    expect(pushed.code).toBe(0)
    const raw = await runCli(['get', 'mask-add-mask', '--output', 'raw'], {env: env()})
    expect(raw.stdout).toBe('{"msg":"::add-mask::JsonAddMask1"}\nlater JsonAddMask1\n  ::add-mask::***\t\nlater *** end\n')
    const json = await runCli(['get', 'mask-add-mask', '--output', 'json'], {env: env()})
    expect(JSON.parse(json.stdout.split('\n')[0]).fields).toEqual({msg: '::add-mask::JsonAddMask1'})
    expect(searchBytes('get --output json', Buffer.from(json.stdout), ['Indented-Secret-9'])).toEqual([])
  })

  it('push straight into an object store, then archive from the file store: no object holds a secret', async () => {
    const store = 's3://logs/live'
    const pushed = await runCli(['push', '--job', 'mask-s3', '--store', store, '--flush-interval', '50ms', ...sources.args], {env: env(), input: INPUT})
    expect(pushed.code).toBe(0)
    const raw = await runCli(['get', 'mask-s3', '--output', 'raw', '--store', store, '--archive', store], {env: env()})
    expectMaskedOutput(raw.stdout)
    expect(await metaOf('mask-s3', ['--store', store, '--archive', store])).toMatchObject({masked: MASKED_OCCURRENCES})

    const archived = await runCli(['archive', '--job', 'mask-file', '--archive', 's3://logs/archive'], {env: env()})
    expect(archived.code).toBe(0)
    expect(await metaOf('mask-file', ['--archive', 's3://logs/archive'])).toMatchObject({masked: MASKED_OCCURRENCES, location: {kind: 'archived'}})
    expect(searchFiles([...onDisk(), s3.dir], SECRETS)).toEqual([])
  })
})
