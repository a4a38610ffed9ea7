/**
 * How often each byte comes in log text, from a few lines in the forms logs take (syslog-like
 * text with levels and timestamps, JSON, CI output, a stack trace, an access log): the
 * prefilter's buckets (literal-scan.ts) are packed to flag as few places as they can in such
 * text. A byte the lines lack gets a small share of its own, not none. Lines 2 to 6 are in
 * the forms of Loghub's Zookeeper, Spark, HDFS, Android and Apache logs (test/fixtures/loghub).
 */
const SAMPLE = [
  '2026-11-23T10:00:05.123Z INFO  [main] com.example.OrderService: processed order 4711 for customer 93 in 12ms',
  '2026-11-23 10:00:06,480 - WARN  [SendWorker:188978561024:QuorumCnxManager$SendWorker@679] - Interrupted while waiting for message on queue',
  '17/06/09 20:10:52 INFO executor.Executor: Running task 2.0 in stage 1.0 (TID 69)',
  '081109 203615 148 INFO dfs.DataNode$PacketResponder: Received block blk_-1608999687919862906 of size 91178 from /10.250.10.6',
  '03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogsopening app wtoken = AppWindowToken{9f4ef63 token=Token{a64f992}}',
  '[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6',
  '10.0.4.17 - - [23/Nov/2026:10:00:07 +0000] "GET /api/v1/items?page=2 HTTP/1.1" 200 5123 "-" "Mozilla/5.0 (X11; Linux x86_64)"',
  '{"level":30,"time":1795460000123,"pid":4242,"hostname":"web-1","msg":"request completed","req":{"method":"GET","url":"/health"},"responseTime":3}',
  '{"level":"error","ts":"2026-11-23T10:00:08.001Z","caller":"server/handler.go:88","msg":"upstream timeout","error":"context deadline exceeded"}',
  'npm ERR! code ELIFECYCLE',
  '+ make -j4 all',
  'Step 3/12 : RUN apt-get update && apt-get install -y --no-install-recommends build-essential',
  '    at Object.<anonymous> (/app/src/index.js:10:15)',
  '  File "/usr/lib/python3.11/site-packages/app/worker.py", line 42, in run',
  'ERROR: test_checkout (tests.test_cart.CartTest) ... FAILED',
].join('\n')

/** The share of log text each byte makes up, by byte value. */
export const TYPICAL_BYTE_SHARE: Float64Array = (() => {
  const counts = new Float64Array(256).fill(0.1)
  for (const byte of Buffer.from(SAMPLE, 'latin1')) counts[byte]++
  const total = counts.reduce((sum, count) => sum + count, 0)
  return counts.map((count) => count / total)
})()

/** The share of the 16 bytes of each high nibble (any low nibble), by high nibble. */
export const TYPICAL_ROW_SHARE: Float64Array = Float64Array.from({length: 16}, (_, high) =>
  TYPICAL_BYTE_SHARE.subarray(high << 4, (high + 1) << 4).reduce((sum, share) => sum + share, 0),
)
