/**
 * Finds secret values in everything a test left behind: every file under some
 * directories (gzip and zstd objects searched decompressed too, so an archive cannot hide one;
 * zstd by the `zstd` tool, so what it finds is what a user's `zstdcat` would show)
 * and every key of a Redis server, read by type (a DUMP may compress).
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {execFileSync} from 'node:child_process'
import {gunzipSync} from 'node:zlib'
import {Redis} from 'ioredis'

export interface Hit {
  where: string
  secret: string
}

export function searchFiles(dirs: string[], secrets: string[]): Hit[] {
  const hits: Hit[] = []
  const visit = (path: string) => {
    const stat = statSync(path, {throwIfNoEntry: false})
    if (!stat) return
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) visit(join(path, name))
      return
    }
    if (!stat.isFile()) return
    hits.push(...searchBytes(path, readFileSync(path), secrets))
  }
  for (const dir of dirs) visit(dir)
  return hits
}

export async function searchRedis(url: string, secrets: string[]): Promise<{hits: Hit[]; keys: number}> {
  const client = new Redis(url, {lazyConnect: true, maxRetriesPerRequest: 1})
  await client.connect()
  const hits: Hit[] = []
  let keys = 0
  try {
    for (let cursor = '0'; ;) {
      const [next, batch] = await client.scanBuffer(cursor, 'COUNT', 1000)
      for (const key of batch) {
        keys++
        const type = await client.type(key)
        const values: Buffer[] = [key]
        if (type === 'string') values.push((await client.getBuffer(key))!)
        if (type === 'hash') values.push(...Object.entries(await client.hgetallBuffer(key)).flatMap(([field, value]) => [Buffer.from(field), value]))
        if (type === 'zset') values.push(...(await client.zrangeBuffer(key, '0', '-1')))
        if (type === 'set') values.push(...(await client.smembersBuffer(key)))
        if (type === 'list') values.push(...(await client.lrangeBuffer(key, 0, -1)))
        if (type === 'stream') {
          for (const [id, fields] of await client.xrangeBuffer(key, '-', '+')) values.push(id, ...fields)
        }
        hits.push(...searchBytes(`redis key ${key.toString()}`, Buffer.concat(values), secrets))
      }
      cursor = next.toString()
      if (cursor === '0') break
    }
  } finally {
    client.disconnect()
  }
  return {hits, keys}
}

export function searchBytes(where: string, bytes: Buffer, secrets: string[]): Hit[] {
  const texts = [bytes]
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) texts.push(gunzipSync(bytes))
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0xfd2fb528) texts.push(execFileSync('zstd', ['-dcq'], {input: bytes, maxBuffer: 1 << 30}))
  return secrets.filter((secret) => texts.some((text) => text.includes(secret))).map((secret) => ({where, secret}))
}
