/**
 * Worker of bench/relay.ts: opens N SSE followers of one job on the relay and measures,
 * for every line received, now − the time the writer put in the line (`t=<ms>`).
 * Prints one JSON line with counts and latency percentiles when every stream has ended.
 *
 *   node --import tsx bench/relay-followers.ts URL JOB N
 */
import {request} from 'node:http'

const [url, job, countText] = process.argv.slice(2)
const count = Number(countText)
const latencies: number[] = []
let lines = 0
let ended = 0
let failed = 0

const MARK = Buffer.from('t=')
const ID = Buffer.from('\nid: ')

function follow(sampled: boolean): Promise<void> {
  return new Promise((resolve) => {
    const req = request(`${url}/v1/jobs/${job}/logs/stream?after=0`, {agent: false}, (res) => {
      if (res.statusCode !== 200) {
        failed++
        res.resume()
        resolve()
        return
      }
      let carry: Buffer = Buffer.alloc(0)
      res.on('data', (chunk: Buffer) => {
        const now = Date.now()
        const data = carry.length ? Buffer.concat([carry, chunk]) : chunk
        let at = 0
        for (let i = data.indexOf(ID, 0); i !== -1; i = data.indexOf(ID, i + 1)) {
          lines++
          at = i
          if (!sampled) continue
          const mark = data.indexOf(MARK, i)
          if (mark === -1) break
          latencies.push(now - Number(data.toString('latin1', mark + 2, mark + 15)))
        }
        carry = data.subarray(Math.max(at, data.length - 64))
        if (data.includes('event: end')) ended++
      })
      res.on('end', resolve)
      res.on('error', () => resolve())
    })
    req.on('error', () => {
      failed++
      resolve()
    })
    req.end()
  })
}

// Every follower counts lines; a sample of them also parses latencies (parsing all would
// make this process, not the relay, the bottleneck being measured).
const streams = Array.from({length: count}, (_, i) => follow(i % 10 === 0))
process.send?.({connected: true})
await Promise.all(streams)
latencies.sort((a, b) => a - b)
const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN
process.send?.({lines, ended, failed, samples: latencies.length, p50: pick(0.5), p90: pick(0.9), p99: pick(0.99), max: latencies.at(-1) ?? Number.NaN})
