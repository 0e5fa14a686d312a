import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { negotiateEncoding, startStaticServer, type StaticServer } from '../../../scripts/lib/static-server'

/**
 * The H5 preview's static server (npm start, the e2e harness): text files go out compressed as the
 * browser accepts them, content-hashed chunks are cached for a year, index.html is always revalidated.
 */
describe('the H5 static server', () => {
  let dir: string
  let server: StaticServer
  const script = `console.log(${JSON.stringify('北辰遴选 '.repeat(400))})\n`
  const page = `<!doctype html><title>北辰遴选</title>${'<div></div>'.repeat(200)}`

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-static-'))
    fs.mkdirSync(path.join(dir, 'js'))
    fs.writeFileSync(path.join(dir, 'index.html'), page)
    fs.writeFileSync(path.join(dir, 'js', 'app.446ee9e5.js'), script)
    fs.writeFileSync(path.join(dir, 'tiny.txt'), 'ok')
    fs.writeFileSync(path.join(dir, 'logo.png'), Buffer.alloc(4096, 7))
    server = await startStaticServer({ root: dir })
  })
  afterAll(async () => {
    await server.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  /** Raw bytes and headers, without the decompression fetch would do */
  const get = (pathname: string, acceptEncoding?: string, method = 'GET') =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const request = http.request(
        `${server.origin}${pathname}`,
        { method, headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } },
        (response) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => chunks.push(chunk))
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
          )
        },
      )
      request.on('error', reject)
      request.end()
    })

  it('sends brotli, then gzip, as accepted, and the same bytes once decoded', async () => {
    const br = await get('/js/app.446ee9e5.js', 'gzip, deflate, br')
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers.vary).toBe('accept-encoding')
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(script)
    expect(br.body.length).toBeLessThan(Buffer.byteLength(script) / 4)

    const gzip = await get('/js/app.446ee9e5.js', 'gzip, br;q=0')
    expect(gzip.headers['content-encoding']).toBe('gzip')
    expect(zlib.gunzipSync(gzip.body).toString()).toBe(script)

    const plain = await get('/js/app.446ee9e5.js')
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body.toString()).toBe(script)
    expect(Number(plain.headers['content-length'])).toBe(Buffer.byteLength(script))
  })

  it('leaves images and files too small to gain alone', async () => {
    for (const file of ['/logo.png', '/tiny.txt']) {
      const answer = await get(file, 'br, gzip')
      expect(answer.headers['content-encoding']).toBeUndefined()
    }
  })

  it('caches hashed chunks for a year and revalidates index.html', async () => {
    expect((await get('/js/app.446ee9e5.js', 'br')).headers['cache-control']).toBe(
      'public, max-age=31536000, immutable',
    )
    const index = await get('/', 'br')
    expect(index.headers['cache-control']).toBe('no-cache')
    expect(zlib.brotliDecompressSync(index.body).toString()).toBe(page)
    const head = await get('/', 'br', 'HEAD')
    expect([head.status, head.body.length, head.headers['content-encoding']]).toEqual([200, 0, 'br'])
  })

  it('reads Accept-Encoding as browsers and proxies write it', () => {
    expect(negotiateEncoding('gzip, deflate, br, zstd')).toBe('br')
    expect(negotiateEncoding('gzip;q=1.0, br;q=0')).toBe('gzip')
    expect(negotiateEncoding('*')).toBe('br')
    expect(negotiateEncoding('*;q=0, gzip')).toBe('gzip')
    expect(negotiateEncoding('identity')).toBeNull()
    expect(negotiateEncoding('')).toBeNull()
    expect(negotiateEncoding(undefined)).toBeNull()
  })
})
