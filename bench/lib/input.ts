/** Benchmark input: ~100-byte log lines, half plain text, half JSON, varied enough not to be trivial. */
import {once} from 'node:events'
import {createWriteStream} from 'node:fs'
import {open} from 'node:fs/promises'

const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR']
const JSON_LEVELS = [30, 30, 30, 20, 40, 50]

export function logLine(i: number): string {
  if (i % 2 === 0) {
    return `2026-11-23T10:${String(Math.floor(i / 60_000) % 60).padStart(2, '0')}:${String(Math.floor(i / 1000) % 60).padStart(2, '0')}Z ${LEVELS[i % 6]} worker-${i % 17} processed item ${i} in ${i % 97}ms`.padEnd(
      99,
      '.',
    )
  }
  return JSON.stringify({level: JSON_LEVELS[i % 6], time: 1795460000000 + i, pid: 4242, worker: i % 17, msg: `processed item ${i}`, ms: i % 97}).padEnd(99, ' ')
}

/**
 * Writes about `bytes` of lines to `path`; returns the number of lines. `lines(n)` gives
 * the n-th step's line or lines (default: the mixed text and JSON of `logLine`).
 */
export async function writeInput(path: string, bytes: number, lines: (n: number) => string | string[] = logLine): Promise<number> {
  const out = createWriteStream(path)
  let written = 0
  let count = 0
  for (let n = 0; written < bytes;) {
    let chunk = ''
    for (let i = 0; i < 10_000 && written < bytes; i++, n++) {
      const step = lines(n)
      for (const line of typeof step === 'string' ? [step] : step) {
        chunk += `${line}\n`
        written += line.length + 1
        count++
      }
    }
    if (!out.write(chunk)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  // On disk before anything is measured: else its writeback runs beside the first commands timed
  // (on this machine it made push's figure 30-60 % slower than in a later run, and `cat input > copy` twice as slow).
  const file = await open(path, 'r+')
  await file.sync()
  await file.close()
  return count
}
