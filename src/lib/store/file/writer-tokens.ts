/**
 * The last batch a job applied for each writer (AppendToken), for idempotent retries:
 *
 *   DIR/jobs/<id>/writers/<sha-256 of the writer id>   f64 batch, rewritten in place
 *
 * One pwrite per append: replacing a JSON file by rename, as this store did, made ext4
 * flush the disk on every append (a relay over the file store spent most of its time
 * there). Jobs written before keep their tokens in writers.json, read for a writer that
 * has no record of its own. Callers hold the job's lock.
 */
import {closeSync, constants, mkdirSync, openSync, readFileSync, readSync, writeSync} from 'node:fs'
import {join} from 'node:path'

const DIR = 'writers'
const LEGACY_FILE = 'writers.json'

export class WriterTokens {
  constructor(private readonly jobDir: string) {}

  /** The last batch applied for `writer`, if any. */
  applied(writer: string): number | undefined {
    let fd: number
    try {
      fd = openSync(this.path(writer), 'r')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.legacy()[writer]
      throw error
    }
    try {
      const record = Buffer.alloc(8)
      return readSync(fd, record, 0, 8, 0) === 8 ? record.readDoubleLE(0) : this.legacy()[writer]
    } finally {
      closeSync(fd)
    }
  }

  record(writer: string, batch: number): void {
    const path = this.path(writer)
    let fd: number
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      mkdirSync(join(this.jobDir, DIR), {recursive: true})
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT)
    }
    try {
      const record = Buffer.alloc(8)
      record.writeDoubleLE(batch, 0)
      writeSync(fd, record, 0, 8, 0)
    } finally {
      closeSync(fd)
    }
  }

  private path(writer: string): string {
    // Hashed: a writer id is the client's (Logs-Writer) and may be `..`; a file name it cannot be.
    // node:crypto on first use, not at import: readers of the store (`get`, `ls`) never hash, and loading it costs their start-up.
    return join(this.jobDir, DIR, process.getBuiltinModule('node:crypto').createHash('sha256').update(writer).digest('hex'))
  }

  private legacy(): Record<string, number> {
    try {
      return JSON.parse(readFileSync(join(this.jobDir, LEGACY_FILE), 'utf8')) as Record<string, number>
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw error
    }
  }
}
