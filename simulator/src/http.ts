import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'

/** An error Fastify's default handler answers as HTTP 400 `{statusCode, error, message}` (phone and control sides) */
export function badRequest(message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode: 400 })
}

const rawBodies = new WeakMap<FastifyRequest, string>()

/** The exact body text of a request read by `lenientJsonBodies` (what pay_sig signs); '' when it had none */
export function rawBody(request: FastifyRequest): string {
  return rawBodies.get(request) ?? ''
}

/** Parses a body as JSON whatever its content type; an empty body is `{}` */
function parseJson(request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) {
  rawBodies.set(request, body.toString())
  const text = body.toString().trim()
  if (text === '') return done(null, {})
  try {
    done(null, JSON.parse(text))
  } catch {
    const error = new Error('data format error: the body is not JSON') as FastifyError
    error.statusCode = 400
    done(error)
  }
}

/**
 * Reads every request body of this context as JSON, as WeChat does (it ignores the content type),
 * and treats a missing or empty body as `{}`, so `curl -X POST` needs no `-d '{}'`.
 */
export function lenientJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, parseJson)
  // A POST without a body and without a content type is not parsed at all.
  app.addHook('preValidation', async (request) => {
    if (request.method === 'POST' && request.body === undefined) request.body = {}
  })
}
