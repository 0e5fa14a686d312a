import { buildApp } from './app'
import { cliLogger, configOrExit, importSampleCoursesIfEmpty, importSampleIfEmpty, openMigratedDb } from './bootstrap'
import { serveMetrics, type MetricsServer } from './infra/metrics'

async function main(): Promise<void> {
  const config = configOrExit()
  const logger = cliLogger(config)
  const { db, applied } = await openMigratedDb(config)
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated')
  await importSampleIfEmpty(db, config, (line) => logger.info(line))

  const app = await buildApp({ config, db, logger })
  await importSampleCoursesIfEmpty(db, config, app.services.courseMedia, (line) => logger.info(line))
  let metricsServer: MetricsServer | null = null
  let closing = false
  /**
   * Graceful shutdown: stop accepting (requests arriving now get 503 and WeChat retries its
   * notifications), finish the requests in flight, then the services stop (app.close runs their
   * onClose): buffered view counts are flushed and a sweep in progress finishes and releases its
   * lease. Then the database closes and the process exits 0; past SHUTDOWN_TIMEOUT_MS it exits 1.
   */
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    logger.info({ signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutting down')
    const forced = setTimeout(() => {
      logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out: exiting anyway')
      process.exit(1)
    }, config.SHUTDOWN_TIMEOUT_MS)
    try {
      await Promise.all([app.close(), metricsServer?.close()])
      await db.close()
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed')
      process.exit(1)
    }
    clearTimeout(forced)
    logger.info('shut down')
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))

  await app.listen({ host: config.HOST, port: config.PORT })
  logger.info(`database: ${db.dialect}${db.dialect === 'sqlite' ? ` at ${config.SQLITE_PATH}` : ''}`)
  if (config.METRICS_PORT > 0) {
    metricsServer = await serveMetrics(app.services.metrics, {
      host: config.METRICS_HOST,
      port: config.METRICS_PORT,
      onError: (error) => logger.error({ err: error }, 'metrics scrape failed'),
    })
    logger.info(`metrics: ${metricsServer.url}/metrics`)
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`server failed to start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
