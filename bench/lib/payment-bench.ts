import fs from 'node:fs'
import path from 'node:path'
import { buildSimulator } from '../../simulator/src/app'
import { makePaymentFixture } from '../../simulator/src/fixture'
import { freePort, postJson, runCli, startApi, tempDir } from '../lib'

/**
 * The API as its own process, paying through the WeChat simulator in this process with payment keys
 * made for this run: what bench:pay and bench:store measure against. Limits per reader and address
 * are lifted (each bench reader buys far more often than a person would) and the sweep is off.
 */
export interface PaymentBench {
  api: string
  sim: string
  sqlitePath: string
  /** Signs `user` in through the simulator's wx.login and the API; their bearer token */
  signIn(user: string): Promise<string>
  stop(): Promise<void>
}

export async function startPaymentBench(options: {
  name: string
  rail: 'xpay' | 'wechatpay'
  /** PostgreSQL; SQLite in the bench's own folder when empty */
  databaseUrl?: string
}): Promise<PaymentBench> {
  const dir = tempDir(`beichen-bench-${options.name}-`)
  const port = await freePort()
  const api = `http://127.0.0.1:${port}`
  const fixture = makePaymentFixture({ dir, apiBase: api, encrypted: true })
  const simulator = buildSimulator({ ...fixture.simulator, retryScale: 0.001 })
  const sim = await simulator.listen({ port: 0, host: '127.0.0.1' })
  const sqlitePath = path.join(dir, 'bench.db')
  const env = {
    ...fixture.server,
    WECHAT_API_BASE: sim,
    WECHATPAY_API_BASE: sim,
    SQLITE_PATH: sqlitePath,
    DATABASE_URL: options.databaseUrl ?? '',
    PAYMENT_RAIL: options.rail,
    LOGIN_RATE_PER_IP: '100000',
    ORDERS_PER_READER: '100000',
    RECONCILE_INTERVAL_MS: '0',
    MEDIA_DIR: path.join(dir, 'media'),
  }
  const stopSimulator = async () => {
    await fetch(`${sim}/__control/reset`, { method: 'POST' })
    await simulator.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
  let server: Awaited<ReturnType<typeof startApi>>
  try {
    await runCli('server/src/cli/migrate.ts', [], env)
    server = await startApi(env, port)
  } catch (error) {
    await stopSimulator()
    throw error
  }
  return {
    api,
    sim,
    sqlitePath,
    signIn: async (user) => {
      const { code } = await postJson(`${sim}/__phone/login`, { user })
      return (await postJson(`${api}/api/auth/login`, { code })).token as string
    },
    stop: async () => {
      await server.stop()
      await stopSimulator()
    },
  }
}
