/**
 * A STAND-IN for the Vercel Blob HTTP API — not Vercel's service, which cannot run here.
 * Written from what @vercel/blob 2.8.0 sends and expects (read in node_modules/@vercel/
 * blob/dist: requestApi, getBlobError, createPutHeaders, the mpu and list/head/del
 * commands); the SDK is pointed at it with VERCEL_BLOB_API_URL. Objects live in memory.
 *
 *   PUT  /api/blob/?pathname=…          put: x-vercel-blob-access, x-allow-overwrite ("0" → an
 *                                       existing pathname is refused), x-add-random-suffix
 *   GET  /api/blob?url=…                head (url or pathname); 404 not_found
 *   GET  /api/blob?prefix&limit&cursor  list, sorted by pathname, cursor-paginated (hasMore)
 *   POST /api/blob/delete {urls}        delete; missing blobs are not an error
 *   POST /api/blob/mpu?pathname=…       multipart: x-mpu-action create | upload (x-mpu-key,
 *                                       x-mpu-upload-id, x-mpu-part-number) | complete
 *   GET  /blob/<store>/<access>/<path>  the blob's URL (the real one is
 *                                       https://<store>.<access>.blob.vercel-storage.com/<path>):
 *                                       private needs the store's token; Range → 206, 416
 *
 * Reads of a blob's URL go through Vercel's CDN, modelled from Vercel's changelog "Vercel
 * Blob now supports consistent reads on private storage": a fresh pathname reads its latest
 * write, but after an overwrite a read may see the cached version for up to 60 seconds,
 * unless it asks `?cache=0` (what the SDK's `useCache: false` sends). The stand-in is as
 * strict as that allows: for `staleForMs` (60 s) after an overwrite, a read without
 * `cache=0` gets the version before it. The changelog documents `cache=0` for private
 * stores; the stand-in honours it on public ones too, which the docs do not say.
 *
 * Errors are `{"error": {"code", "message"}}` as getBlobError reads them: a token of
 * another store or none → 403 forbidden; writing private blobs to a public store (or the
 * reverse) → 400 bad_request; an existing pathname without allowOverwrite → 400 "This blob
 * already exists…" (the message users report from the real API); a blob over
 * `maxBlobSize` → 400 "…the file length cannot be greater than…"; multipart parts under
 * 5 MiB but the last → 400. The exact status codes and messages of the last three are
 * this stand-in's approximation; what the SDK makes of them (its error classes) is what
 * the product relies on. Injected faults (./faults.ts): 5xx, 429 with Retry-After, resets.
 */
import {createHash, randomBytes, randomUUID} from 'node:crypto'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {FaultQueue, answerFault, cutAfter, type Fault, type InjectOptions} from './faults.js'
import {listenOnLoopback} from './free-port.js'

const MIN_PART = 5 * 1024 * 1024

interface Blob {
  data: Buffer
  uploadedAt: string
  contentType: string
  access: 'private' | 'public'
}

export interface VercelBlobStandin {
  readonly url: string
  readonly token: string
  readonly storeId: string
  /** Environment for the CLI: the API base and the token. */
  env(): NodeJS.ProcessEnv
  pathnames(): string[]
  blob(pathname: string): Buffer | undefined
  readonly requests: string[]
  readonly faults: FaultQueue
  inject(fault: Fault, options?: InjectOptions): void
  stop(): Promise<void>
}

export async function startVercelBlobStandin(options: {access?: 'private' | 'public'; maxBlobSize?: number; staleForMs?: number} = {}): Promise<VercelBlobStandin> {
  const storeId = randomBytes(8).toString('hex')
  const token = `vercel_blob_rw_${storeId}_${randomBytes(12).toString('hex')}`
  const storeAccess = options.access ?? 'private'
  const maxBlobSize = options.maxBlobSize ?? 5 * 1024 ** 4
  /** Known once the server listens, before any request. */
  let base = ''
  const blobs = new Map<string, Blob>()
  const uploads = new Map<string, {pathname: string; parts: Map<number, Buffer>}>()
  const requests: string[] = []
  const faults = new FaultQueue()

  const blobUrl = (pathname: string, access: string) => `${base}/blob/${storeId}/${access}/${pathname}`
  const describe = (pathname: string, blob: Blob) => ({
    url: blobUrl(pathname, blob.access),
    downloadUrl: `${blobUrl(pathname, blob.access)}?download=1`,
    pathname,
    size: blob.data.length,
    uploadedAt: blob.uploadedAt,
    contentType: blob.contentType,
    contentDisposition: `attachment; filename="${pathname.split('/').pop()}"`,
    cacheControl: 'public, max-age=2592000',
    etag: `"${createHash('md5').update(blob.data).digest('hex')}"`,
  })
  const pathnameOf = (urlOrPathname: string) => {
    try {
      return decodeURIComponent(new URL(urlOrPathname).pathname.replace(/^\/blob\/[^/]+\/[^/]+\//, '').replace(/^\//, ''))
    } catch {
      return urlOrPathname
    }
  }
  /** Checks a write's access and overwrite rules; undefined when it may go ahead. */
  const refuseWrite = (req: IncomingMessage, pathname: string): [number, string, string] | undefined => {
    const access = String(req.headers['x-vercel-blob-access'] ?? '')
    if (access !== storeAccess) return [400, 'bad_request', `Cannot use ${access} access on a ${storeAccess} store`]
    if (blobs.has(pathname) && req.headers['x-allow-overwrite'] !== '1') {
      return [400, 'bad_request', 'This blob already exists, use `allowOverwrite: true` if you want to overwrite it. Or `addRandomSuffix: true` to generate a unique filename.']
    }
    return undefined
  }
  /** What the CDN still serves of an overwritten pathname, and until when. */
  const cached = new Map<string, {data: Buffer; until: number}>()
  const staleForMs = options.staleForMs ?? 60_000
  const store = (req: IncomingMessage, pathname: string, data: Buffer): Blob => {
    const blob: Blob = {data, uploadedAt: new Date().toISOString(), contentType: String(req.headers['x-content-type'] ?? 'application/octet-stream'), access: storeAccess}
    const previous = blobs.get(pathname)
    if (previous) cached.set(pathname, {data: cached.get(pathname)?.data ?? previous.data, until: Date.now() + staleForMs})
    blobs.set(pathname, blob)
    return blob
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base)
    const method = req.method ?? 'GET'
    const fault = faults.take(req)
    if (fault && answerFault(req, res, fault)) return
    if (fault?.kind === 'cut') cutAfter(res, fault.afterBytes, fault.before)
    const authorized = req.headers.authorization === `Bearer ${token}`
    const blobRoute = /^\/blob\/([^/]+)\/(private|public)\/(.+)$/.exec(url.pathname)
    if (blobRoute) {
      requests.push(`${method} blob`)
      const pathname = decodeURIComponent(blobRoute[3])
      const blob = blobRoute[1] === storeId ? blobs.get(pathname) : undefined
      if (!blob || blob.access !== blobRoute[2]) return text(res, 404, 'The requested blob does not exist')
      if (blob.access === 'private' && !authorized) return text(res, 403, 'Forbidden')
      const stale = cached.get(pathname)
      if (stale && stale.until > Date.now() && url.searchParams.get('cache') !== '0') return sendBlob(req, res, stale.data)
      return sendBlob(req, res, blob.data)
    }
    if (!url.pathname.startsWith('/api/blob')) return apiError(res, 404, 'not_found', `route ${method} ${url.pathname} is not part of this stand-in`)
    const route = url.pathname.slice('/api/blob'.length).replace(/^\/$/, '')
    requests.push(`${method} ${route || '/'}${url.searchParams.has('url') ? ' head' : ''}`)
    if (!authorized) {
      req.resume()
      return apiError(res, 403, 'forbidden', 'Access denied, please provide a valid token for this resource.')
    }
    if (route === '' && method === 'PUT') {
      const pathname = url.searchParams.get('pathname') ?? ''
      const refused = refuseWrite(req, pathname)
      const data = await readBody(req)
      if (refused) return apiError(res, ...refused)
      if (data.length > maxBlobSize) return apiError(res, 400, 'bad_request', `File is too large: the file length cannot be greater than ${maxBlobSize} bytes`)
      return json(res, 200, describe(pathname, store(req, pathname, data)))
    }
    if (route === '' && method === 'GET' && url.searchParams.has('url')) {
      const pathname = pathnameOf(url.searchParams.get('url')!)
      const blob = blobs.get(pathname)
      return blob ? json(res, 200, describe(pathname, blob)) : apiError(res, 404, 'not_found', 'The requested blob does not exist')
    }
    if (route === '' && method === 'GET') {
      const prefix = url.searchParams.get('prefix') ?? ''
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 1000), 1000)
      const after = url.searchParams.get('cursor') ? Buffer.from(url.searchParams.get('cursor')!, 'base64url').toString() : ''
      const names = [...blobs.keys()].filter((p) => p.startsWith(prefix) && p > after).sort()
      const page = names.slice(0, limit)
      const hasMore = names.length > limit
      return json(res, 200, {blobs: page.map((p) => describe(p, blobs.get(p)!)), hasMore, cursor: hasMore ? Buffer.from(page.at(-1)!).toString('base64url') : undefined})
    }
    if (route === '/delete' && method === 'POST') {
      const {urls = []} = JSON.parse((await readBody(req)).toString() || '{}') as {urls?: string[]}
      for (const item of urls) {
        blobs.delete(pathnameOf(item))
        cached.delete(pathnameOf(item))
      }
      return json(res, 200, {})
    }
    if (route === '/mpu' && method === 'POST') {
      const pathname = url.searchParams.get('pathname') ?? ''
      const action = req.headers['x-mpu-action']
      if (action === 'create') {
        req.resume()
        const refused = refuseWrite(req, pathname)
        if (refused) return apiError(res, ...refused)
        const uploadId = randomUUID()
        uploads.set(uploadId, {pathname, parts: new Map()})
        return json(res, 200, {uploadId, key: encodeURIComponent(pathname)})
      }
      const upload = uploads.get(String(req.headers['x-mpu-upload-id']))
      const data = await readBody(req)
      if (!upload || upload.pathname !== pathname) return apiError(res, 400, 'bad_request', 'Unknown upload id')
      if (action === 'upload') {
        const number = Number(req.headers['x-mpu-part-number'])
        upload.parts.set(number, data)
        return json(res, 200, {etag: `"part-${number}-${createHash('md5').update(data).digest('hex')}"`})
      }
      if (action === 'complete') {
        const parts = (JSON.parse(data.toString()) as Array<{partNumber: number; etag: string}>).sort((a, b) => a.partNumber - b.partNumber)
        const buffers = parts.map((p) => upload.parts.get(p.partNumber))
        if (buffers.some((b) => !b)) return apiError(res, 400, 'bad_request', 'A part of this upload is missing')
        if (buffers.slice(0, -1).some((b) => b!.length < MIN_PART)) return apiError(res, 400, 'bad_request', 'Every part but the last must be at least 5 MiB')
        const whole = Buffer.concat(buffers as Buffer[])
        if (whole.length > maxBlobSize) return apiError(res, 400, 'bad_request', `File is too large: the file length cannot be greater than ${maxBlobSize} bytes`)
        const refused = refuseWrite(req, pathname)
        if (refused) return apiError(res, ...refused)
        uploads.delete(String(req.headers['x-mpu-upload-id']))
        return json(res, 200, describe(pathname, store(req, pathname, whole)))
      }
    }
    req.resume()
    return apiError(res, 400, 'bad_request', `route ${method} ${url.pathname} is not part of this stand-in`)
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((failure: Error) => apiError(res, 500, 'internal_server_error', failure.message))
  })
  base = `http://127.0.0.1:${await listenOnLoopback(server)}`
  return {
    url: base,
    token,
    storeId,
    env: () => ({VERCEL_BLOB_API_URL: `${base}/api/blob`, BLOB_READ_WRITE_TOKEN: token}),
    pathnames: () => [...blobs.keys()].sort(),
    blob: (pathname) => blobs.get(pathname)?.data,
    requests,
    faults,
    inject: (fault, injectOptions) => faults.inject(fault, injectOptions),
    async stop() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

function sendBlob(req: IncomingMessage, res: ServerResponse, data: Buffer): void {
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''))
  if (!range || (!range[1] && !range[2])) {
    res.writeHead(200, {'content-type': 'application/octet-stream', 'content-length': data.length, 'accept-ranges': 'bytes'})
    res.end(data)
    return
  }
  const start = range[1] ? Number(range[1]) : Math.max(0, data.length - Number(range[2]))
  const end = range[1] && range[2] ? Math.min(Number(range[2]), data.length - 1) : data.length - 1
  if (start >= data.length || end < start) {
    res.writeHead(416, {'content-range': `bytes */${data.length}`})
    res.end()
    return
  }
  res.writeHead(206, {'content-type': 'application/octet-stream', 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${data.length}`})
  res.end(data.subarray(start, end + 1))
}

function apiError(res: ServerResponse, status: number, code: string, message: string): void {
  json(res, status, {error: {code, message}})
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const out = JSON.stringify(body)
  res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(out)})
  res.end(out)
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {'content-type': 'text/plain', 'content-length': Buffer.byteLength(body)})
  res.end(body)
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}
