/**
 * The built page (web/dist, made by `npm run build`) served from memory: files are read
 * once, gzipped once, and answered with an ETag. Asset names carry a content hash, so
 * they are cached for a year; the HTML shell is revalidated every time.
 */
import {createHash} from 'node:crypto'
import {readdir, readFile} from 'node:fs/promises'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {extname, join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {packageDir} from '../paths.js'

/** web/dist in this package, beside dist/ (and beside src/ when run from source). */
export const DEFAULT_WEB_ROOT = join(packageDir(), 'web', 'dist')

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
}

const IMMUTABLE = 'public, max-age=31536000, immutable'
const REVALIDATE = 'no-cache'

interface Asset {
  body: Buffer
  gzipped?: Buffer
  type: string
  etag: string
  cacheControl: string
}

export class StaticAssets {
  private readonly cache = new Map<string, Promise<Asset | undefined>>()
  private names: Promise<Set<string>> | undefined

  constructor(private readonly root = DEFAULT_WEB_ROOT) {}

  /** The HTML shell every page route answers with; false when the page was not built. */
  async sendShell(request: IncomingMessage, response: ServerResponse, headers: Record<string, string>): Promise<boolean> {
    const asset = await this.load('index.html', REVALIDATE)
    if (!asset) return false
    send(request, response, asset, headers)
    return true
  }

  /** `/assets/<name>`: false for names that are not in web/dist/assets. */
  async sendAsset(name: string, request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return false
    if (!this.names)
      this.names = readdir(join(this.root, 'assets')).then(
        (list) => new Set(list),
        () => new Set(),
      )
    if (!(await this.names).has(name)) return false
    const asset = await this.load(join('assets', name), IMMUTABLE)
    if (!asset) return false
    send(request, response, asset, {})
    return true
  }

  private load(path: string, cacheControl: string): Promise<Asset | undefined> {
    let asset = this.cache.get(path)
    if (!asset) {
      asset = readFile(join(this.root, path)).then(
        (body) => makeAsset(body, CONTENT_TYPES[extname(path)] ?? 'application/octet-stream', cacheControl),
        () => undefined,
      )
      this.cache.set(path, asset)
    }
    return asset
  }
}

function makeAsset(body: Buffer, type: string, cacheControl: string): Asset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
  const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 512
  return {body, type, etag, cacheControl, gzipped: compressible ? gzipSync(body) : undefined}
}

function send(request: IncomingMessage, response: ServerResponse, asset: Asset, headers: Record<string, string>): void {
  const base: Record<string, string> = {...headers, 'content-type': asset.type, 'cache-control': asset.cacheControl, etag: asset.etag, vary: 'accept-encoding'}
  if (request.headers['if-none-match'] === asset.etag) {
    response.writeHead(304, base)
    response.end()
    return
  }
  const gzip = asset.gzipped && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))
  const body = gzip ? asset.gzipped! : asset.body
  response.writeHead(200, {...base, 'content-length': String(body.length), ...(gzip ? {'content-encoding': 'gzip'} : {})})
  response.end(request.method === 'HEAD' ? undefined : body)
}
