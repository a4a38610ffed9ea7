import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {chunkMetaKey} from '../../../src/lib/archive/chunk-layout.js'
import {readBytes} from '../../../src/lib/store/object/bucket.js'
import {S3Bucket} from '../../../src/lib/store/object/s3-bucket.js'
import {collect, isolatedEnv, runCli, startCli, tempHome} from '../../helpers/cli.js'
import {startFaultProxy, type FaultProxy} from '../../helpers/fault-proxy.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {waitUntil} from '../../helpers/wait.js'

// Two `logs push` on one job in an object store take turns under the job's lock. A pusher with
// a steady backlog used to take the lock back right after its 5 s turn, so the other one
// rarely got in: its spool grew and its exit waited. Each chunk write is held 200 ms by the
// fault proxy, so lines fed steadily keep both pushers' backlogs from ever running dry.
describe('two pushers on one object-store job', () => {
  let s3: S3Server
  let proxy: FaultProxy
  const homes = [tempHome(), tempHome()]
  beforeAll(async () => {
    s3 = await startS3Server()
    await s3.createBucket('shared')
    proxy = await startFaultProxy(s3.endpoint)
  })
  afterAll(async () => {
    await proxy.stop()
    await s3.destroy()
    for (const home of homes) home.cleanup()
  })

  it('both make progress while both have a backlog; the object holds every line of both once, in seq order', async () => {
    const job = 'two-pushers'
    const store = `s3://shared/live?endpoint=${encodeURIComponent(proxy.url)}`
    const bucket = new S3Bucket({client: s3.client(), bucket: 'shared', prefix: 'live'})
    proxy.inject({kind: 'slow', ms: 200}, {match: (method, path) => method === 'PUT' && path.includes(`/.chunks/${job}/`) && path.endsWith('.jsonl.gz')})
    const pushers = ['a', 'b'].map((name, i) => {
      const env = isolatedEnv(homes[i].home, {...s3.env(), AWS_EC2_METADATA_DISABLED: 'true'})
      const child = startCli(['push', '--job', job, '--store', store, '--flush-interval', '0s'], {env})
      return {name, child, result: collect(child, 120_000), fed: 0}
    })
    // Fed steadily, faster than a pusher ships while each chunk write is held.
    const feeder = setInterval(() => {
      for (const pusher of pushers) {
        const lines = Array.from({length: 50}, (_, k) => `${pusher.name} ${pusher.fed + k}\n`).join('')
        pusher.fed += 50
        pusher.child.stdin!.write(lines)
      }
    }, 20)
    // Each writer's last batch as the chunk metadata records it: every value seen is an append of its.
    const seen = new Map<string, Set<number>>()
    try {
      await waitUntil(
        async () => {
          const data = await readBytes(bucket, chunkMetaKey(job))
          const writers = data ? ((JSON.parse(data.toString('utf8')) as {writers?: Record<string, number>}).writers ?? {}) : {}
          for (const [writer, batch] of Object.entries(writers)) seen.set(writer, (seen.get(writer) ?? new Set()).add(batch))
          return seen.size === 2 && [...seen.values()].every((batches) => batches.size >= 4)
        },
        {timeout: 40_000, interval: 100, what: 'both pushers appending'},
      ).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; appends seen per writer: ${JSON.stringify([...seen.values()].map((batches) => batches.size))}`)
      })
    } finally {
      clearInterval(feeder)
      for (const pusher of pushers) pusher.child.stdin!.end()
    }
    for (const pusher of pushers) expect(await pusher.result).toMatchObject({code: 0, stderr: ''})
    proxy.clear()
    await bucket.close()

    const got = await runCli(['get', job, '--store', store, '--output', 'json'], {
      env: isolatedEnv(homes[0].home, {...s3.env(), AWS_EC2_METADATA_DISABLED: 'true'}),
      timeout: 60_000,
    })
    expect(got.code).toBe(0)
    const entries = got.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {seq: number; line: string})
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1))
    for (const pusher of pushers) {
      const own = entries.filter((e) => e.line.startsWith(`${pusher.name} `)).map((e) => e.line)
      expect(own).toEqual(Array.from({length: pusher.fed}, (_, k) => `${pusher.name} ${k}`))
    }
    expect(entries.length).toBe(pushers[0].fed + pushers[1].fed)
  })
})
