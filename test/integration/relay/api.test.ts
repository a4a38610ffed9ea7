/** The relay's HTTP API (CLI.md) over a real file store: reads, ingest, limits, errors. */
import {request as httpRequest} from 'node:http'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {readAll} from '../../helpers/live-store-contract.js'
import {openRawStream, raw, startTestRelay, type TestRelay} from '../../helpers/relay.js'
import {waitUntil} from '../../helpers/wait.js'
import {encodeFrame} from '../../../src/lib/store/chunk-frames.js'

let t: TestRelay
beforeAll(async () => {
  t = await startTestRelay({limits: {maxBodyBytes: 64 * 1024, maxLineBytes: 1000, maxPageSize: 50, maxClients: 2}})
})
afterAll(async () => {
  await t.stop()
})

describe('ingest', () => {
  it('appends a text body byte for byte and ends the job with its exit code', async () => {
    const body = Buffer.concat([Buffer.from('plain\r\n\x1b[31mERROR red\x1b[0m\n'), Buffer.from([0x62, 0xff, 0x00, 0x0a]), Buffer.from('no newline')])
    const first = await raw(`${t.url}/v1/jobs/text-1/logs?stream=stderr`, {method: 'POST', body})
    expect(first.status).toBe(200)
    expect(first.json()).toMatchObject({first: 1, last: 4, lines: 4})
    const ended = await raw(`${t.url}/v1/jobs/text-1/logs?end=1&exit-code=3`, {method: 'POST'})
    expect(ended.json().job).toMatchObject({status: 'failed', exitCode: 3, lines: 4})
    const stored = await readAll(t.store.read('text-1'))
    expect(Buffer.concat(stored.map((e) => Buffer.concat([e.bytes ?? Buffer.from(e.line), Buffer.from(e.eol ? '\n' : '')])))).toEqual(body)
    expect(stored.map((e) => e.level)).toEqual([undefined, 'error', undefined, undefined])
    expect(stored.every((e) => e.stream === 'stderr')).toBe(true)
    const download = await raw(`${t.url}/v1/jobs/text-1/logs/download`)
    expect(download.headers['content-disposition']).toBe('attachment; filename="text-1.log"')
    expect(Buffer.from(download.body, 'latin1').length).toBeGreaterThan(0)
  })

  it('takes PUT like POST: curl -T - uploads stdin and ends the job', async () => {
    const {spawn} = await import('node:child_process')
    const curl = spawn('curl', ['-sS', '-T', '-', `${t.url}/v1/jobs/put-1/logs?end=1&exit-code=0`])
    let out = ''
    curl.stdout.on('data', (d: Buffer) => (out += d))
    curl.stdin.end('made with make\nERROR one failure\n')
    expect(await new Promise((resolve) => curl.on('close', resolve))).toBe(0)
    expect(JSON.parse(out)).toMatchObject({first: 1, last: 2, job: {status: 'succeeded', lines: 2}})
    expect((await readAll(t.store.read('put-1'))).map((e) => e.line)).toEqual(['made with make', 'ERROR one failure'])
    const put = await raw(`${t.url}/v1/jobs/put-2/logs`, {method: 'PUT', body: 'x\n'})
    expect(put.status).toBe(200)
    expect((await raw(`${t.url}/v1/jobs/put-2/logs/stream`, {method: 'PUT'})).status).toBe(405)
  })

  it('takes NDJSON records (the --output json shape) and plain JSON log lines', async () => {
    const body = [
      JSON.stringify({ts: 1234, line: 'from a record', level: 'warn', stream: 'stdout'}),
      JSON.stringify({bytes: Buffer.from([0xc3, 0x28]).toString('base64'), line: '?', level: null}),
      JSON.stringify({level: 'error', msg: 'an app log'}),
      JSON.stringify({line: 'piece', partial: true}),
    ].join('\n')
    const response = await raw(`${t.url}/v1/jobs/nd-1/logs`, {method: 'POST', body, headers: {'Content-Type': 'application/x-ndjson'}})
    expect(response.json()).toMatchObject({first: 1, last: 4})
    const stored = await readAll(t.store.read('nd-1'))
    expect(stored[0]).toMatchObject({ts: 1234, line: 'from a record', level: 'warn', stream: 'stdout', eol: true})
    expect(stored[1].bytes).toEqual(Buffer.from([0xc3, 0x28]))
    expect(stored[2]).toMatchObject({line: '{"level":"error","msg":"an app log"}', level: 'error'})
    expect(stored[3]).toMatchObject({line: 'piece', eol: false})
    const bad = await raw(`${t.url}/v1/jobs/nd-2/logs`, {method: 'POST', body: 'not json\n', headers: {'Content-Type': 'application/x-ndjson'}})
    expect(bad.status).toBe(400)
    expect(bad.json().error).toMatch(/line 1 is not JSON/)
  })

  // Before: the 400 named the bad line only, though the batches before it had been stored.
  it('says how many lines it had appended when a bad NDJSON line comes partway through a body', async () => {
    const small = await startTestRelay({limits: {ingestBatchEntries: 2}})
    try {
      const answer = new Promise<{status: number; body: string}>((resolve, reject) => {
        const req = httpRequest(
          `${small.url}/v1/jobs/nd-part/logs`,
          {method: 'POST', agent: false, headers: {'Content-Type': 'application/x-ndjson', 'Transfer-Encoding': 'chunked'}},
          (res) => {
            let body = ''
            res.on('data', (c) => (body += c))
            res.on('end', () => resolve({status: res.statusCode!, body}))
          },
        )
        req.on('error', reject)
        // A full batch is stored when the entry after it arrives: a, b stored, c held.
        req.write(['a', 'b', 'c'].map((line) => JSON.stringify({line}) + '\n').join(''))
        void waitUntil(async () => (await small.store.getJob('nd-part'))?.lines === 2, {what: 'the first batch stored'}).then(() => req.end('not json\n'), reject)
      })
      const bad = await answer
      expect(bad.status).toBe(400)
      expect(JSON.parse(bad.body).error).toBe('NDJSON line 4 is not JSON (the first 2 lines were appended)')
      expect((await readAll(small.store.read('nd-part'))).map((e) => e.line)).toEqual(['a', 'b'])
    } finally {
      await small.stop()
    }
  })

  // Before: 200, the level and stream dropped without a word (where ?stream=foo was already a 400).
  it('refuses an NDJSON record whose level or stream is none of ours (400 naming the line), and takes aliases and null', async () => {
    const post = (job: string, records: object[]) =>
      raw(`${t.url}/v1/jobs/${job}/logs`, {method: 'POST', body: records.map((r) => JSON.stringify(r)).join('\n'), headers: {'Content-Type': 'application/x-ndjson'}})
    const badLevel = await post('nd-level', [{line: 'fine'}, {line: 'x', level: 'bogus'}])
    expect(badLevel.status).toBe(400)
    expect(badLevel.json().error).toMatch(/^NDJSON line 2: invalid level "bogus": expected one of trace, debug, info, warn, error, fatal/)
    const badStream = await post('nd-stream', [{line: 'x', stream: 'x'}])
    expect(badStream.status).toBe(400)
    expect(badStream.json().error).toMatch(/^NDJSON line 1: invalid stream "x": expected "stdout", "stderr" or null/)
    const good = await post('nd-aliases', [
      {line: 'a', level: 'WARNING', stream: null},
      {line: 'b', level: 50, stream: 'stderr'},
      {line: 'c', level: null},
    ])
    expect(good.status).toBe(200)
    expect((await readAll(t.store.read('nd-aliases'))).map((e) => [e.line, e.level, e.stream])).toEqual([
      ['a', 'warn', undefined],
      ['b', 'error', 'stderr'],
      ['c', undefined, undefined],
    ])
  })

  // Before: 200 and the job kept running: exit-code and status were read only with end=1.
  it('refuses exit-code or status without end=1, and an invalid status, with a 400 that says so', async () => {
    const cases: Array<[string, RegExp]> = [
      ['exit-code=5', /^exit-code is only taken with end=1, which ends the job: add end=1, or leave it out/],
      ['status=failed', /^status is only taken with end=1/],
      ['exit-code=5&status=failed&end=0', /^exit-code and status are only taken with end=1/],
      ['status=bogus', /^invalid status "bogus": expected one of succeeded, failed/],
      ['status=running&end=1', /^invalid status "running"/],
      ['exit-code=x&end=1', /^invalid exit-code "x"/],
    ]
    for (const [query, message] of cases) {
      const response = await raw(`${t.url}/v1/jobs/end-params/logs?${query}`, {method: 'POST', body: 'line\n'})
      expect([query, response.status]).toEqual([query, 400])
      expect(response.json().error).toMatch(message)
    }
    expect(await t.store.getJob('end-params')).toBeUndefined() // refused before anything was written
    const ended = await raw(`${t.url}/v1/jobs/end-params/logs?end=1&exit-code=5`, {method: 'POST', body: 'line\n'})
    expect(ended.json().job).toMatchObject({status: 'failed', exitCode: 5})
  })

  it('masks secrets in text and NDJSON bodies as push does: the default detectors, and ::add-mask:: values for the rest of the job', async () => {
    const key = 'AKIAIOSFODNN7EXAMPLE'
    const token = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'
    const text = await raw(`${t.url}/v1/jobs/secret-1/logs`, {method: 'POST', body: `using ${key}\n::add-mask::hunter2secret\n`})
    expect(text.status).toBe(200)
    const later = await raw(`${t.url}/v1/jobs/secret-1/logs`, {method: 'POST', body: 'password is hunter2secret\n'})
    expect(later.status).toBe(200)
    const records = [JSON.stringify({line: `token ${token}`}), JSON.stringify({line: 'again hunter2secret', masked: 1})].join('\n')
    const ndjson = await raw(`${t.url}/v1/jobs/secret-1/logs`, {method: 'POST', body: records, headers: {'Content-Type': 'application/x-ndjson'}})
    expect(ndjson.status).toBe(200)
    const lines = (await readAll(t.store.read('secret-1'))).map((e) => e.line)
    expect(lines).toEqual(['using ***', '::add-mask::***', 'password is ***', 'token ***', 'again ***'])
    expect((await t.store.getJob('secret-1'))?.masked).toBe(6) // five found here, one the NDJSON writer said it masked
    for (const secret of [key, token, 'hunter2secret']) expect(JSON.stringify(await readAll(t.store.read('secret-1')))).not.toContain(secret)
  })

  it('takes chunk bodies (?format=chunk, what push --url sends): bytes, times, levels, streams and masked counts as sent', async () => {
    const entries = [
      {ts: 1111, bytes: Buffer.from('chunked \u00e9'), eol: true, level: 'warn' as const, stream: 'stderr' as const},
      {ts: 1112, bytes: Buffer.from([0xff, 0x00]), eol: true, masked: 2},
      {ts: 1113, bytes: Buffer.from('piece'), eol: false},
    ]
    const response = await raw(`${t.url}/v1/jobs/chunk-1/logs?format=chunk`, {
      method: 'POST',
      body: Buffer.concat([encodeFrame(entries.slice(0, 1)), encodeFrame(entries.slice(1))]),
    })
    expect(response.json()).toMatchObject({first: 1, last: 3, lines: 3})
    const stored = await readAll(t.store.read('chunk-1'))
    expect(stored.map((e) => [e.ts, e.bytes ?? Buffer.from(e.line), e.eol, e.level, e.stream])).toEqual(entries.map((e) => [e.ts, e.bytes, e.eol, e.level, e.stream]))
    expect((await t.store.getJob('chunk-1'))?.masked).toBe(2)
    const cut = await raw(`${t.url}/v1/jobs/chunk-2/logs?format=chunk`, {method: 'POST', body: encodeFrame(entries).subarray(0, 20)})
    expect(cut.status).toBe(400)
    expect(cut.json().error).toMatch(/ends inside a frame/)
    const long = await raw(`${t.url}/v1/jobs/chunk-3/logs?format=chunk`, {method: 'POST', body: encodeFrame([{ts: 1, bytes: Buffer.alloc(1001, 0x61), eol: true}])})
    expect(long.status).toBe(413)
  })

  it('splits over-long lines into pieces, as push does', async () => {
    await raw(`${t.url}/v1/jobs/long-1/logs`, {method: 'POST', body: `${'x'.repeat(2500)}\nshort\n`})
    const stored = await readAll(t.store.read('long-1'))
    expect(stored.map((e) => [e.line.length, e.eol])).toEqual([
      [1000, false],
      [1000, false],
      [500, true],
      [5, true],
    ])
  })

  it('applies a retried batch once (Logs-Writer / Logs-Batch)', async () => {
    const headers = {'Logs-Writer': 'spool-a', 'Logs-Batch': '7'}
    const first = await raw(`${t.url}/v1/jobs/tok-1/logs`, {method: 'POST', body: 'a\nb\n', headers})
    const again = await raw(`${t.url}/v1/jobs/tok-1/logs`, {method: 'POST', body: 'a\nb\n', headers})
    expect(first.json()).toMatchObject({first: 1, last: 2})
    expect(again.json()).toMatchObject({duplicate: true})
    expect((await t.store.getJob('tok-1'))?.lines).toBe(2)
    const badBatch = await raw(`${t.url}/v1/jobs/tok-1/logs`, {method: 'POST', body: 'a\n', headers: {'Logs-Writer': 'w', 'Logs-Batch': 'x'}})
    expect(badBatch.status).toBe(400)
    // Before: "invalid Logs-Writer header" for a header that is not there.
    const noWriter = await raw(`${t.url}/v1/jobs/tok-1/logs`, {method: 'POST', body: 'a\n', headers: {'Logs-Batch': '1'}})
    expect(noWriter.status).toBe(400)
    expect(noWriter.json().error).toBe('missing Logs-Writer header: Logs-Batch needs it (the writer whose requests are numbered)')
  })

  it('answers 413 for a body too large, declared or streamed', async () => {
    const declared = await raw(`${t.url}/v1/jobs/big-1/logs`, {method: 'POST', body: 'y\n'.repeat(40_000)})
    expect(declared.status).toBe(413)
    expect(declared.json().error).toMatch(/body too large/)
    expect(await t.store.getJob('big-1')).toBeUndefined()

    const streamed = await new Promise<{status: number; body: string}>((resolve, reject) => {
      const req = httpRequest(`${t.url}/v1/jobs/big-2/logs`, {method: 'POST', agent: false, headers: {'Transfer-Encoding': 'chunked'}}, (res) => {
        let body = ''
        res.on('data', (c) => (body += c))
        res.on('end', () => resolve({status: res.statusCode!, body}))
      })
      req.on('error', reject)
      const chunk = 'z'.repeat(99) + '\n'
      let sent = 0
      const pump = () => {
        while (sent < 2000 && req.write(chunk)) sent++
        if (sent < 2000) req.once('drain', pump)
        else req.end()
      }
      pump()
    })
    expect(streamed.status).toBe(413)
    expect(JSON.parse(streamed.body).error).toMatch(/body too large/)
  })
})

describe('reads', () => {
  beforeAll(async () => {
    await t.store.startJob('read-1')
    await t.store.append(
      'read-1',
      Array.from({length: 120}, (_, i) => ({
        ts: 1_000_000 + i * 1000,
        bytes: Buffer.from(i % 10 === 0 ? `ERROR line ${i + 1}` : `line ${i + 1}`),
        eol: true,
        level: i % 10 === 0 ? ('error' as const) : ('info' as const),
      })),
    )
  })

  it('pages history with limit and cursor, and reads tail, since/until, level and grep', async () => {
    const page = (await raw(`${t.url}/v1/jobs/read-1/logs?limit=50`)).json()
    expect(page.entries.map((e: {seq: number}) => e.seq)).toEqual(Array.from({length: 50}, (_, i) => i + 1))
    expect(page).toMatchObject({cursor: 50, more: true})
    // a limit above the relay's page size is capped; the cursor says where to go on
    const next = (await raw(`${t.url}/v1/jobs/read-1/logs?after=${page.cursor}&limit=100`)).json()
    expect(next.entries[0].seq).toBe(51)
    expect(next.entries.length).toBe(50)

    const tail = (await raw(`${t.url}/v1/jobs/read-1/logs?tail=3`)).json()
    expect(tail.entries.map((e: {seq: number}) => e.seq)).toEqual([118, 119, 120])
    const errorsTail = (await raw(`${t.url}/v1/jobs/read-1/logs?tail=2&level=error`)).json()
    expect(errorsTail.entries.map((e: {line: string}) => e.line)).toEqual(['ERROR line 101', 'ERROR line 111'])
    const grep = (await raw(`${t.url}/v1/jobs/read-1/logs?grep=${encodeURIComponent('line 11\\d$')}`)).json()
    expect(grep.entries.map((e: {seq: number}) => e.seq)).toEqual([110, 111, 112, 113, 114, 115, 116, 117, 118, 119])
    const ignoreCase = (await raw(`${t.url}/v1/jobs/read-1/logs?grep=error&i=1&exclude=LINE%201%5Cb`)).json()
    expect(ignoreCase.entries.map((e: {seq: number}) => e.seq)).toEqual([11, 21, 31, 41, 51, 61, 71, 81, 91, 101, 111])
    expect((await raw(`${t.url}/v1/jobs/read-1/logs?grep=error`)).json().entries).toEqual([])
    expect((await raw(`${t.url}/v1/jobs/read-1/logs?stream=stderr`)).json().entries).toEqual([])
    const window = (await raw(`${t.url}/v1/jobs/read-1/logs?since=1005000&until=1008000`)).json()
    expect(window.entries.map((e: {seq: number}) => e.seq)).toEqual([6, 7, 8])
  })

  // Before: tail=0 answered cursor 0 (the range's start) where tail=1 answers 120: a client
  // asking for no history and going on from the cursor was sent the whole log.
  it('tail=0 gives no entry and the cursor at the end of the range, in every format', async () => {
    expect((await raw(`${t.url}/v1/jobs/read-1/logs?tail=0`)).json()).toEqual({job: 'read-1', entries: [], cursor: 120, more: false})
    expect((await raw(`${t.url}/v1/jobs/read-1/logs?tail=0&level=error`)).json()).toMatchObject({entries: [], cursor: 120})
    expect((await raw(`${t.url}/v1/jobs/read-1/logs?tail=0&before=50`)).json()).toMatchObject({entries: [], cursor: 49})
    expect((await raw(`${t.url}/v1/jobs/read-1/logs?format=ndjson&tail=0`)).body).toBe('{"cursor":120,"more":false}\n')
    expect((await raw(`${t.url}/v1/jobs/read-1/logs?format=raw&tail=0`)).body).toBe('{"cursor":120,"more":false}\n')
    const next = (await raw(`${t.url}/v1/jobs/read-1/logs?after=120`)).json()
    expect(next).toMatchObject({entries: [], cursor: 120, more: false})
  })

  it('lists and describes jobs', async () => {
    const list = (await raw(`${t.url}/v1/jobs?prefix=read-`)).json()
    expect(list.jobs.map((j: {id: string}) => j.id)).toEqual(['read-1'])
    expect((await raw(`${t.url}/v1/jobs?status=failed`)).json().jobs.map((j: {id: string}) => j.id)).toContain('text-1')
    expect((await raw(`${t.url}/v1/jobs/read-1`)).json()).toMatchObject({id: 'read-1', lines: 120, status: 'running'})
  })

  it('answers errors as JSON with the right status', async () => {
    const cases: Array<[string, number, RegExp, string?]> = [
      ['/v1/jobs/no-such-job', 404, /not found/],
      ['/v1/jobs/no-such-job/logs', 404, /not found/],
      ['/v1/jobs/..%2Fetc/logs', 400, /invalid job id/],
      ['/v1/jobs/-dash', 400, /invalid job id/],
      ['/v1/jobs/read-1/logs?limit=0', 400, /invalid limit/],
      ['/v1/jobs/read-1/logs?after=-1', 400, /invalid after/],
      ['/v1/jobs/read-1/logs?level=loud', 400, /invalid level/],
      ['/v1/jobs/read-1/logs?stream=both', 400, /invalid stream/],
      ['/v1/jobs/read-1/logs?i=yes', 400, /invalid i/],
      ['/v1/jobs/read-1/logs?grep=(', 400, /invalid regular expression/],
      ['/v1/jobs/read-1/logs?since=yesterday', 400, /invalid time/],
      ['/v1/jobs?status=happy', 400, /invalid status/],
      // Before: passed to the stores, where an archive directory answered 503 "store … unavailable: archive key "../" escapes …".
      ['/v1/jobs?prefix=../', 400, /^invalid job id prefix "\.\.\/" \(prefix\)/],
      ['/v1/nothing', 404, /no such endpoint/],
      ['/v1/jobs/read-1/logs/stream', 405, /not allowed/, 'POST'],
      ['/nothing-here', 404, /no such endpoint/],
    ]
    for (const [path, status, message, method] of cases) {
      const response = await raw(`${t.url}${path}`, {method})
      expect([path, response.status]).toEqual([path, status])
      expect(response.headers['content-type']).toMatch(/^application\/json/)
      expect(response.json().error).toMatch(message)
    }
  })

  it('serves /healthz and /metrics in Prometheus text format', async () => {
    expect((await raw(`${t.url}/healthz`)).json()).toEqual({ok: true})
    const metrics = await raw(`${t.url}/metrics`)
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    for (const line of metrics.body.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{\w+="[^"]*"\})? [\d.e+-]+)$/)
    expect(metrics.body).toMatch(/^logs_relay_lines_in_total (\d+)$/m)
    expect(Number(/^logs_relay_lines_in_total (\d+)$/m.exec(metrics.body)![1])).toBeGreaterThan(10)
  })

  it('answers 503 past --max-clients followers, and takes new ones when one leaves', async () => {
    const first = openRawStream(`${t.url}/v1/jobs/busy-1/logs/stream`)
    const second = openRawStream(`${t.url}/v1/jobs/busy-2/logs/stream`)
    expect([await first.status, await second.status]).toEqual([200, 200])
    const third = await raw(`${t.url}/v1/jobs/busy-1/logs/stream`)
    expect(third.status).toBe(503)
    expect(third.headers['retry-after']).toBe('5')
    expect(third.json().error).toMatch(/too many followers \(2\)/)
    first.close()
    await waitUntil(() => t.relay.clients === 1)
    const fourth = openRawStream(`${t.url}/v1/jobs/busy-1/logs/stream`)
    expect(await fourth.status).toBe(200)
    fourth.close()
    second.close()
  })
})
