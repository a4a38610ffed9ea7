/**
 * A REQUEST-CONTRACT server for the S3 calls s3rver cannot serve (AbortMultipartUpload →
 * 405, ListMultipartUploads → 501, lifecycle → 501; see ../shared/S3RVER.md). It is not
 * an S3 implementation: it records every request (method, path, query, headers, body)
 * and answers with fixed responses shaped like the examples in the Amazon S3 API
 * reference, so tests can assert that the right requests are sent and that the code
 * handles S3's answers. Tests using it say so in their names.
 */
import {createServer, type IncomingMessage, type Server} from 'node:http'
import {listenOnLoopback} from './free-port.js'
import {S3Client} from '@aws-sdk/client-s3'

export interface ContractRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: Buffer
}

export interface ContractServerOptions {
  /** UploadPart of these part numbers answers 500 InternalError. */
  failParts?: number[]
  /** Uploads ListMultipartUploads returns: key, id, initiated. */
  uploads?: Array<{key: string; uploadId: string; initiated: Date}>
  /** Existing lifecycle rules as XML <Rule> elements; none → NoSuchLifecycleConfiguration. */
  lifecycleRulesXml?: string
}

export interface ContractServer {
  readonly endpoint: string
  readonly requests: ContractRequest[]
  client(): S3Client
  /** Requests whose method is `method` and whose query has `param`. */
  find(method: string, param?: string): ContractRequest[]
  stop(): Promise<void>
}

const XML = {'content-type': 'application/xml'}

export async function startS3ContractServer(options: ContractServerOptions = {}): Promise<ContractServer> {
  const requests: ContractRequest[] = []
  const objects = new Set<string>()
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk)
    const url = new URL(req.url ?? '/', 'http://contract')
    const request: ContractRequest = {method: req.method ?? '', path: decodeURIComponent(url.pathname), query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks)}
    requests.push(request)
    const [bucket, ...keyParts] = request.path.slice(1).split('/')
    const key = keyParts.join('/')
    const q = url.searchParams
    if (request.method === 'POST' && q.has('uploads')) {
      res
        .writeHead(200, XML)
        .end(
          `<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>upload-1</UploadId></InitiateMultipartUploadResult>`,
        )
    } else if (request.method === 'PUT' && q.has('partNumber')) {
      const number = Number(q.get('partNumber'))
      if (options.failParts?.includes(number))
        res
          .writeHead(500, XML)
          .end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>')
      else res.writeHead(200, {etag: `"etag-${number}"`}).end()
    } else if (request.method === 'DELETE' && q.has('uploadId')) {
      res.writeHead(204).end()
    } else if (request.method === 'POST' && q.has('uploadId')) {
      res
        .writeHead(200, XML)
        .end(
          `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><ETag>"done-2"</ETag></CompleteMultipartUploadResult>`,
        )
    } else if (request.method === 'GET' && q.has('uploads')) {
      const uploads = (options.uploads ?? [])
        .map(
          (u) => `<Upload><Key>${u.key}</Key><UploadId>${u.uploadId}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated><StorageClass>STANDARD</StorageClass></Upload>`,
        )
        .join('')
      res
        .writeHead(200, XML)
        .end(`<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>${bucket}</Bucket><IsTruncated>false</IsTruncated>${uploads}</ListMultipartUploadsResult>`)
    } else if (request.method === 'GET' && q.has('lifecycle')) {
      if (options.lifecycleRulesXml)
        res.writeHead(200, XML).end(`<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration>${options.lifecycleRulesXml}</LifecycleConfiguration>`)
      else
        res
          .writeHead(404, XML)
          .end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchLifecycleConfiguration</Code><Message>The lifecycle configuration does not exist</Message></Error>')
    } else if (request.method === 'PUT' && q.has('lifecycle')) {
      res.writeHead(200).end()
    } else if (request.method === 'PUT' && req.headers['if-none-match'] === '*' && objects.has(request.path)) {
      res
        .writeHead(412, XML)
        .end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>',
        )
    } else if (request.method === 'PUT') {
      objects.add(request.path)
      res.writeHead(200, {etag: '"single"'}).end()
    } else {
      res.writeHead(501, XML).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code><Message>not part of this contract</Message></Error>')
    }
  })
  const port = await listenOnLoopback(server)
  const endpoint = `http://127.0.0.1:${port}`
  return {
    endpoint,
    requests,
    client: () =>
      new S3Client({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        maxAttempts: 1,
        credentials: {accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret'},
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    find: (method, param) => requests.filter((r) => r.method === method && (!param || r.query.has(param))),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
