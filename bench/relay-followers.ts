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
      // Lines received = the last event id seen (ids are gapless seqs); no copying of chunks.
      let lastId = 0
      let partial = ''
      let tail = ''
      res.on('data', (chunk: Buffer) => {
        const now = Date.now()
        // The last complete `id:` of the chunk; an id cut by the chunk boundary is caught by
        // looking at the previous chunk's last bytes joined to this one's first bytes.
        for (let at = chunk.lastIndexOf(ID); at !== -1; at = at > 0 ? chunk.lastIndexOf(ID, at - 1) : -1) {
          const end = chunk.indexOf(10, at + ID.length)
          if (end === -1) continue
          lastId = Math.max(lastId, Number(chunk.toString('latin1', at + ID.length, end)))
          break
        }
        const seam = /\nid: (\d+)\n/.exec(tail + chunk.toString('latin1', 0, Math.min(chunk.length, 32)))
        if (seam) lastId = Math.max(lastId, Number(seam[1]))
        tail = chunk.toString('latin1', Math.max(0, chunk.length - 32))
        if (sampled) {
          // Marks may straddle chunks: keep the last few bytes of text for the next one.
          const text = partial + chunk.toString('latin1')
          let index = text.indexOf('t=')
          while (index !== -1 && index + 15 <= text.length) {
            latencies.push(now - Number(text.slice(index + 2, index + 15)))
            index = text.indexOf('t=', index + 15)
          }
          partial = index === -1 ? '' : text.slice(index)
        }
        if (chunk.includes('event: end')) ended++
      })
      res.on('close', () => {
        lines += lastId
        resolve()
      })
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
