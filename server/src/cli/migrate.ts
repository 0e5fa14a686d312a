import { configOrExit, openMigratedDb } from '../bootstrap'

async function main(): Promise<void> {
  const config = configOrExit({}, { devStack: true })
  const { db, applied } = await openMigratedDb(config)
  process.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n')
  await db.close()
}

main().catch((error: unknown) => {
  process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
