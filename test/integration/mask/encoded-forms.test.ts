/**
 * Secrets written in another form than the one the masker was given — escaped in a JSON
 * line, URL-encoded, a URL password holding an '@' — and secrets in labels: a real push
 * stores none of them, `get -o json` decodes none back, and no file under the store holds one.
 */
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isolatedEnv, runCli, tempHome} from '../../helpers/cli.js'
import {startTestRelay} from '../../helpers/relay.js'
import {searchBytes, searchFiles} from '../../helpers/secret-search.js'

const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
const DB_PASSWORD = 'Tr0ub4dor&3<x>'

/** As PHP's json_encode, Go's encoding/json and a URL query write them; and two passwords the default detectors find. */
const LINES = [
  String.raw`{"level":"info","secret":"wJalrXUtnFEMI\/K7MDENG\/bPxRfiCYEXAMPLEKEY"}`,
  String.raw`{"level":"info","db":"Tr0ub4dor\u00263\u003cx\u003e"}`,
  'GET /health?pw=Tr0ub4dor%263%3Cx%3E 200',
  String.raw`{"url":"https:\/\/deploy:s3cr3tpw@git.example.com\/x.git"}`,
  'connecting to postgres://user:p@ssw0rd@db/x',
]
const INPUT = LINES.map((line) => line + '\n').join('')
/** The clear values, their escaped forms and the part of a password after its '@'. */
const SECRETS = [AWS_SECRET, DB_PASSWORD, String.raw`wJalrXUtnFEMI\/K7MDENG\/bPxRfiCYEXAMPLEKEY`, 'Tr0ub4dor\\u0026', 'Tr0ub4dor%26', 's3cr3tpw', 'ssw0rd']

let home: {home: string; cleanup: () => void}
const env = () => isolatedEnv(home.home, {MY_AWS_SECRET: AWS_SECRET, DBPASS: DB_PASSWORD})
const onDisk = () => [join(home.home, 'state'), join(home.home, 'data')]

beforeAll(() => {
  home = tempHome()
})

afterAll(() => home?.cleanup())

async function listed(job: string): Promise<{masked?: number; labels?: Record<string, string>}> {
  const result = await runCli(['ls', '--json'], {env: env()})
  expect(result.code).toBe(0)
  return (JSON.parse(result.stdout) as Array<{id: string; masked?: number; labels?: Record<string, string>}>).find((meta) => meta.id === job)!
}

describe('masking what is written in another form', () => {
  it('a value escaped in a JSON line or URL-encoded is stored masked, and get -o json decodes no secret back', async () => {
    const pushed = await runCli(['push', '--job', 'escaped', '--mask-env', 'MY_AWS_SECRET', '--mask-env', 'DBPASS'], {env: env(), input: INPUT})
    expect(pushed.code).toBe(0)
    const raw = await runCli(['get', 'escaped', '-o', 'raw'], {env: env()})
    expect(raw.stdout).toBe(
      [
        '{"level":"info","secret":"***"}',
        '{"level":"info","db":"***"}',
        'GET /health?pw=*** 200',
        String.raw`{"url":"https:\/\/deploy:***@git.example.com\/x.git"}`,
        'connecting to postgres://user:***@db/x',
      ]
        .map((line) => line + '\n')
        .join(''),
    )
    const json = await runCli(['get', 'escaped', '-o', 'json'], {env: env()})
    expect(json.code).toBe(0)
    const entries = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {line: string; fields?: Record<string, unknown>})
    expect(entries.map((entry) => entry.fields).filter(Boolean)).toEqual([
      {level: 'info', secret: '***'},
      {level: 'info', db: '***'},
      {url: 'https://deploy:***@git.example.com/x.git'},
    ])
    expect(searchBytes('get -o json', Buffer.from(json.stdout), SECRETS)).toEqual([])
    expect((await listed('escaped')).masked).toBe(LINES.length)
    expect(searchFiles(onDisk(), SECRETS)).toEqual([])
  })

  // Before: the detectors never saw through \u escapes, and a value was masked only in the forms one encoder writes.
  it('JSON escapes of any case and mix hide no value and no detector match: raw and json fields hold ***', async () => {
    const lines = [
      String.raw`{"aws_secret_access_key":"wJalrXUtnFEMI\u002BK7MDENG/bPxRfiCYEXAMPLEKEY"}`,
      String.raw`{"pw":"pa\u002Bss\u003Dword\/1","n":1}`,
      String.raw`{"pw":"pa\u002bss=word/1","n":2}`,
      String.raw`{"pw":"pa+ss\u003dword\/1","n":3}`,
      String.raw`{"t":"ghp_\u0061bcdefghijklmnopqrstuvwxyz0123456789","u":"caf\u00e9"}`,
    ]
    const secrets = ['wJalrXUtnFEMI+K7MDENG', 'wJalrXUtnFEMI\\u002B', 'pa+ss=word', 'pa\\u002', 'pa+ss\\u003d', 'ghp_abcdefghij', 'ghp_\\u0061']
    const pushed = await runCli(['push', '--job', 'escapes', '--mask-env', 'PW'], {env: {...env(), PW: 'pa+ss=word/1'}, input: lines.map((line) => line + '\n').join('')})
    expect(pushed.code).toBe(0)
    const raw = await runCli(['get', 'escapes', '-o', 'raw'], {env: env()})
    expect(raw.stdout).toBe(
      ['{"aws_secret_access_key":"***"}', '{"pw":"***","n":1}', '{"pw":"***","n":2}', '{"pw":"***","n":3}', String.raw`{"t":"***","u":"caf\u00e9"}`]
        .map((line) => line + '\n')
        .join(''),
    )
    const json = await runCli(['get', 'escapes', '-o', 'json'], {env: env()})
    expect(json.code).toBe(0)
    const fields = json.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as {fields?: Record<string, unknown>}).fields)
    expect(fields).toEqual([{aws_secret_access_key: '***'}, {pw: '***', n: 1}, {pw: '***', n: 2}, {pw: '***', n: 3}, {t: '***', u: 'café'}])
    expect(searchBytes('get -o json', Buffer.from(json.stdout), secrets)).toEqual([])
    expect((await listed('escapes')).masked).toBe(lines.length)
    expect(searchFiles(onDisk(), secrets)).toEqual([])
  })

  it('--label values are masked before they are stored', async () => {
    const labels = ['repo=https://u:s3cr3tpw@git.example.com/x.git', `db=${DB_PASSWORD}`, `aws_secret_access_key=${AWS_SECRET}`, 'team=core']
    const pushed = await runCli(['push', '--job', 'labelled', '--mask-env', 'DBPASS', ...labels.flatMap((label) => ['--label', label])], {env: env(), input: 'hello\n'})
    expect(pushed.code).toBe(0)
    expect((await listed('labelled')).labels).toEqual({repo: 'https://u:***@git.example.com/x.git', db: '***', aws_secret_access_key: '***', team: 'core'})
    expect(searchFiles(onDisk(), SECRETS)).toEqual([])
  })

  it('labels of a job POSTed to the relay are masked as its lines are', async () => {
    const relay = await startTestRelay()
    try {
      const response = await fetch(`${relay.url}/v1/jobs/posted/logs?start=1&label=${encodeURIComponent('repo=https://u:s3cr3tpw@git.example.com/x.git')}`, {
        method: 'POST',
        body: 'hello\n',
      })
      expect(response.status).toBe(200)
      expect((await relay.store.getJob('posted'))?.labels).toEqual({repo: 'https://u:***@git.example.com/x.git'})
      expect(searchFiles([relay.dir], SECRETS)).toEqual([])
    } finally {
      await relay.stop()
    }
  })
})
