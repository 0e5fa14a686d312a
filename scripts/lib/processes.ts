import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'

/** Helpers shared by `npm start` (scripts/start.ts) and the e2e harness (test/e2e/harness.ts). */

export const ROOT = path.resolve(__dirname, '..', '..')

/** A binary from node_modules/.bin, so that no `npx` process sits between us and the child. */
export function bin(name: string): string {
  return path.join(ROOT, 'node_modules', '.bin', name)
}

/**
 * Spawns a child in its own process group, so that stopping it also stops whatever it
 * started (tsx runs node in a child process, Taro runs webpack workers).
 */
export function spawnGroup(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(command, args, { cwd: ROOT, ...options, detached: true })
}

/** Sends a signal to the child's whole process group; quiet when it is already gone. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // The group is gone already.
  }
}

/** SIGTERM, then SIGKILL after `graceMs` if the child is still there. */
export async function stopGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  signalGroup(child, 'SIGTERM')
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
  // Grandchildren that ignored SIGTERM
  signalGroup(child, 'SIGKILL')
}

/** Resolves when `host:port` accepts no connection and can be bound, i.e. the port is free. */
export function isPortFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.listen(port, host, () => server.close(() => resolve(true)))
  })
}

/** A port that was free a moment ago (the OS picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/**
 * Polls `url` until it answers 2xx. Rejects when `child` exits first (with its output),
 * or after `timeoutMs`.
 */
export async function waitForHealthy(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastError = ''
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the API exited (${child.exitCode ?? child.signalCode}) before ${url} answered. Its output:\n${output()}`,
      )
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
      if (response.ok) return
      lastError = `HTTP ${response.status}`
    } catch (error) {
      lastError = (error as Error).message
    }
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s (${lastError}). The API's output:\n${output()}`)
}

/** Keeps the last `limit` characters of a child's stdout and stderr, for error messages. */
export function captureOutput(child: ChildProcess, limit = 20_000): () => string {
  let text = ''
  const append = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-limit)
  }
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  return () => text
}
