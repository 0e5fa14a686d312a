import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../errors'
import type { App } from './types'

/** Every error leaves as {error:{code,message}}: ApiErrors as thrown, validation as 400, the rest as 500. */
export function errorsPlugin(app: App): void {
  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } })
  })
}

/** Errors raised before routing (a malformed URL, a too-long parameter) get the same shape. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400
  void reply.code(status).send({ error: { code: 'INVALID_URL', message: `${error.message}: check the address` } })
}

function errorHandler(
  this: FastifyInstance,
  error: FastifyError | ApiError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof ApiError) {
    reply
      .headers(error.headers)
      .code(error.statusCode)
      .send({ error: { code: error.code, message: error.message } })
    return
  }
  if (error.validation) {
    const first = error.validation[0]
    const where = { querystring: 'query parameter', params: 'path parameter', body: 'body field', headers: 'header' }[
      error.validationContext ?? 'body'
    ]
    const name =
      (first?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') ||
      String(
        (first?.params as { missingProperty?: string; additionalProperty?: string })?.missingProperty ??
          (first?.params as { additionalProperty?: string })?.additionalProperty ??
          '',
      )
    const code =
      error.validationContext === 'querystring' || error.validationContext === 'params'
        ? 'INVALID_PARAMETER'
        : 'INVALID_BODY'
    reply.code(400).send({ error: { code, message: `${where} "${name}" ${first?.message ?? 'is not valid'}` } })
    return
  }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    const code = error.code?.startsWith('FST_') ? clientErrorCode(error.code, status) : (error.code ?? 'BAD_REQUEST')
    const message = code === 'FILE_TOO_LARGE' ? 'the file is too large: avatars may be at most 2 MB' : error.message
    reply.code(status).send({ error: { code, message } })
    return
  }
  request.log.error({ err: error }, 'request failed')
  reply
    .code(500)
    .send({ error: { code: 'INTERNAL', message: 'something went wrong on our side: try again in a moment' } })
}

function clientErrorCode(fastifyCode: string, status: number): string {
  if (fastifyCode === 'FST_REQ_FILE_TOO_LARGE') return 'FILE_TOO_LARGE'
  if (status === 413) return 'BODY_TOO_LARGE'
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE'
  if (fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return 'INVALID_JSON'
  return 'BAD_REQUEST'
}
