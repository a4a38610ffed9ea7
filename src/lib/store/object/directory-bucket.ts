/**
 * `file://DIR` archive: the embedded default. Same layout as the object stores (see
 * ../../archive/layout.ts); objects are written to a temporary name and renamed into place,
 * so a reader or a crash never sees half an object.
 */
import {createWriteStream} from 'node:fs'
import {mkdir, open, readdir, rename, rm, stat} from 'node:fs/promises'
import {randomBytes} from 'node:crypto'
import {dirname, join, relative, sep} from 'node:path'
import type {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import type {ByteRange, ObjectBucket, StoredObject} from './bucket.js'
import {ObjectStoreError} from '../../errors/index.js'
import {fileUrlPath} from '../url.js'

const TEMP_MARK = '.tmp-'

export class DirectoryBucket implements ObjectBucket {
  readonly name: string

  constructor(private readonly root: string) {
    this.name = `file://${root}`
  }

  urlOf(key: string): string {
    return `file://${this.path(key)}`
  }

  async writeStream(key: string, body: Readable): Promise<StoredObject[]> {
    const path = this.path(key)
    const temp = await this.tempFor(path)
    try {
      const out = createWriteStream(temp, {flags: 'wx'})
      await pipeline(body, out)
      await syncFile(temp)
      await rename(temp, path)
    } catch (error) {
      await rm(temp, {force: true})
      throw this.failure(error, `cannot write ${path}`)
    }
    return [{key, size: (await stat(path)).size}]
  }

  async writeBytes(key: string, data: Buffer, options: {exclusive?: boolean} = {}): Promise<boolean> {
    const path = this.path(key)
    await mkdir(dirname(path), {recursive: true})
    if (options.exclusive) {
      try {
        const handle = await open(path, 'wx')
        await handle.writeFile(data)
        await handle.close()
        return true
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
        throw this.failure(error, `cannot create ${path}`)
      }
    }
    const temp = await this.tempFor(path)
    const handle = await open(temp, 'wx')
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
    return true
  }

  async readStream(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const path = this.path(key)
    try {
      const handle = await open(path, 'r')
      const bounds = range && {start: range.offset, end: range.offset + range.length - 1}
      return handle.createReadStream({highWaterMark: 256 * 1024, ...bounds})
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw this.failure(error, `cannot read ${path}`)
    }
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    try {
      const info = await stat(this.path(key))
      return {key, size: info.size, modifiedAt: info.mtimeMs}
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw this.failure(error, `cannot stat ${this.path(key)}`)
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    let names: string[]
    try {
      names = await readdir(this.root, {recursive: true})
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      throw this.failure(error, `cannot list ${this.root}`)
    }
    for (const name of names) {
      const key = name.split(sep).join('/')
      if (!key.startsWith(prefix) || key.includes(TEMP_MARK)) continue
      const info = await stat(join(this.root, name)).catch(() => undefined)
      if (info?.isFile()) yield {key, size: info.size, modifiedAt: info.mtimeMs}
    }
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => rm(this.path(key), {force: true})))
  }

  async close(): Promise<void> {}

  private path(key: string): string {
    const path = join(this.root, key)
    if (relative(this.root, path).startsWith('..')) throw new Error(`archive key ${JSON.stringify(key)} escapes ${this.root}`)
    return path
  }

  private async tempFor(path: string): Promise<string> {
    await mkdir(dirname(path), {recursive: true})
    return `${path}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`
  }

  private failure(error: unknown, what: string): ObjectStoreError {
    const code = (error as NodeJS.ErrnoException).code
    const kind = code === 'EACCES' || code === 'EPERM' ? 'unauthorized' : 'unavailable'
    return new ObjectStoreError(kind, this.name, `${what}: ${(error as Error).message}`, error)
  }
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
