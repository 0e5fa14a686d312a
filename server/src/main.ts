import { buildApp } from './app'
import { cliLogger, configOrExit, importSampleIfEmpty, openMigratedDb } from './bootstrap'

async function main(): Promise<void> {
  const config = configOrExit()
  const logger = cliLogger(config)
  const { db, applied } = await openMigratedDb(config)
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated')
  await importSampleIfEmpty(db, config, (line) => logger.info(line))

  const app = await buildApp({ config, db, logger })
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    logger.info({ signal }, 'shutting down')
    const forced = setTimeout(() => process.exit(1), 10000)
    forced.unref()
    await app.close()
    await db.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))

  await app.listen({ host: config.HOST, port: config.PORT })
  logger.info(`database: ${db.dialect}${db.dialect === 'sqlite' ? ` at ${config.SQLITE_PATH}` : ''}`)
}

main().catch((error: unknown) => {
  process.stderr.write(`server failed to start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
