/**
 * API start time: from spawning the server to its first 200 on /healthz, five times per way of
 * running it (docs/deploy.md, "Running TypeScript in production"):
 *
 *   - tsx, cold: `tsx server/src/main.ts` with tsx's transform cache off, as in a fresh container;
 *   - tsx, warm: the same with the cache filled by the run before (a developer's machine);
 *   - node: `node dist-server/src/main.js`, the server compiled by `npm run build:server` (the image's way).
 *
 * The database is migrated and holds the sample content beforehand, as on a restart in production.
 *   npm run bench:start [-- --runs N] [--json]
 * Writes bench/results/start.json as well.
 */
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { formatTable, freePort, PRODUCTION_BENCH_ENV, REPO_ROOT, runCli, tempDir } from './lib'

interface Way {
  name: string
  args: string[]
  env: Record<string, string>
}

const TSX_CLI = require.resolve('tsx/cli')

const WAYS: Way[] = [
  { name: 'tsx (cold cache)', args: [TSX_CLI, 'server/src/main.ts'], env: { TSX_DISABLE_CACHE: '1' } },
  { name: 'tsx (warm cache)', args: [TSX_CLI, 'server/src/main.ts'], env: {} },
  { name: 'node dist-server', args: ['--enable-source-maps', 'dist-server/src/main.js'], env: {} },
]

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name)
  return at === -1 ? undefined : process.argv[at + 1]
}

/** Milliseconds from spawn to the first 200 on /healthz; the server is stopped before it returns. */
async function timeStart(way: Way, env: Record<string, string>): Promise<number> {
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, way.args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...PRODUCTION_BENCH_ENV,
      IMPORT_SAMPLE_CONTENT: 'false',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
      ...way.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${way.name}: the API exited with ${child.exitCode}`)
      if (performance.now() - started > 60000) throw new Error(`${way.name}: /healthz did not answer in 60 s`)
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return performance.now() - started
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  } finally {
    child.kill('SIGTERM')
    await exited
  }
}

async function main(): Promise<number> {
  const runs = Number(option('--runs') ?? 5)
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
    process.stderr.write('--runs must be a whole number from 1 to 50\n')
    return 64
  }
  process.stdout.write('compiling the server (npm run build:server) …\n')
  const build = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'server/tsconfig.build.json'],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    },
  )
  if (build.status !== 0) return 1

  const dir = tempDir('beichen-bench-start-')
  try {
    const env = { SQLITE_PATH: path.join(dir, 'start.db') }
    await runCli('server/src/cli/migrate.ts', [], env)
    await runCli('server/src/cli/content-import.ts', ['content'], env)
    // One untimed start per way: fills tsx's cache for the warm runs and the OS file cache for all.
    for (const way of WAYS) await timeStart(way, env)

    const times = new Map<string, number[]>(WAYS.map((way) => [way.name, []]))
    // Round-robin, so that a noisy moment on the machine is shared out rather than landing on one way.
    for (let run = 0; run < runs; run++) {
      for (const way of WAYS) times.get(way.name)?.push(await timeStart(way, env))
    }
    const rows = WAYS.map((way) => {
      const sorted = [...(times.get(way.name) ?? [])].sort((a, b) => a - b)
      return {
        way: way.name,
        runs: sorted.length,
        'min ms': Math.round(sorted[0]),
        'median ms': Math.round(sorted[Math.floor(sorted.length / 2)]),
        'max ms': Math.round(sorted[sorted.length - 1]),
        'each ms': sorted.map((ms) => Math.round(ms)).join(' '),
      }
    })
    process.stdout.write(`\nAPI start to first 200 on /healthz (SQLite, migrated, sample content)\n`)
    process.stdout.write(`${formatTable(rows)}\n`)
    const resultsDir = path.join(REPO_ROOT, 'bench', 'results')
    fs.mkdirSync(resultsDir, { recursive: true })
    fs.writeFileSync(path.join(resultsDir, 'start.json'), `${JSON.stringify(rows, null, 2)}\n`)
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(rows)}\n`)
    return 0
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
