import { spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

export const REPO_ROOT = path.resolve(__dirname, '..')

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

/** Runs a repository CLI (tsx) to completion with extra environment; returns its stdout. */
export async function runCli(script: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), script, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.stderr.on('data', (chunk) => (err += chunk))
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${script} ${args.join(' ')} failed: ${err}`)),
    )
  })
}

/**
 * A fresh SQLite database in `dir`: migrated, the sample content (content/) and `issues` demo
 * issues, each by its CLI as an operator would. Prints how long it took; returns the API's env.
 */
export async function fillDemoDatabase(dir: string, issues: number): Promise<{ SQLITE_PATH: string }> {
  const env = { SQLITE_PATH: path.join(dir, 'bench.db') }
  const started = Date.now()
  await runCli('server/src/cli/migrate.ts', [], env)
  await runCli('server/src/cli/content-import.ts', ['content'], env)
  await runCli('server/src/cli/content-demo.ts', ['--issues', String(issues)], env)
  process.stdout.write(`filled ${issues} issues in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
  return env
}

/**
 * Starts the API server (npm run start:api equivalent) and waits for /healthz. `port` when others
 * must know the address first (e.g. the simulator that notifies it); a free one otherwise.
 */
/**
 * What production refuses to start without, for benches that run the API as production does and
 * talk to it directly: no proxy in front, and a console session key of this run.
 */
export const PRODUCTION_BENCH_ENV: Record<string, string> = {
  NODE_ENV: 'production',
  TRUST_PROXY: 'false',
  ADMIN_SESSION_KEY: crypto.randomBytes(32).toString('hex'),
}

export async function startApi(
  env: Record<string, string>,
  port?: number,
): Promise<{ url: string; process: ChildProcess; stop(): Promise<void> }> {
  port ??= await freePort()
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'server/src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...PRODUCTION_BENCH_ENV,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}`)
    try {
      if ((await fetch(`${url}/healthz`)).ok) break
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error('API did not become healthy in 60 s')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return {
    url,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

export function formatTable(rows: Record<string, string | number>[]): string {
  const columns = Object.keys(rows[0] ?? {})
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(row[column]).length)))
  const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i])).join('  ')
  return [
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((row) => line(columns.map((c) => String(row[c])))),
  ].join('\n')
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++])
    }),
  )
}

/** POSTs JSON (with a bearer token when given) and returns the JSON answer; a non-2xx answer throws. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each call site knows its answer's shape
export async function postJson(url: string, body: unknown, token?: string): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  const json = await response.json()
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(json)}`)
  return json
}
