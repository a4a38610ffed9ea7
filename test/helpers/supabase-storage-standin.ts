/**
 * A STAND-IN for the Supabase Storage HTTP API — not the real server, which needs
 * PostgreSQL and more than CI has. Written from ../shared/SUPABASE-STORAGE.md (behaviour
 * observed on supabase/storage 1.11.2) and the routes @supabase/storage-js 2.109 calls;
 * it keeps objects in memory and implements only what the `logs` backends use:
 *
 *   GET/POST /storage/v1/bucket[/:id]            getBucket, createBucket (409 when it exists)
 *   DELETE   /storage/v1/bucket/:id               409 ResourceNotEmpty unless empty
 *   POST|PUT /storage/v1/object/:bucket/:path     upload (x-upsert) / update; raw bodies only
 *   GET|HEAD /storage/v1/object/:bucket/:path     download, with a single `Range` (206)
 *   POST     /storage/v1/object/list/:bucket      one folder: files + folders (`id: null`);
 *                                                 limit (capped at 1500), offset, search (name
 *                                                 prefix); the folder matched case-insensitively;
 *                                                 missing bucket → []
 *   POST     /storage/v1/object/list-v2/:bucket   flat: full keys under a prefix, case-sensitive,
 *                                                 byte order, cursor pages of 1000 (`listV2: false`:
 *                                                 a server before v1.19, which answers 404); written
 *                                                 from the server's source at v1.70.6 (listObjectsV2),
 *                                                 not measured as SUPABASE-STORAGE.md's points were
 *   DELETE   /storage/v1/object/:bucket           {prefixes}; keys already gone are not an error
 *
 * Faithful points: errors are HTTP 400 with the real code in the JSON body
 * (`statusCode` "409" Duplicate/KeyAlreadyExists, "404" not_found/NoSuchKey or
 * "Bucket not found"/NoSuchBucket, "413" EntityTooLarge, "403" signature verification
 * failed); the service key is checked on every request — except object download, where
 * the real server takes a bad key for an anonymous caller and answers 404 "Bucket not
 * found"; standard uploads are capped (50 MiB by default, `fileSizeLimit` to lower it);
 * an unsatisfiable Range is HTTP 416 InvalidRange. As on the real server, an upload
 * without upsert is not exclusive: the key is checked when the request arrives and the
 * object upserted when its body is in, so racing creates all succeed; and a download of
 * a key while an upsert of it is receiving its body answers HTTP 500 InternalError.
 * Gateway failures (502 while restarting, 429 with Retry-After, resets) are injected
 * with `inject` (./faults.ts). Not modelled: row-level security policies, resumable (TUS)
 * uploads, multipart form bodies, image transforms.
 */
import {createHash, randomUUID} from 'node:crypto'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {FaultQueue, answerFault, cutAfter, type Fault, type InjectOptions} from './faults.js'
import {listenOnLoopback} from './free-port.js'

export const STANDARD_UPLOAD_LIMIT = 50 * 1024 * 1024

interface StoredFile {
  id: string
  data: Buffer
  createdAt: string
  updatedAt: string
  mimetype: string
}

export interface SupabaseStandin {
  readonly url: string
  readonly port: number
  readonly serviceKey: string
  /** Environment for the CLI. */
  env(): NodeJS.ProcessEnv
  /** Object keys of a bucket (undefined when the bucket does not exist). */
  keys(bucket: string): string[] | undefined
  object(bucket: string, key: string): Buffer | undefined
  /** Stores objects as an upload would, without a request (fixtures too many to upload, e.g. 10⁵ manifests); creates the bucket. */
  seed(bucket: string, objects: Iterable<[key: string, data: Buffer]>): void
  /** Requests served, by "METHOD route". */
  readonly requests: string[]
  /** Object downloads served, as "bucket/key" and the Range asked for if any ("logs/a.idx bytes=0-99"). */
  readonly downloads: string[]
  /** Bytes of object bodies sent to clients (what a reader downloaded, ranged or not). */
  bytesServed(): number
  readonly faults: FaultQueue
  /** Fails matching requests (see ./faults.ts); paths are as sent, /storage/v1/… */
  inject(fault: Fault, options?: InjectOptions): void
  start(): Promise<void>
  stop(): Promise<void>
}

export async function startSupabaseStandin(options: {fileSizeLimit?: number; serviceKey?: string; listV2?: boolean} = {}): Promise<SupabaseStandin> {
  /** Picked by the first start; a restart listens on it again. */
  let port = 0
  const serviceKey = options.serviceKey ?? `service-role-${randomUUID()}`
  const limit = options.fileSizeLimit ?? STANDARD_UPLOAD_LIMIT
  const buckets = new Map<string, Map<string, StoredFile>>()
  const requests: string[] = []
  const downloads: string[] = []
  const served = {bytes: 0}
  const faults = new FaultQueue()
  /** "bucket/key" of objects whose upsert is receiving its body. */
  const replacing = new Set<string>()
  let server: Server | undefined

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://standin')
    const path = decodeURIComponent(url.pathname.replace(/^\/storage\/v1/, ''))
    const method = req.method ?? 'GET'
    const fault = faults.take(req)
    if (fault && answerFault(req, res, fault)) return
    if (fault?.kind === 'cut') cutAfter(res, fault.afterBytes, fault.before)
    if (req.headers.authorization !== `Bearer ${serviceKey}`) {
      requests.push(`${method} refused`)
      if ((method === 'GET' || method === 'HEAD') && /^\/object\/(?!list\/)[^/]+\/.+$/.test(path)) {
        return error(res, '404', 'Bucket not found', 'Bucket not found', 'NoSuchBucket') // a bad key is an anonymous caller here
      }
      await drain(req)
      return error(res, '403', 'Unauthorized', 'signature verification failed')
    }
    let match: RegExpExecArray | null
    if ((match = /^\/bucket\/?([^/]*)$/.exec(path))) {
      requests.push(`${method} bucket`)
      const id = match[1]
      if (method === 'GET' && id) {
        return buckets.has(id) ? json(res, 200, bucketJson(id)) : error(res, '404', 'Bucket not found', 'Bucket not found', 'NoSuchBucket')
      }
      if (method === 'POST' && !id) {
        const body = JSON.parse((await readBody(req, Infinity)).toString() || '{}') as {id?: string; name?: string}
        const name = body.id ?? body.name ?? ''
        if (buckets.has(name)) return error(res, '409', 'Duplicate', 'The resource already exists', 'BucketAlreadyExists')
        buckets.set(name, new Map())
        return json(res, 200, {name})
      }
      if (method === 'DELETE' && id) {
        const bucket = buckets.get(id)
        if (!bucket) return error(res, '404', 'Bucket not found', 'Bucket not found', 'NoSuchBucket')
        if (bucket.size > 0) return error(res, '409', 'Conflict', 'The bucket you tried to delete is not empty', 'ResourceNotEmpty')
        buckets.delete(id)
        return json(res, 200, {message: 'Successfully deleted'})
      }
    }
    if ((match = /^\/object\/list\/([^/]+)$/.exec(path)) && method === 'POST') {
      requests.push('POST list')
      const body = JSON.parse((await readBody(req, Infinity)).toString() || '{}') as {prefix?: string; limit?: number; offset?: number; search?: string}
      return json(res, 200, listFolder(buckets.get(match[1]), body))
    }
    if ((match = /^\/object\/list-v2\/([^/]+)$/.exec(path)) && method === 'POST') {
      requests.push('POST list-v2')
      const body = JSON.parse((await readBody(req, Infinity)).toString() || '{}') as ListV2Body
      // A server before storage v1.19 has no such route: Fastify's own 404.
      if (options.listV2 === false) return json(res, 404, {message: `Route POST:${url.pathname} not found`, error: 'Not Found', statusCode: 404})
      if (body.with_delimiter || body.sortBy) return error(res, '400', 'Unsupported', 'with_delimiter and sortBy are not part of this stand-in')
      return json(res, 200, listFlat(buckets.get(match[1]), body))
    }
    if ((match = /^\/object\/([^/]+)$/.exec(path)) && method === 'DELETE') {
      requests.push('DELETE objects')
      const bucket = buckets.get(match[1])
      const {prefixes = []} = JSON.parse((await readBody(req, Infinity)).toString() || '{}') as {prefixes?: string[]}
      const removed = prefixes.filter((key) => bucket?.delete(key)).map((name) => ({name, bucket_id: match![1]}))
      return json(res, 200, removed)
    }
    if ((match = /^\/object\/([^/]+)\/(.+)$/.exec(path))) {
      const [, name, key] = match
      const bucket = buckets.get(name)
      if (method === 'POST' || method === 'PUT') {
        requests.push(`${method} object`)
        if (!bucket) {
          await drain(req)
          return error(res, '404', 'Bucket not found', 'Bucket not found', 'NoSuchBucket')
        }
        const upsert = method === 'PUT' || req.headers['x-upsert'] === 'true'
        // Checked when the request arrives, not when the object is stored: not exclusive under a race.
        if (bucket.has(key) && !upsert) {
          await drain(req)
          return error(res, '409', 'Duplicate', 'The resource already exists', 'KeyAlreadyExists')
        }
        if (!bucket.has(key) && method === 'PUT') {
          await drain(req)
          return error(res, '404', 'not_found', 'Object not found', 'NoSuchKey')
        }
        const marker = `${name}/${key}`
        if (bucket.has(key)) replacing.add(marker)
        const data = await readBody(req, limit).finally(() => replacing.delete(marker))
        if (data.length > limit) return error(res, '413', 'Payload too large', 'The object exceeded the maximum allowed size', 'EntityTooLarge')
        const existing = bucket.get(key)
        const now = new Date().toISOString()
        const id = existing?.id ?? randomUUID()
        bucket.set(key, {id, data, createdAt: existing?.createdAt ?? now, updatedAt: now, mimetype: String(req.headers['content-type'] ?? 'application/octet-stream')})
        return json(res, 200, {Id: id, Key: `${name}/${key}`})
      }
      if (method === 'GET' || method === 'HEAD') {
        requests.push(`${method} object`)
        if (method === 'GET') downloads.push(`${name}/${key}${req.headers.range ? ` ${req.headers.range}` : ''}`)
        if (!bucket) return error(res, '404', 'Bucket not found', 'Bucket not found', 'NoSuchBucket')
        if (replacing.has(`${name}/${key}`)) return json(res, 500, {statusCode: '500', code: 'InternalError', error: 'internal', message: 'Internal Server Error'})
        const file = bucket.get(key)
        if (!file) return error(res, '404', 'not_found', 'Object not found', 'NoSuchKey')
        return sendFile(req, res, file, served)
      }
    }
    await drain(req)
    return error(res, '404', 'not_found', `route ${method} ${path} is not part of this stand-in`)
  }

  const standin: SupabaseStandin = {
    get url() {
      return `http://127.0.0.1:${port}`
    },
    get port() {
      return port
    },
    serviceKey,
    requests,
    downloads,
    bytesServed: () => served.bytes,
    faults,
    inject: (fault, options) => faults.inject(fault, options),
    env: () => ({SUPABASE_URL: `http://127.0.0.1:${port}`, SUPABASE_SERVICE_ROLE_KEY: serviceKey}),
    keys: (bucket) => (buckets.has(bucket) ? [...buckets.get(bucket)!.keys()].sort() : undefined),
    object: (bucket, key) => buckets.get(bucket)?.get(key)?.data,
    seed(bucket, objects) {
      const files = buckets.get(bucket) ?? new Map<string, StoredFile>()
      buckets.set(bucket, files)
      const now = new Date().toISOString()
      for (const [key, data] of objects) files.set(key, {id: randomUUID(), data, createdAt: now, updatedAt: now, mimetype: 'application/octet-stream'})
    },
    async start() {
      if (server) return
      server = createServer((req, res) => {
        handle(req, res).catch((failure: Error) => error(res, '500', 'Internal', failure.message))
      })
      port = await listenOnLoopback(server, port)
    },
    async stop() {
      const running = server
      server = undefined
      if (!running) return
      running.closeAllConnections()
      await new Promise((resolve) => running.close(resolve))
    },
  }
  await standin.start()
  return standin
}

function bucketJson(id: string): Record<string, unknown> {
  const now = new Date().toISOString()
  return {id, name: id, owner: '', public: false, file_size_limit: null, allowed_mime_types: null, created_at: now, updated_at: now}
}

function listFolder(bucket: Map<string, StoredFile> | undefined, body: {prefix?: string; limit?: number; offset?: number; search?: string}): unknown[] {
  if (!bucket) return []
  const folder = body.prefix ? `${body.prefix.replace(/\/+$/, '')}/` : ''
  const search = (body.search ?? '').toLowerCase()
  const folders = new Set<string>()
  const files: Array<{name: string; file: StoredFile}> = []
  // The folder matches case-insensitively, and names come back relative to it (SUPABASE-STORAGE.md).
  const folderLower = folder.toLowerCase()
  for (const [key, file] of bucket) {
    if (!key.toLowerCase().startsWith(folderLower)) continue
    const rest = key.slice(folder.length)
    const slash = rest.indexOf('/')
    if (slash === -1) files.push({name: rest, file})
    else folders.add(rest.slice(0, slash))
  }
  // Rows are built for the page only (an md5 per file of the whole folder made listing 10⁵ objects quadratic).
  const names = [...[...folders].map((name) => ({name, file: undefined as StoredFile | undefined})), ...files]
    .filter((row) => row.name.toLowerCase().startsWith(search))
    .map((row) => ({...row, lower: Buffer.from(row.name.toLowerCase())}))
    .sort((a, b) => Buffer.compare(a.lower, b.lower)) // ORDER BY lower(name) COLLATE "C"
  const offset = body.offset ?? 0
  const limit = Math.min(body.limit ?? 100, 1500) // the server caps it silently
  return names
    .slice(offset, offset + limit)
    .map(({name, file}) => (file === undefined ? {name, id: null, updated_at: null, created_at: null, last_accessed_at: null, metadata: null} : objectRow(name, file)))
}

interface ListV2Body {
  prefix?: string
  limit?: number
  cursor?: string
  with_delimiter?: boolean
  sortBy?: unknown
}

/**
 * list-v2 without a delimiter (storage v1.19+): every object whose full key starts with
 * `prefix`, case-sensitively (`name LIKE prefix%`), in byte order (`COLLATE "C"`), at
 * most 1000 a page; the cursor is opaque (here, as on the server, the last key in base64).
 */
function listFlat(bucket: Map<string, StoredFile> | undefined, body: ListV2Body): unknown {
  const prefix = body.prefix ?? ''
  const after = body.cursor ? Buffer.from(body.cursor, 'base64url').toString() : undefined
  const limit = Math.min(body.limit || 1000, 1000)
  // Keys are ASCII (the server refuses others: InvalidKey), so string order is byte order.
  const keys = [...(bucket?.keys() ?? [])].filter((key) => key.startsWith(prefix) && (after === undefined || key > after)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const page = keys.slice(0, limit)
  const hasNext = keys.length > limit
  return {
    hasNext,
    nextCursor: hasNext ? Buffer.from(page[page.length - 1]).toString('base64url') : undefined,
    nextCursorKey: hasNext ? page[page.length - 1] : undefined,
    folders: [],
    objects: page.map((key) => objectRow(key, bucket!.get(key)!)),
  }
}

function objectRow(name: string, file: StoredFile): unknown {
  return {
    name,
    id: file.id,
    updated_at: file.updatedAt,
    created_at: file.createdAt,
    last_accessed_at: file.updatedAt,
    metadata: {
      eTag: `"${md5(file.data)}"`,
      size: file.data.length,
      mimetype: file.mimetype,
      cacheControl: 'max-age=3600',
      lastModified: file.updatedAt,
      contentLength: file.data.length,
      httpStatusCode: 200,
    },
  }
}

/** A single `bytes=` range as the real server answers it: 206 with Content-Range, 416 InvalidRange when unsatisfiable. */
function sendFile(req: IncomingMessage, res: ServerResponse, file: StoredFile, served: {bytes: number}): void {
  const headers: Record<string, string | number> = {'content-type': file.mimetype, etag: `"${md5(file.data)}"`, 'accept-ranges': 'bytes'}
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''))
  let body = file.data
  let status = 200
  if (range && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(0, file.data.length - Number(range[2]))
    const end = range[1] && range[2] ? Math.min(Number(range[2]), file.data.length - 1) : file.data.length - 1
    if (start >= file.data.length || (range[1] && range[2] && Number(range[2]) < start)) {
      const text = JSON.stringify({statusCode: '416', error: 'InvalidRange', message: 'The requested range is not satisfiable', code: 'InvalidRange'})
      res.writeHead(416, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'content-range': `bytes */${file.data.length}`})
      res.end(text)
      return
    }
    body = file.data.subarray(start, end + 1)
    status = 206
    headers['content-range'] = `bytes ${start}-${end}/${file.data.length}`
  }
  headers['content-length'] = body.length
  res.writeHead(status, headers)
  if (req.method !== 'HEAD') served.bytes += body.length
  res.end(req.method === 'HEAD' ? undefined : body)
}

function error(res: ServerResponse, statusCode: string, error: string, message: string, code?: string): void {
  json(res, 400, {statusCode, error, message, ...(code ? {code} : {})})
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)})
  res.end(text)
}

/** Reads up to limit + 1 bytes (enough to know the body is too large), then drains the rest. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (size <= limit) chunks.push(chunk)
    size += chunk.length
  }
  return Buffer.concat(chunks).subarray(0, Math.min(size, limit + 1))
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _ of req) void _
}

function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('hex')
}
