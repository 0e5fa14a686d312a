import { configOrExit, openMigratedDb } from '../bootstrap'
import { generateDemoIssues } from '../domain/demo-content'

const USAGE = 'usage: npm run content:demo -- --issues <N>   (1 to 1000000 synthetic issues marked 示例)'

async function main(): Promise<number> {
  const args = process.argv.slice(2)
  const at = args.indexOf('--issues')
  const count = at >= 0 ? Number(args[at + 1]) : NaN
  if (args.length !== 2 || !Number.isInteger(count) || count < 1 || count > 1000000) {
    process.stderr.write(`${USAGE}\n`)
    return 64
  }
  const { db } = await openMigratedDb(configOrExit({}, { devStack: true }))
  try {
    const started = Date.now()
    let lastReport = 0
    await generateDemoIssues(db.kysely, count, {
      progress: (done) => {
        if (done === count || Date.now() - lastReport > 2000) {
          lastReport = Date.now()
          process.stdout.write(`${done}/${count} issues\n`)
        }
      },
    })
    process.stdout.write(`generated ${count} demo issues in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
    return 0
  } finally {
    await db.close()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo generation failed: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
