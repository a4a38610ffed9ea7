/** `-l SELECTOR` on ls, tail, archive, gc and the relay's job list, as a user runs them. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../../helpers/cli.js'
import {useIsolatedHome} from '../../helpers/isolated-home.js'
import {raw, startServeCli, stopServeCli} from '../../helpers/relay.js'

const JOBS: Record<string, string[]> = {
  'web-prod': ['env=prod', 'team=web', 'tier=frontend'],
  'api-prod': ['env=prod', 'team=infra'],
  'web-dev': ['env=dev', 'team=web'],
  'bare-job': [],
}

describe('label selectors', () => {
  const sandbox = useIsolatedHome()
  const ids = async (...args: string[]) => {
    const result = await runCli(['ls', '--json', ...args], {env: sandbox.env})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    return (JSON.parse(result.stdout) as Array<{id: string}>).map((j) => j.id).sort()
  }
  beforeAll(async () => {
    for (const [id, labels] of Object.entries(JOBS)) {
      const pushed = await runCli(['push', '--job', id, '--exit-code', '0', ...labels.flatMap((l) => ['--label', l])], {input: `hello from ${id}\n`, env: sandbox.env})
      expect(pushed.code).toBe(0)
    }
  })

  it('ls: =, !=, exists, !exists, in, notin; comma-separated and repeated', async () => {
    expect(await ids('-l', 'env=prod')).toEqual(['api-prod', 'web-prod'])
    expect(await ids('-l', 'team!=infra')).toEqual(['bare-job', 'web-dev', 'web-prod'])
    expect(await ids('-l', 'tier')).toEqual(['web-prod'])
    expect(await ids('-l', '!team')).toEqual(['bare-job'])
    expect(await ids('-l', 'env in (dev,test)')).toEqual(['web-dev'])
    expect(await ids('-l', 'env notin (dev)')).toEqual(['api-prod', 'bare-job', 'web-prod'])
    expect(await ids('-l', 'env=prod,team=web')).toEqual(['web-prod'])
    expect(await ids('-l', 'env=prod', '-l', 'team=web')).toEqual(['web-prod'])
    expect(await ids('--selector', 'team=web', '--prefix', 'web-', '-l', '!tier')).toEqual(['web-dev'])
  })

  it('get -l prints the lines of every matching job, merged by time and prefixed; -n and --head over the merge', async () => {
    const get = async (...args: string[]) => {
      const result = await runCli(['get', ...args], {env: sandbox.env})
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      return result.stdout
    }
    // One line per job, pushed in the order web-prod, api-prod, web-dev, bare-job.
    expect(await get('-l', 'env=prod')).toBe('web-prod hello from web-prod\napi-prod hello from api-prod\n')
    expect(await get('-l', 'env', '-n', '1')).toBe('web-dev  hello from web-dev\n')
    expect(await get('-l', 'env', '--head', '1')).toBe('web-prod hello from web-prod\n')
    const records = (await get('-l', 'team=web', '-o', 'json'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {job: string; line: string})
    expect(records.map((r) => [r.job, r.line])).toEqual([
      ['web-prod', 'hello from web-prod'],
      ['web-dev', 'hello from web-dev'],
    ])
    expect(await get('-l', 'env=prod', '--grep', 'api')).toBe('api-prod hello from api-prod\n')
    const nowhere = await runCli(['get', '-l', 'env=nowhere'], {env: sandbox.env})
    expect([nowhere.code, nowhere.stdout]).toEqual([1, ''])
    expect(nowhere.stderr).toMatch(/^logs: no job matches -l env=nowhere in /)
    // Beside plain ids, -l adds the jobs it selects; beside a glob, it narrows the glob's matches.
    expect(await get('web-dev', '-l', 'env=prod')).toBe('web-prod hello from web-prod\napi-prod hello from api-prod\nweb-dev  hello from web-dev\n')
    expect(await get('web-*', '-l', 'env=prod')).toBe('web-prod hello from web-prod\n')
    expect(await get('-l', 'env=prod', '-f')).toBe('web-prod hello from web-prod\napi-prod hello from api-prod\n')
  })

  it('a bad selector exits 2 naming the flag and the accepted forms', async () => {
    for (const command of [['ls'], ['get'], ['tail', '--no-follow'], ['archive', '--dry-run'], ['gc', '--dry-run']]) {
      const result = await runCli([...command, '-l', 'env in (prod'], {env: sandbox.env})
      expect(result.code, command.join(' ')).toBe(2)
      expect(result.stderr).toMatch(/invalid label selector "env in \(prod" for -l: unbalanced parentheses/)
      expect(result.stderr).toMatch(/key=value, key!=value, key, !key/)
    }
  })

  it('tail -l with no job follows every job whose labels match; with a glob, the matches of both', async () => {
    const all = await runCli(['tail', '--no-follow', '-l', 'team=web'], {env: sandbox.env})
    expect(all.code).toBe(0)
    expect(
      all.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/\s+/g, ' '))
        .sort(),
    ).toEqual(['web-dev hello from web-dev', 'web-prod hello from web-prod'])
    const glob = await runCli(['tail', '--no-follow', '*-prod', '-l', 'team=web'], {env: sandbox.env})
    expect(glob.stdout.trim()).toBe('web-prod hello from web-prod')
  })

  it('archive -l moves only the matching jobs; gc -l deletes only the matching jobs', async () => {
    const dry = await runCli(['archive', '--dry-run', '--json', '-l', 'env=prod'], {env: sandbox.env})
    expect(dry.code).toBe(0)
    expect((JSON.parse(dry.stdout) as {jobs: Array<{id: string}>}).jobs.map((j) => j.id)).toEqual(['api-prod', 'web-prod'])
    const named = await runCli(['archive', '--json', '--job', 'web-dev', '-l', 'env=prod'], {env: sandbox.env})
    expect(JSON.parse(named.stdout)).toMatchObject({archived: 0, skipped: 1, jobs: [{id: 'web-dev', result: 'skipped', reason: 'its labels do not match -l'}]})
    const archived = await runCli(['archive', '--json', '-l', 'team=web'], {env: sandbox.env})
    expect(JSON.parse(archived.stdout)).toMatchObject({archived: 2, failed: 0})
    // Archived jobs keep their labels: ls still selects them.
    expect(await ids('-l', 'team=web')).toEqual(['web-dev', 'web-prod'])
    const gc = await runCli(['gc', '--json', '--older-than', '1ms', '-l', 'env=dev'], {env: sandbox.env})
    expect(gc.code).toBe(0)
    expect((JSON.parse(gc.stdout) as {deleted: Array<{name: string}>}).deleted.map((d) => d.name)).toEqual(['web-dev'])
    expect(await ids()).toEqual(['api-prod', 'bare-job', 'web-prod'])
  })

  describe('the relay', () => {
    let server: Awaited<ReturnType<typeof startServeCli>>
    beforeAll(async () => {
      server = await startServeCli([], sandbox.env)
    })
    afterAll(async () => {
      await stopServeCli(server)
    })

    it('GET /v1/jobs takes labelSelector= (or l=); a bad one is a 400', async () => {
      const list = async (query: string) => ((await raw(`${server.url}/v1/jobs?${query}`)).json().jobs as Array<{id: string}>).map((j) => j.id).sort()
      expect(await list(`labelSelector=${encodeURIComponent('env=prod,team!=web')}`)).toEqual(['api-prod'])
      expect(await list(`l=env%3Dprod&l=tier`)).toEqual(['web-prod'])
      expect(await list(`l=${encodeURIComponent('!env')}`)).toEqual(['bare-job'])
      const bad = await raw(`${server.url}/v1/jobs?labelSelector=${encodeURIComponent('env in (x')}`)
      expect(bad.status).toBe(400)
      expect(bad.json().error).toMatch(/invalid label selector .* for labelSelector/)
    })

    it('ls --url sends the selector to the relay', async () => {
      expect(await ids('--url', server.url, '-l', 'team=infra')).toEqual(['api-prod'])
    })
  })
})
