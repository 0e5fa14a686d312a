import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { freePort, PRODUCTION_BENCH_ENV, REPO_ROOT } from '../lib'

export interface Started {
  url: string
  process: ChildProcess
  stop(): Promise<void>
}

/**
 * Starts `script` as `workers` node:cluster workers behind one port (bench/lib/cluster-primary.ts)
 * and waits until every worker listens, and for `/healthz` when `health` is set.
 */
export async function startCluster(options: {
  script: string
  env: Record<string, string>
  workers: number
  port?: number
  health?: boolean
}): Promise<Started> {
  const port = options.port ?? (await freePort())
  const child = spawn(
    process.execPath,
    [require.resolve('tsx/cli'), path.join(REPO_ROOT, 'bench/lib/cluster-primary.ts'), options.script],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env, PORT: String(port), CLUSTER_WORKERS: String(options.workers) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  )
  const url = `http://127.0.0.1:${port}`
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cluster of ${options.script} not listening in 90 s`)), 90000)
    child.once('message', () => (clearTimeout(timer), resolve()))
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`cluster primary exited with ${code}`))))
  })
  if (options.health) {
    const deadline = Date.now() + 30000
    while (
      !(await fetch(`${url}/healthz`)
        .then((r) => r.ok)
        .catch(() => false))
    ) {
      if (Date.now() > deadline) throw new Error('cluster did not answer /healthz in 30 s')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return {
    url,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

/** The API's environment as bench/lib.ts startApi sets it (production, talked to directly). */
export const API_ENV: Record<string, string> = {
  ...PRODUCTION_BENCH_ENV,
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
}

/** The API (server/src/main.ts) as `workers` replicas behind one port. */
export function startApiCluster(env: Record<string, string>, workers: number, port?: number): Promise<Started> {
  return startCluster({ script: 'server/src/main.ts', env: { ...API_ENV, ...env }, workers, port, health: true })
}
