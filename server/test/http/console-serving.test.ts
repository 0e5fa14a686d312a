import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify'
import { consoleRoutes } from '../../src/routes/console'
import { startTestApp, type TestApp } from '../helpers'

/**
 * The operator console under /admin/ (docs/console.md): 503 naming `npm run build:console` until
 * it is built, then index.html uncached and hashed assets cached for good; the security headers
 * on every answer. consoleRoutes takes the folder as an option, so these tests use a temporary
 * one and never depend on whether console/dist is built.
 */
describe('console serving from a folder of its own', () => {
  let dir: string
  let app: FastifyInstance
  const dist = () => path.join(dir, 'dist')

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-console-'))
    fs.mkdirSync(dist())
    app = Fastify()
    // Serving needs none of the App's services: a bare Fastify instance will do.
    await app.register(consoleRoutes as unknown as FastifyPluginAsync<{ dist: string }>, { dist: dist() })
    await app.ready()
  })
  afterEach(async () => {
    await app.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const expectSecurityHeaders = (headers: Record<string, unknown>) => {
    expect(headers['x-frame-options']).toBe('DENY')
    expect(headers['content-security-policy']).toContain("default-src 'self'")
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(headers['x-content-type-options']).toBe('nosniff')
  }

  it('answers 503 naming npm run build:console until it is built', async () => {
    for (const url of ['/admin/', '/admin/index.html']) {
      const response = await app.inject({ method: 'GET', url })
      expect(response.statusCode).toBe(503)
      expect(response.headers['content-type']).toMatch(/^text\/html/)
      expect(response.headers['retry-after']).toBe('60')
      expect(response.headers['cache-control']).toBe('no-store')
      expect(response.body).toContain('npm run build:console')
      expectSecurityHeaders(response.headers)
    }
  })

  it('redirects /admin to /admin/', async () => {
    const response = await app.inject({ method: 'GET', url: '/admin' })
    expect(response.statusCode).toBe(301)
    expect(response.headers.location).toBe('/admin/')
    expectSecurityHeaders(response.headers)
  })

  it('serves a build made while it runs: index uncached, hashed assets immutable', async () => {
    fs.mkdirSync(path.join(dist(), 'assets'))
    fs.writeFileSync(path.join(dist(), 'index.html'), '<!doctype html><title>console</title>')
    fs.writeFileSync(path.join(dist(), 'assets', 'index-3f2a1b.js'), 'console.log(1)\n')

    const index = await app.inject({ method: 'GET', url: '/admin/' })
    expect(index.statusCode).toBe(200)
    expect(index.body).toContain('<title>console</title>')
    expect(index.headers['cache-control']).toBe('no-store')
    expectSecurityHeaders(index.headers)

    const asset = await app.inject({ method: 'GET', url: '/admin/assets/index-3f2a1b.js' })
    expect(asset.statusCode).toBe(200)
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expectSecurityHeaders(asset.headers)

    const missing = await app.inject({ method: 'GET', url: '/admin/assets/nope.js' })
    expect(missing.statusCode).toBe(404)
    expectSecurityHeaders(missing.headers)
  })
})

describe('console serving in the app', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp('sqlite', { importSample: false })
  }, 60000)
  afterAll(() => t.close())

  it('redirects /admin and sends the security headers, built or not', async () => {
    const redirect = await t.app.inject({ method: 'GET', url: '/admin' })
    expect([redirect.statusCode, redirect.headers.location]).toEqual([301, '/admin/'])
    const index = await t.app.inject({ method: 'GET', url: '/admin/' })
    expect([200, 503]).toContain(index.statusCode)
    if (index.statusCode === 503) expect(index.body).toContain('npm run build:console')
    expect(index.headers['x-frame-options']).toBe('DENY')
    expect(index.headers['content-security-policy']).toContain("default-src 'self'")
    expect(index.headers['cache-control']).toBe('no-store')
    const other = await t.app.inject({ method: 'GET', url: '/healthz' })
    expect(other.headers['x-frame-options']).toBeUndefined()
  })
})
