/**
 * A one-line progress bar on stderr, only when stderr is a terminal (a cron job's log
 * gets the summary alone). Redrawn at most every 100 ms; cleared at the end.
 */
const WIDTH = 24
const REDRAW_MS = 100

export interface Progress {
  update(done: number, total: number, label: string): void
  finish(): void
}

export function progressBar(stream: NodeJS.WriteStream = process.stderr, verb = 'archiving'): Progress {
  if (!stream.isTTY) return {update: () => undefined, finish: () => undefined}
  let drawn = 0
  let shown = false
  return {
    update(done, total, label) {
      const now = Date.now()
      if (done < total && now - drawn < REDRAW_MS) return
      drawn = now
      shown = true
      const filled = total === 0 ? WIDTH : Math.round((done / total) * WIDTH)
      const columns = stream.columns || 80
      const line = `${verb} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total} ${label}`
      stream.write(`\r\u001B[2K${line.slice(0, columns - 1)}`)
    },
    finish() {
      if (shown) stream.write('\r\u001B[2K')
    },
  }
}
