/**
 * The Lua scripts that make each write atomic. Every script touches only the keys of one
 * job (one hash tag, so one Cluster slot); the job index is updated by the caller.
 *
 * append  KEYS meta log writers
 *         ARGV writer batch now lines bytes minTs maxTs levelCounts maxLines firstTs
 *              ordered masked after, then per chunk: lineCount index data
 *         → {duplicate(0|1), first, last}, {-1, 0, 0} when the job does not exist, or
 *           {-2, applied, 0} when `after` is set and is not the writer's last applied batch
 * start   KEYS meta log writers   ARGV now labelsJson continuesJson → HGETALL meta (continues
 *         is set only on a job the call creates)
 * end     KEYS meta log writers   ARGV status exitCode now ttlMs → HGETALL meta, or nil
 *         when the job does not exist
 * update  KEYS meta log           ARGV field value …      → 1, or 0 when the job does not exist
 *
 * end and update add a marker to the stream (`<lines>-<n>`, n ≥ 1; see keys.ts) so that a
 * follower blocked in XREAD wakes and reads the metadata again. Each keeps only its latest
 * marker (the previous one is deleted), so markers never pile up in the stream.
 */
const APPEND = `
local meta, log, writers = KEYS[1], KEYS[2], KEYS[3]
local writer, batch = ARGV[1], tonumber(ARGV[2])
if writer ~= '' then
  local applied = redis.call('HGET', writers, writer)
  if applied then
    local b, f, l = string.match(applied, '^(%d+) (%-?%d+) (%-?%d+)$')
    if tonumber(b) == batch then return {1, tonumber(f), tonumber(l)} end
    if tonumber(b) > batch then return {1, 0, -1} end
  end
  local last = applied and tonumber(string.match(applied, '^(%d+)')) or 0
  if ARGV[13] ~= '' and last ~= tonumber(ARGV[13]) then return {-2, last, 0} end
end
if redis.call('EXISTS', meta) == 0 then return {-1, 0, 0} end
local now, n = ARGV[3], tonumber(ARGV[4])
local last = redis.call('HINCRBY', meta, 'lines', n)
local first = last - n + 1
redis.call('HINCRBY', meta, 'bytes', ARGV[5])
local levels = {'trace', 'debug', 'info', 'warn', 'error', 'fatal'}
local i = 1
for count in string.gmatch(ARGV[8], '%d+') do
  if count ~= '0' then redis.call('HINCRBY', meta, 'lv:' .. levels[i], count) end
  i = i + 1
end
local known = redis.call('HMGET', meta, 'firstTs', 'lastTs')
if not known[1] or tonumber(known[1]) > tonumber(ARGV[6]) then redis.call('HSET', meta, 'firstTs', ARGV[6]) end
if ARGV[11] == '0' or (known[2] and tonumber(known[2]) > tonumber(ARGV[10])) then redis.call('HSET', meta, 'unordered', '1') end
if not known[2] or tonumber(known[2]) < tonumber(ARGV[7]) then redis.call('HSET', meta, 'lastTs', ARGV[7]) end
redis.call('HSET', meta, 'updatedAt', now)
if ARGV[12] ~= '0' then redis.call('HINCRBY', meta, 'masked', ARGV[12]) end
local maxLines = tonumber(ARGV[9])
local seq = first - 1
for c = 14, #ARGV, 3 do
  seq = seq + tonumber(ARGV[c])
  if maxLines > 0 and seq > maxLines then
    redis.call('XADD', log, 'MINID', '~', string.format('%d', seq - maxLines + 1), string.format('%d-0', seq), 'i', ARGV[c + 1], 'd', ARGV[c + 2])
  else
    redis.call('XADD', log, string.format('%d-0', seq), 'i', ARGV[c + 1], 'd', ARGV[c + 2])
  end
end
if writer ~= '' then redis.call('HSET', writers, writer, string.format('%d %d %d', batch, first, last)) end
return {0, first, last}
`

const START = `
local meta, log, writers = KEYS[1], KEYS[2], KEYS[3]
if ARGV[3] ~= '' and redis.call('HEXISTS', meta, 'createdAt') == 0 then redis.call('HSET', meta, 'continues', ARGV[3]) end
redis.call('HSETNX', meta, 'createdAt', ARGV[1])
redis.call('HSET', meta, 'status', 'running', 'updatedAt', ARGV[1])
redis.call('HDEL', meta, 'endedAt', 'exitCode')
local marker = redis.call('HGET', meta, 'endMarker')
if marker then
  redis.call('XDEL', log, marker)
  redis.call('HDEL', meta, 'endMarker')
end
if ARGV[2] ~= '' then
  local labels = cjson.decode(redis.call('HGET', meta, 'labels') or '{}')
  for k, v in pairs(cjson.decode(ARGV[2])) do labels[k] = v end
  redis.call('HSET', meta, 'labels', cjson.encode(labels))
end
redis.call('PERSIST', meta)
redis.call('PERSIST', log)
redis.call('PERSIST', writers)
return redis.call('HGETALL', meta)
`

const END = `
local meta, log, writers = KEYS[1], KEYS[2], KEYS[3]
if redis.call('EXISTS', meta) == 0 then return false end
redis.call('HSET', meta, 'status', ARGV[1], 'updatedAt', ARGV[3], 'endedAt', ARGV[3])
if ARGV[2] ~= '' then redis.call('HSET', meta, 'exitCode', ARGV[2]) else redis.call('HDEL', meta, 'exitCode') end
local old = redis.call('HGET', meta, 'endMarker')
if old then redis.call('XDEL', log, old) end
local lines = redis.call('HGET', meta, 'lines') or '0'
local id = redis.call('XADD', log, lines .. '-*', 'end', ARGV[1])
redis.call('HSET', meta, 'endMarker', id)
local ttl = tonumber(ARGV[4])
if ttl > 0 then
  redis.call('PEXPIRE', meta, ttl)
  redis.call('PEXPIRE', log, ttl)
  redis.call('PEXPIRE', writers, ttl)
end
return redis.call('HGETALL', meta)
`

const UPDATE = `
local meta, log = KEYS[1], KEYS[2]
if redis.call('EXISTS', meta) == 0 then return 0 end
for i = 1, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', meta, ARGV[i]) else redis.call('HSET', meta, ARGV[i], ARGV[i + 1]) end
end
local old = redis.call('HGET', meta, 'metaMarker')
if old then redis.call('XDEL', log, old) end
local lines = redis.call('HGET', meta, 'lines') or '0'
local id = redis.call('XADD', log, lines .. '-*', 'meta', '1')
redis.call('HSET', meta, 'metaMarker', id)
local ttl = redis.call('PTTL', meta)
if ttl > 0 then redis.call('PEXPIRE', log, ttl) end
return 1
`

export const SCRIPTS = {
  logsAppend: {lua: APPEND, numberOfKeys: 3},
  logsStart: {lua: START, numberOfKeys: 3},
  logsEnd: {lua: END, numberOfKeys: 3},
  logsUpdate: {lua: UPDATE, numberOfKeys: 2},
} as const

type Arg = string | Buffer | number

/** The scripts as ioredis defines them on a client (`scripts` option): EVALSHA, EVAL on NOSCRIPT. */
export interface ScriptCommands {
  logsAppend(...args: Arg[]): Promise<[number, number, number]>
  logsStart(...args: Arg[]): Promise<string[]>
  logsEnd(...args: Arg[]): Promise<string[] | null>
  logsUpdate(...args: Arg[]): Promise<number>
}
