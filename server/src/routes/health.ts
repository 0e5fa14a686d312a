import { Type } from '@sinclair/typebox'
import type { App } from '../plugins/types'

export async function healthRoutes(app: App): Promise<void> {
  const { database } = app.services
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness and database check',
        tags: ['ops'],
        response: {
          200: Type.Object({ status: Type.Literal('ok'), database: Type.String() }),
          503: Type.Object({ status: Type.Literal('unavailable'), database: Type.String() }),
        },
      },
    },
    async (_request, reply) => {
      try {
        await database.ping()
        return { status: 'ok' as const, database: database.dialect }
      } catch (error) {
        app.log.error({ err: error }, 'health check: database unreachable')
        return reply.code(503).send({ status: 'unavailable' as const, database: database.dialect })
      }
    },
  )
}
