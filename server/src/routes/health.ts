import { Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import type { App } from '../app'

export async function healthRoutes(app: App): Promise<void> {
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
        await sql`select 1`.execute(app.db.kysely)
        return { status: 'ok' as const, database: app.db.dialect }
      } catch (error) {
        app.log.error({ err: error }, 'health check: database unreachable')
        return reply.code(503).send({ status: 'unavailable' as const, database: app.db.dialect })
      }
    },
  )
}
