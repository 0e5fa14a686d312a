import { Type } from '@sinclair/typebox'
import type { App } from '../plugins/types'

const Check = Type.Union([Type.Literal('ok'), Type.Literal('failed'), Type.Literal('skipped')])
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Object({ database: Check, migrations: Check, wechat: Check, payments: Check }),
  /** What is wrong or missing, one sentence each; empty when ready */
  missing: Type.Array(Type.String()),
})

export async function healthRoutes(app: App): Promise<void> {
  const { database, payments, config } = app.services
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness and database check',
        description: 'The process answers and the database answers. Says nothing of configuration: see /readyz.',
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

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: can this process serve and sell',
        description:
          'Ready (200) when the database answers, every migration of this build is applied, WeChat sign-in is configured and the selling rail (PAYMENT_RAIL) is configured. Otherwise 503 with what is missing. A development server without WeChat set up is alive (/healthz) but not ready to sell.',
        tags: ['ops'],
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const missing: string[] = []
      const checks: (typeof Readiness.static)['checks'] = {
        database: 'ok',
        migrations: 'ok',
        wechat: 'ok',
        payments: 'ok',
      }
      try {
        await database.ping()
      } catch (error) {
        app.log.error({ err: error }, 'readiness check: database unreachable')
        checks.database = 'failed'
        checks.migrations = 'skipped'
        missing.push('the database does not answer')
      }
      if (checks.database === 'ok') {
        try {
          const pending = await database.pendingMigrations()
          if (pending.length > 0) {
            checks.migrations = 'failed'
            missing.push(`migrations not applied: ${pending.join(', ')} (npm run db:migrate)`)
          }
        } catch (error) {
          app.log.error({ err: error }, 'readiness check: cannot read the migrations')
          checks.migrations = 'failed'
          missing.push('the applied migrations cannot be read')
        }
      }
      if (!config.WECHAT_APPSECRET) {
        checks.wechat = 'failed'
        missing.push('WeChat sign-in is not configured: set WECHAT_APPSECRET and SESSION_KEY_ENCRYPTION_KEY')
      }
      // The same sentence a refund or a reconciliation gives: the settings this rail still lacks.
      const unconfigured = payments.unconfiguredReason(config.PAYMENT_RAIL)
      if (unconfigured) {
        checks.payments = 'failed'
        missing.push(unconfigured)
      }
      const ready = missing.length === 0
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks, missing })
    },
  )
}
