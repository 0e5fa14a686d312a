import { configOrExit, openMigratedDb } from '../bootstrap'
import { notifyChange } from '../db/change-feed'
import { formatImportSummary, importContent } from '../domain/content-import'

const USAGE = 'usage: npm run content:import -- [--dry-run] <file.md | folder> …'

async function main(): Promise<number> {
  const args = process.argv.slice(2)
  const dryRun = args.includes('--dry-run')
  const unknown = args.filter((arg) => arg.startsWith('-') && arg !== '--dry-run')
  const inputs = args.filter((arg) => !arg.startsWith('-'))
  if (unknown.length > 0 || inputs.length === 0) {
    process.stderr.write(`${unknown.length > 0 ? `unknown option ${unknown.join(', ')}\n` : ''}${USAGE}\n`)
    return 64
  }
  const config = configOrExit({}, { devStack: true })
  const { db } = await openMigratedDb(config)
  try {
    const report = await importContent(db, inputs, { dryRun, progress: (line) => process.stdout.write(`${line}\n`) })
    // Running replicas on PostgreSQL drop their content caches at once (SQLite: they see the file change).
    if (!dryRun) await notifyChange(db, 'content')
    for (const problem of report.problems) process.stderr.write(`${problem}\n`)
    process.stdout.write(`${formatImportSummary(report, dryRun)}\n`)
    return report.problems.length > 0 ? 1 : 0
  } finally {
    await db.close()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`import failed: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
