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

/** One writer's record for the length of one append: read, then rewritten, through one open file. */
export class WriterToken {
  private fd: number | undefined

  constructor(
    private readonly jobDir: string,
    private readonly writer: string,
  ) {}

  /** The last batch applied for the writer, if any. */
  applied(): number | undefined {
    const record = Buffer.alloc(8)
    return readSync(this.open(), record, 0, 8, 0) === 8 ? record.readDoubleLE(0) : this.legacy()
  }

  record(batch: number): void {
    const record = Buffer.alloc(8)
    record.writeDoubleLE(batch, 0)
    writeSync(this.open(), record, 0, 8, 0)
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd
    // Hashed: a writer id is the client's (Logs-Writer) and may be `..`; a file name it cannot be.
    // node:crypto on first use, not at import: readers of the store (`get`, `ls`) never hash, and loading it costs their start-up.
    const path = join(this.jobDir, DIR, process.getBuiltinModule('node:crypto').createHash('sha256').update(this.writer).digest('hex'))
    try {
      this.fd = openSync(path, constants.O_RDWR | constants.O_CREAT)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      mkdirSync(join(this.jobDir, DIR), {recursive: true})
      this.fd = openSync(path, constants.O_RDWR | constants.O_CREAT)
    }
    return this.fd
  }

  private legacy(): number | undefined {
    try {
      return (JSON.parse(readFileSync(join(this.jobDir, LEGACY_FILE), 'utf8')) as Record<string, number>)[this.writer]
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
  }
}
