import {describe, expect, it} from 'vitest'
import {detectLevel, detectLevelInBytes} from '../../src/lib/entry.js'
import {labelledCorpus} from '../helpers/level-corpus.js'

describe('level detection on the labelled corpus of real formats', () => {
  const corpus = labelledCorpus()

  it('holds at least ten formats', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(10)
  })

  it('agrees with at least 99 % of the labels overall, and 95 % of each set', () => {
    let right = 0
    let total = 0
    const wrong: string[] = []
    for (const set of corpus) {
      let setRight = 0
      set.lines.forEach((line, i) => {
        const got = detectLevelInBytes(Buffer.from(line)) ?? null
        if (got === set.levels[i]) setRight++
        else wrong.push(`${set.name}:${i + 1}: want ${set.levels[i]}, got ${got}: ${line.slice(0, 120)}`)
      })
      expect(setRight / set.lines.length, `${set.name}\n${wrong.slice(-5).join('\n')}`).toBeGreaterThanOrEqual(0.95)
      right += setRight
      total += set.lines.length
    }
    expect(right / total, wrong.slice(0, 20).join('\n')).toBeGreaterThanOrEqual(0.99)
  })
})

describe('level detection: the level is a field of the layout', () => {
  const cases: [string, string, string | undefined][] = [
    [
      'Windows CBS: a level after a comma-terminated timestamp and padding',
      '2016-09-28 04:30:30, Warning               CBS    Failed to get next element [HRESULT = 0x800f080d]',
      'warn',
    ],
    ['Windows CBS error', '2016-09-28 04:30:31, Error                 CSI    00000001 (F) STATUS_OBJECT_NAME_NOT_FOUND', 'error'],
    ['PostgreSQL LOG', '2024-01-11 06:23:58.583 UTC [26] LOG:  shutting down', 'info'],
    ['PostgreSQL PANIC', '2024-01-11 06:23:58.586 UTC [26] PANIC:  could not write to file "pg_logical/replorigin_checkpoint.tmp": No space left on device', 'fatal'],
    ['PostgreSQL FATAL with an %m [%p]: prefix', '2026-08-08 15:04:12 UTC [12801]: FATAL:  the database system is in recovery mode', 'fatal'],
    ['PostgreSQL NOTICE', '2025-04-11 22:17:46.846 +0000 [1329108] NOTICE:  table "scrape_memory" does not exist, skipping', 'info'],
    ['PostgreSQL DEBUG2', '2025-04-11 22:17:46.846 UTC [1329108] DEBUG2:  checkpointer updated shared memory configuration values', 'debug'],
    ['PostgreSQL WARNING', '2025-06-05 17:10:04 MSK [608647-3] [local] postgres@postgres WARNING: terminating connection', 'warn'],
    ['MySQL 5 [Note]', "120707  0:37:09 [Note] Plugin 'FEDERATED' is disabled.", 'info'],
    ['MySQL 8 [ERROR]', '2023-10-10T13:55:36.123456Z 0 [ERROR] [MY-010334] [Server] Failed to initialize DD tablespace', 'error'],
    ['MySQL 8 [Warning]', '2020-08-06T14:25:02.936146Z 0 [Warning] [MY-010068] [Server] CA certificate is self signed.', 'warn'],
    ['klog error', 'E1201 10:00:00.000000    4242 reflector.go:138] failed to list *v1.Pod: connection refused', 'error'],
    ['syslog priority <3>', '<3>disk /dev/sda1 failed', 'error'],
    ['syslog priority <4>', '<4>low on space', 'warn'],
    ['RFC 5424 priority (facility 5, severity 6)', '<46>1 2017-04-27T07:50:47.381967+02:00 logserver rsyslogd - - start', 'info'],
    ['Ruby Logger', 'E, [2022-05-07T18:02:41.592912 #20536] ERROR -- : Non-fatal error', 'error'],
    ['Ruby Logger: the letter decides, not a word in the message', 'I, [2022-05-07T17:59:14.349167 #20536]  INFO -- : retried after ERROR', 'info'],
    ['Python default', 'ERROR:root:something broke', 'error'],
    ['Python default, named logger', 'WARNING:urllib3.connectionpool:Retrying (Retry(total=2))', 'warn'],
    ['Apache 2.4 [core:error]', '[Tue Apr 04 06:28:08.605341 2017] [core:error] [pid 17962] [client 127.0.0.1:60444] AH00135: Invalid method', 'error'],
    ['Apache 2.2 [crit]', '[Thu Jan 17 02:42:49 2013] [crit] (28)No space left on device: Cannot create SSLMutex', 'fatal'],
    ['nginx [error]', '2013/02/05 00:35:57 [error] 6728#0: *1 connect() failed (111: Connection refused) while connecting to upstream', 'error'],
    ['nginx [warn]', '2024/12/25 14:34:02 [warn] 1234#0: server name "localhost" is not defined', 'warn'],
    ['journald JSON PRIORITY', '{"__REALTIME_TIMESTAMP":"1534860261221373","PRIORITY":"3","MESSAGE":"failed"}', 'error'],
    ['journald JSON PRIORITY 6', '{"PRIORITY" : "6", "MESSAGE" : "error count is 0"}', 'info'],
    ['logfmt level=', 'ts=2026-11-23T10:00:00Z level=warn msg="error budget at 80%"', 'warn'],
    ['bracketed [WARN]', '[2026-11-23 10:00:00] [WARN] retrying', 'warn'],
    ['pino numeric', '{"level":50,"time":1,"msg":"boom"}', 'error'],
    ['bunyan numeric', '{"name":"app","level":40,"msg":"slow"}', 'warn'],
  ]
  for (const [name, line, level] of cases) it(name, () => expect(detectLevel(line)).toBe(level))

  it('a level word in the message of an INFO line does not make it an error', () => {
    for (const line of [
      '2026-11-23 10:00:00 INFO request failed with ERROR code 7',
      '2026-11-23 10:00:00,123 INFO [main] retry after [error] from upstream',
      '2026-11-23T10:00:00Z info error=none level=error in the payload',
      '2016-09-28 04:30:30, Info                  CBS    Error count: 0',
      "2025-08-13 01:46:12.212 PDT [12389] LOG:  statement: SELECT * FROM errors WHERE level = 'ERROR'",
      '[Thu Jan 02 22:23:07.368853 2020] [http:info] [pid 4784] AH01593: [error] in request body',
      '- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected',
    ]) {
      expect(detectLevel(line), line).toBe('info')
    }
  })

  it('a line without a level field has none, whatever words its message holds', () => {
    for (const line of ['there were 0 errors and no warnings', 'compiling error.c', 'Error handling improved in v2']) {
      expect(detectLevel(line), line).toBeUndefined()
    }
  })
})
