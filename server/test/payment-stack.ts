import { execFile } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { FastifyInstance } from 'fastify'
import { buildSimulator } from '../../simulator/src/app'
import type { PaymentRail } from '../src/db/schema'
import { makePaymentFixture, type PaymentFixture } from '../../simulator/src/fixture'
import { loadConfig, type Config } from '../src/config'
import { type DialectName, freePort, REPO_ROOT, startTestApp, type TestApp } from './helpers'

/**
 * The API listening on a real port (WeChat calls it back), wired to a simulator that plays
 * both payment rails with keys made for this run.
 */
export interface PaymentStack extends TestApp {
  sim: string
  api: string
  rail: PaymentRail
  simulator: FastifyInstance
  /** The keys and secrets of this run, to sign notifications as WeChat would */
  fixture: PaymentFixture
  control(path: string, body?: unknown): Promise<any> // eslint-disable-line @typescript-eslint/no-explicit-any
  phone(path: string, body: unknown): Promise<any> // eslint-disable-line @typescript-eslint/no-explicit-any
  login(user: string): Promise<string>
  call(method: string, url: string, token?: string, payload?: unknown): Promise<{ status: number; body: any }> // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Creates an order and pays it at the phone side; returns the order id and its out_trade_no */
  buy(
    user: string,
    token: string,
    planId: string,
    action?: 'confirm' | 'cancel' | 'fail',
  ): Promise<{ id: number; outTradeNo: string; answer: any }> // eslint-disable-line @typescript-eslint/no-explicit-any
  /**
   * A reader buys `quantity` copies of a book, ships to `address`, and pays at the phone side;
   * resolves once the server holds the order as paid (待发货)
   */
  buyGoods(
    user: string,
    productId: number,
    address: Record<string, string>,
    quantity?: number,
  ): Promise<{ token: string; id: number; outTradeNo: string }>
  waitFor(what: () => Promise<boolean>, timeoutMs?: number): Promise<void>
  /** `npm run admin -- …args` in a child process, on this stack's database and simulator; rejects on a non-zero exit */
  admin(...args: string[]): Promise<{ stdout: string; stderr: string }>
}

export async function startPaymentStack(
  dialect: DialectName,
  rail: PaymentRail,
  extra: { encrypted?: boolean; env?: Record<string, string> } = {},
): Promise<PaymentStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-pay-'))
  const port = await freePort()
  const api = `http://127.0.0.1:${port}`
  const fixture = makePaymentFixture({ dir, apiBase: api, encrypted: extra.encrypted })
  const simulator = buildSimulator({ ...fixture.simulator, retryScale: 0.001 })
  const sim = await simulator.listen({ port: 0, host: '127.0.0.1' })
  const config: Partial<Config> = loadConfig({
    ...fixture.server,
    NODE_ENV: 'test',
    VIEW_FLUSH_INTERVAL_MS: '600000',
    WECHAT_API_BASE: sim,
    WECHATPAY_API_BASE: sim,
    MEDIA_DIR: path.join(dir, 'media'),
    PAYMENT_RAIL: rail,
    RECONCILE_INTERVAL_MS: '0',
    RECONCILE_AFTER_MS: '0',
    ...extra.env,
  })
  const base = await startTestApp(dialect, { config })
  await base.app.listen({ port, host: '127.0.0.1' })

  const json = async (url: string, init?: RequestInit) => {
    const response = await fetch(url, init)
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : null }
  }
  const post = (url: string, body: unknown) =>
    json(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) })
  const stack: PaymentStack = {
    ...base,
    sim,
    api,
    rail,
    simulator,
    fixture,
    control: async (url, body) =>
      body === undefined
        ? (await json(`${sim}/__control${url}`)).body
        : (await post(`${sim}/__control${url}`, body)).body,
    phone: async (url, body) => (await post(`${sim}/__phone${url}`, body)).body,
    login: async (user) => {
      const { code } = (await post(`${sim}/__phone/login`, { user })).body
      const response = await post(`${api}/api/auth/login`, { code })
      if (response.status !== 200) throw new Error(`login failed: ${JSON.stringify(response.body)}`)
      return response.body.token as string
    },
    call: (method, url, token, payload) =>
      json(`${api}${url}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
        ...(payload ? { body: JSON.stringify(payload) } : {}),
      }),
    buy: async (user, token, planId, action = 'confirm') => {
      const created = await stack.call('POST', '/api/orders', token, {
        planId,
        platform: 'android',
        requestKey: crypto.randomBytes(8).toString('hex'),
      })
      if (created.status !== 200) throw new Error(`order failed: ${JSON.stringify(created.body)}`)
      const { order, payment } = created.body
      const answer =
        payment.rail === 'xpay'
          ? await stack.phone('/xpay/pay', { user, ...payment.xpay, action })
          : await stack.phone('/pay/jsapi', { user, ...payment.wechatpay, action })
      return { id: order.id as number, outTradeNo: order.outTradeNo as string, answer }
    },
    buyGoods: async (user, productId, address, quantity = 1) => {
      const token = await stack.login(user)
      const created = await stack.call('POST', '/api/store/orders', token, {
        productId,
        quantity,
        address,
        platform: 'android',
        requestKey: crypto.randomBytes(8).toString('hex'),
      })
      if (created.status !== 200) throw new Error(`checkout failed: ${JSON.stringify(created.body)}`)
      const { order, payment } = created.body
      const paid = await stack.phone('/pay/jsapi', { user, ...payment.wechatpay, action: 'confirm' })
      if (paid.errMsg !== 'requestPayment:ok') throw new Error(`payment failed: ${JSON.stringify(paid)}`)
      await stack.waitFor(
        async () =>
          (
            await stack.db.kysely
              .selectFrom('orders')
              .select('status')
              .where('id', '=', order.id)
              .executeTakeFirstOrThrow()
          ).status === 'paid',
      )
      return { token, id: order.id as number, outTradeNo: order.outTradeNo as string }
    },
    waitFor: async (what, timeoutMs = 10000) => {
      const deadline = Date.now() + timeoutMs
      while (!(await what())) {
        if (Date.now() > deadline) throw new Error('timed out waiting')
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    },
    admin: (...args) =>
      promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), 'server/src/cli/admin.ts', ...args], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          ...fixture.server,
          ...(base.sqlitePath
            ? { SQLITE_PATH: base.sqlitePath, DATABASE_URL: '' }
            : { DATABASE_URL: base.databaseUrl }),
          WECHAT_API_BASE: sim,
          WECHATPAY_API_BASE: sim,
          LOG_LEVEL: 'warn',
        },
      }),
    close: async () => {
      await base.close()
      // Cancels WeChat's pending retries, whose timers would keep the test process alive.
      await post(`${sim}/__control/reset`, {})
      await simulator.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
  return stack
}
