import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import zlib from 'node:zlib'

/**
 * A small static file server for the H5 build (hash routing, so serving files is enough),
 * used by `npm start` for the browser preview and by the e2e harness. Optionally it
 * forwards some path prefixes to the API, so that the app and the API share one origin,
 * and replaces a placeholder string in text files as they are served (the e2e build bakes
 * a placeholder API base URL, and the harness only knows its own port at run time).
 */
export interface StaticServerOptions {
  /** Folder to serve: the H5 build output */
  root: string
  host?: string
  /** 0 picks a free port */
  port?: number
  /** Path prefixes forwarded to `proxy.target`, e.g. ['/api/', '/healthz'] */
  proxy?: { prefixes: string[]; target: string }
  /** Replaced in .html, .js and .css files while serving; `to` may be computed from the server's origin */
  replace?: Replacement | Replacement[]
}

export interface Replacement {
  from: string
  to: string | ((origin: string) => string)
}

export interface StaticServer {
  server: http.Server
  origin: string
  port: number
  close(): Promise<void>
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
}

const REWRITABLE = new Set(['.html', '.js', '.mjs', '.css'])
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.txt', '.svg'])
/** Taro names every chunk by its content (js/app.446ee9e5.js): such a file never changes under its name. */
const CONTENT_HASHED = /\.[0-9a-f]{8,}\.(?:js|mjs|css)$/i
const SMALLEST_WORTH_COMPRESSING = 1024

type Encoding = 'br' | 'gzip'

/** The best encoding the client accepts (brotli, then gzip); null for none. `q=0` refuses one. */
export function negotiateEncoding(acceptEncoding: string | undefined): Encoding | null {
  const accepted = new Map<string, number>()
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';')
    if (!name) continue
    const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find(Boolean)
    accepted.set(name, q === undefined ? 1 : Number(q))
  }
  const weight = (name: Encoding) => accepted.get(name) ?? (accepted.get('*') || 0)
  if (weight('br') > 0) return 'br'
  if (weight('gzip') > 0) return 'gzip'
  return null
}

export function contentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
}

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const root = path.resolve(options.root)
  const cache = new Map<string, Buffer>()
  const compressed = new Map<string, Buffer>()
  let origin = ''

  /** Each file is compressed once, at its best level: the build does not change while it is served. */
  const encoded = (file: string, body: Buffer, encoding: Encoding): Buffer => {
    const key = `${encoding}:${file}`
    let result = compressed.get(key)
    if (!result) {
      result =
        encoding === 'br'
          ? zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } })
          : zlib.gzipSync(body, { level: 9 })
      compressed.set(key, result)
    }
    return result
  }

  const readFile = (file: string): Buffer => {
    const cached = cache.get(file)
    if (cached) return cached
    let body = fs.readFileSync(file)
    const replacements = options.replace ? [options.replace].flat() : []
    if (replacements.length > 0 && REWRITABLE.has(path.extname(file).toLowerCase())) {
      let text = body.toString('utf8')
      for (const replace of replacements) {
        if (!text.includes(replace.from)) continue
        const to = typeof replace.to === 'function' ? replace.to(origin) : replace.to
        text = text.split(replace.from).join(to)
      }
      body = Buffer.from(text, 'utf8')
    }
    // Files are immutable while served; a rebuild changes their hashed names.
    if (options.replace) cache.set(file, body)
    return body
  }

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, target: URL) => {
    const upstream = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host, 'x-forwarded-host': req.headers.host ?? '' },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(`proxy error: ${error.message}`)
    })
    req.pipe(upstream)
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const { proxy } = options
    if (proxy && proxy.prefixes.some((prefix) => url.pathname === prefix || url.pathname.startsWith(prefix))) {
      forward(req, res, new URL(proxy.target))
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    let pathname: string
    try {
      pathname = decodeURIComponent(url.pathname)
    } catch {
      res.writeHead(400).end()
      return
    }
    let file = path.join(root, pathname)
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end()
      return
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html')
    if (!fs.existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${pathname}`)
      return
    }
    const plain = readFile(file)
    const extension = path.extname(file).toLowerCase()
    const encoding =
      COMPRESSIBLE.has(extension) && plain.length >= SMALLEST_WORTH_COMPRESSING
        ? negotiateEncoding(req.headers['accept-encoding'])
        : null
    const body = encoding ? encoded(file, plain, encoding) : plain
    res.writeHead(200, {
      'content-type': contentType(file),
      'content-length': body.length,
      ...(encoding ? { 'content-encoding': encoding } : {}),
      ...(COMPRESSIBLE.has(extension) ? { vary: 'accept-encoding' } : {}),
      // index.html names the current chunks, so it is always asked for again; a chunk's name
      // changes with its content, so a browser keeps it for a year without asking.
      'cache-control': CONTENT_HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : 'localhost'
  origin = `http://${host}:${port}`

  return {
    server,
    origin,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
