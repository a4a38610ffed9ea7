/**
 * `file://DIR` archive: the embedded default. Same layout as the object stores (see
 * ../../archive/layout.ts); objects are written to a temporary name and renamed into place,
 * so a reader or a crash never sees half an object.
 */
import {createWriteStream} from 'node:fs'
import {link, open, readdir, rename, rm, stat, writeFile} from 'node:fs/promises'
import {dirname, join, relative, sep} from 'node:path'
import type {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import type {ByteRange, ObjectBucket, StoredObject, WriteStreamOptions} from './bucket.js'
import {ObjectStoreError} from '../../errors/index.js'
import {ensureDir} from '../ensure-dir.js'
import {fileUrlPath} from '../url.js'
import {DEFAULT_RETRY_POLICY, ofOneStore} from '../retry.js'
import {objectStoreFailure, retried} from './failure.js'

const TEMP_MARK = '.tmp-'

export class DirectoryBucket implements ObjectBucket {
  readonly name: string
  readonly retry = ofOneStore(DEFAULT_RETRY_POLICY)

  constructor(private readonly root: string) {
    this.name = `file://${root}`
  }

  urlOf(key: string): string {
    return `file://${this.path(key)}`
  }

  async writeStream(key: string, body: Readable, {onProgress}: WriteStreamOptions = {}): Promise<StoredObject[]> {
    const path = this.path(key)
    const temp = await this.tempFor(path)
    try {
      const out = createWriteStream(temp, {flags: 'wx'})
      // Written as the body is read (its reads pace the writes): the sync is the one step after them.
      await pipeline(body, out)
      onProgress?.()
      await syncFile(temp)
      await rename(temp, path)
    } catch (error) {
      await rm(temp, {force: true})
      throw this.failure(error, `write ${path}`)
    }
    return [{key, size: (await stat(path)).size}]
  }

  async writeBytes(key: string, data: Buffer, options: {exclusive?: boolean} = {}): Promise<boolean> {
    const path = this.path(key)
    if (options.exclusive) {
      // Written whole under a temporary name, then hard-linked into place: link() fails if the
      // name exists, so the create is exclusive and no reader ever sees it half-written.
      return this.call(`create ${path}`, async () => {
        const temp = await this.tempFor(path)
        try {
          await writeFile(temp, data, {flag: 'wx'})
          await link(temp, path)
          return true
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
          throw error
        } finally {
          await rm(temp, {force: true})
        }
      })
    }
    await this.call(`write ${path}`, async () => {
      const temp = await this.tempFor(path)
      try {
        const handle = await open(temp, 'wx')
        try {
          await handle.writeFile(data)
          await handle.sync()
        } finally {
          await handle.close()
        }
        await rename(temp, path)
      } catch (error) {
        await rm(temp, {force: true})
        throw error
      }
    })
    return true
  }

  async readStream(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const path = this.path(key)
    const handle = await this.call(`read ${path}`, () => open(path, 'r').catch(absent))
    const bounds = range && {start: range.offset, end: range.offset + range.length - 1}
    return handle?.createReadStream({highWaterMark: 256 * 1024, ...bounds})
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    const info = await this.call(`stat ${this.path(key)}`, () => stat(this.path(key)).catch(absent))
    return info && {key, size: info.size, modifiedAt: info.mtimeMs}
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1) // only the folder the prefix names is read
    const names = await this.call(`list ${this.path(folder)}`, () => readdir(this.path(folder), {recursive: true}).catch(absent))
    if (!names) return
    for (const name of names) {
      const key = folder + name.split(sep).join('/')
      if (!key.startsWith(prefix) || key.includes(TEMP_MARK)) continue
      const info = await stat(join(this.root, key)).catch(() => undefined)
      if (info?.isFile()) yield {key, size: info.size, modifiedAt: info.mtimeMs}
    }
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.call(`delete ${this.path(key)}`, () => rm(this.path(key), {force: true}))))
  }

  async close(): Promise<void> {}

  private path(key: string): string {
    const path = join(this.root, key)
    if (relative(this.root, path).startsWith('..')) throw new Error(`archive key ${JSON.stringify(key)} escapes ${this.root}`)
    return path
  }

  private async tempFor(path: string): Promise<string> {
    await ensureDir(dirname(path))
    return `${path}${TEMP_MARK}${process.pid}-${process.getBuiltinModule('node:crypto').randomBytes(4).toString('hex')}`
  }

  private failure(error: unknown, what: string): ObjectStoreError {
    if (error instanceof ObjectStoreError) return error
    const facts = {
      where: this.name,
      bucket: this.root,
      credentials: [`the permissions of ${this.root}`],
      unavailable: [`check that ${this.root} is a directory (or can be made one) on a disk with free space`],
    }
    return objectStoreFailure({code: (error as NodeJS.ErrnoException).code, message: (error as Error).message}, what, facts, error)
  }

  /** A file-system call under the retry policy (EAGAIN, EMFILE… are transient). */
  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return retried(this.retry, fn, (error) => this.failure(error, what))
  }
}

/** A missing file or directory is undefined, not an error. */
function absent(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
  throw error
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export function openDirectoryBucket(url: URL): DirectoryBucket {
  return new DirectoryBucket(fileUrlPath(url))
}
