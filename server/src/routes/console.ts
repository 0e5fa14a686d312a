import fs from 'node:fs'
import path from 'node:path'
import fastifyStatic from '@fastify/static'
import type { App } from '../plugins/types'
import { REPO_ROOT } from '../paths'

/** Where `npm run build:console` writes the operator console */
export const CONSOLE_DIST = path.join(REPO_ROOT, 'console', 'dist')

/**
 * Only this origin: scripts, styles, images, fonts and API calls. Inline styles are allowed because
 * antd writes its CSS-in-JS into <style> elements; no inline script is.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // "Preview as" frames the H5 app, which may be served elsewhere (PREVIEW_H5_BASE): see below.
  "frame-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const NOT_BUILT = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>北辰遴选后台</title></head>
<body><p>后台尚未构建 (the operator console is not built): run <code>npm run build:console</code>, then reload.</p></body></html>
`

/**
 * Serves the operator console, a single-page app with hash routing, from `dist` under /admin/
 * (index.html at /admin/, hashed files under /admin/assets/). Before it is built /admin/ answers
 * 503 saying how to build it; the API starts either way. Every answer under /admin carries the
 * console's security headers: no framing, only this origin, no caching of index.html.
 */
export async function consoleRoutes(app: App, options: { dist?: string } = {}): Promise<void> {
  const dist = options.dist ?? CONSOLE_DIST
  const index = path.join(dist, 'index.html')
  const h5Base = app.hasDecorator('config') ? app.config.PREVIEW_H5_BASE : ''
  const policy = h5Base
    ? CONTENT_SECURITY_POLICY.replace("frame-src 'self'", `frame-src 'self' ${new URL(h5Base).origin}`)
    : CONTENT_SECURITY_POLICY

  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.url.startsWith('/admin')) return payload
    reply.header('x-frame-options', 'DENY')
    reply.header('content-security-policy', policy)
    reply.header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'same-origin')
    if (!reply.hasHeader('cache-control') || reply.statusCode >= 300) reply.header('cache-control', 'no-store')
    return payload
  })

  app.get('/admin', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/admin/', 301))

  // Checked per request, so a console built while the API runs is served without a restart.
  app.addHook('onRequest', async (request, reply) => {
    const url = request.url.split('?')[0]
    if ((url === '/admin/' || url === '/admin/index.html') && !fs.existsSync(index)) {
      await reply.code(503).type('text/html; charset=utf-8').header('retry-after', '60').send(NOT_BUILT)
    }
  })

  await app.register(fastifyStatic, {
    root: dist,
    prefix: '/admin/',
    decorateReply: false,
    redirect: false,
    index: 'index.html',
    cacheControl: false,
    etag: true,
    lastModified: true,
    setHeaders: (res, file) => {
      // Vite names what it hashes (assets/index-3f2a1b.js): those never change under their name.
      const hashed = path.relative(dist, file).startsWith(`assets${path.sep}`)
      res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-store')
    },
  })
}
