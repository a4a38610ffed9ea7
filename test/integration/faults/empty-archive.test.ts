/**
 * Nothing archived yet (issue 18, item 6): an archive whose bucket or directory was never
 * created lists as empty — `ls` exits 0 with the live jobs — for the real s3rver, the
 * Supabase Storage stand-in and a directory.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {startS3Server, type S3Server} from '../../helpers/s3-server.js'
import {startSupabaseStandin, type SupabaseStandin} from '../../helpers/supabase-storage-standin.js'

const home = useIsolatedHome()
let s3: S3Server
let supabase: SupabaseStandin
beforeAll(async () => {
  ;[s3, supabase] = await Promise.all([startS3Server(), startSupabaseStandin()])
})
afterAll(async () => {
  await Promise.all([s3?.destroy(), supabase?.stop()])
})

describe('ls over an archive that was never created', () => {
  it.each([
    ['s3', () => 's3://never-created/logs', () => s3.env()],
    ['supabase', () => 'supabase://never-created/logs', () => supabase.env()],
    ['file', () => `file://${home.home}/no/such/archive`, () => ({})],
  ])('%s: an empty list, exit 0, the live jobs still shown', async (_name, archive, env) => {
    const options = {env: {...home.env, ...env(), LOGS_ARCHIVE: archive()}}
    expect((await runCli(['push', '--job', `live-${_name}`, '--exit-code', '0'], {...options, input: 'one\n'})).code).toBe(0)
    const listed = await runCli(['ls', '--json'], options)
    expect(listed.stderr).toBe('')
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.stdout).map((job: {id: string}) => job.id)).toContain(`live-${_name}`)
  })
})
