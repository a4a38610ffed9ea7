/**
 * An archive bucket that does not exist (issue 18 item 6 listed it as empty; a mistyped
 * bucket then hid every archived job and made gc do nothing): every command that reads the
 * archive fails as push and archive do — exit 1, the bucket and endpoint named, a hint —
 * against the real s3rver and the Supabase Storage stand-in, which lists a missing bucket
 * as empty as the real server does (SUPABASE-STORAGE.md). Supabase's writers (archive, push)
 * still create the bucket they write to. A directory not created yet is an archive nothing
 * was written to: empty, exit 0.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'
import {startTogether} from '../../helpers/start-together.js'

const home = useIsolatedHome()
let s3: S3Server
let supabase: SupabaseStandin
beforeAll(async () => {
  ;[s3, supabase] = await startTogether([startS3Server(), startSupabaseStandin()])
  await s3.createBucket('real')
})
afterAll(async () => {
  await Promise.all([s3?.destroy(), supabase?.stop()])
})

describe('an archive bucket that does not exist', () => {
  const backends = [
    ['s3', () => 's3://never-created/logs', () => s3.env(), () => s3.endpoint, /aws s3 mb s3:\/\/never-created --endpoint-url http:\/\/127\.0\.0\.1:\d+/],
    ['supabase', () => 'supabase://never-created/logs', () => supabase.env(), () => supabase.url, /create it in Supabase Storage/],
  ] as const

  it.each(backends)('%s: ls, gc, get and sections fail with exit 1, naming the bucket and the endpoint, with the fix', async (name, archive, env, endpoint, hint) => {
    const options = {env: {...home.env, ...env(), LOGS_ARCHIVE: archive()}}
    // The job is in the archive of another bucket: looked for in this one, it must not read as "not found".
    const elsewhere = {env: {...options.env, LOGS_ARCHIVE: 's3://real/logs', ...s3.env()}}
    expect((await runCli(['push', '--job', `gone-${name}`, '--exit-code', '0'], {...elsewhere, input: 'one\n'})).code).toBe(0)
    expect((await runCli(['archive', '--job', `gone-${name}`], elsewhere)).code).toBe(0)
    expect((await runCli(['push', '--job', `live-${name}`, '--exit-code', '0'], {...options, input: 'one\n'})).code).toBe(0)
    for (const args of [['ls'], ['ls', '--json'], ['gc'], ['gc', '--dry-run'], ['gc', '-l', 'team=x'], ['get', `gone-${name}`], ['get', 'gone-*'], ['sections', `gone-${name}`]]) {
      const result = await runCli(args, options)
      expect({args, code: result.code}).toEqual({args, code: 1})
      expect(result.stderr).toContain(`bucket never-created does not exist at ${endpoint()}`)
      expect(result.stderr).toMatch(hint)
      expect(result.stderr).not.toMatch(/not found in|no job matches/)
      if (args.includes('--json')) expect(JSON.parse(result.stdout).error).toMatchObject({code: 'object-store', exitCode: 1})
    }
    // Nothing was created, and gc deleted nothing of the live store on its way to the error.
    if (name === 'supabase') expect(supabase.keys('never-created')).toBeUndefined()
    expect((await runCli(['get', `live-${name}`], options)).stdout).toBe('one\n')
  })

  it('supabase: archive and push, which write jobs into the bucket, create it (private) as they open it, before their first read', async () => {
    const options = {env: {...home.env, ...supabase.env(), LOGS_ARCHIVE: 'supabase://made-by-archive/logs'}}
    expect((await runCli(['push', '--job', 'to-archive', '--exit-code', '0'], {...options, input: 'one\n'})).code).toBe(0)
    const archived = await runCli(['archive'], options)
    expect(archived.stderr).toBe('')
    expect(archived.code).toBe(0)
    expect(supabase.keys('made-by-archive')).toContain('logs/to-archive.meta.json')
    const pushed = await runCli(['push', '--job', 'pushed', '--store', 'supabase://made-by-push/x', '--exit-code', '0'], {...options, input: 'two\n'})
    expect(pushed.stderr).toBe('')
    expect(pushed.code).toBe(0)
    expect((await runCli(['get', 'pushed', '--store', 'supabase://made-by-push/x'], options)).stdout).toBe('two\n')
  })

  it('file: a directory not created yet is an empty archive — ls lists the live jobs, exit 0', async () => {
    const options = {env: {...home.env, LOGS_ARCHIVE: `file://${home.home}/no/such/archive`}}
    expect((await runCli(['push', '--job', 'live-file', '--exit-code', '0'], {...options, input: 'one\n'})).code).toBe(0)
    const listed = await runCli(['ls', '--json'], options)
    expect(listed.stderr).toBe('')
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.stdout).map((job: {id: string}) => job.id)).toContain('live-file')
    expect((await runCli(['gc', '--dry-run'], options)).code).toBe(0)
  })
})
