import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildSimulator } from '../../simulator/src/app'
import type { PaymentRail } from '../src/db/schema'
import { SIM_APPID, startTestApp, type DialectName, type TestApp } from './helpers'

/**
 * The API listening on a real port (WeChat calls it back), wired to a simulator that plays
 * both payment rails with keys made for this run.
 */
export interface PaymentStack extends TestApp {
  sim: string
  api: string
  rail: PaymentRail
  simulator: FastifyInstance
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
  waitFor(what: () => Promise<boolean>, timeoutMs?: number): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

const pem = (key: crypto.KeyObject) =>
  key.export({ type: key.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }).toString()

export async function startPaymentStack(
  dialect: DialectName,
  rail: PaymentRail,
  extra: { encrypted?: boolean } = {},
): Promise<PaymentStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-pay-'))
  const appSecret = crypto.randomBytes(16).toString('hex')
  const merchant = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  const platform = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  const certKeys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  const files = {
    merchant: path.join(dir, 'merchant-key.pem'),
    platform: path.join(dir, 'wechatpay-public-key.pem'),
    cert: path.join(dir, 'platform-cert-public-key.pem'),
  }
  fs.writeFileSync(files.merchant, pem(merchant.privateKey), { mode: 0o600 })
  fs.writeFileSync(files.platform, pem(platform.publicKey))
  fs.writeFileSync(files.cert, pem(certKeys.publicKey))
  const secrets = {
    appKey: crypto.randomBytes(16).toString('hex'),
    pushToken: crypto.randomBytes(8).toString('hex'),
    aesKey: crypto
      .randomBytes(32)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, 'x')
      .slice(0, 43),
    apiV3Key: crypto.randomBytes(16).toString('hex'),
    mchid: '1900000109',
    merchantSerial: crypto.randomBytes(20).toString('hex').toUpperCase(),
    keyId: `PUB_KEY_ID_0119000001092026${crypto.randomBytes(8).toString('hex')}`,
    certSerial: crypto.randomBytes(20).toString('hex').toUpperCase(),
  }
  const port = await freePort()
  const api = `http://127.0.0.1:${port}`
  const simulator = buildSimulator({
    secret: appSecret,
    appid: SIM_APPID,
    retryScale: 0.001,
    xpay: {
      appKey: secrets.appKey,
      offerId: '1450000001',
      products: { month: 990, half_year: 4800, year: 6800 },
      pushUrl: `${api}/api/wechat/message-push`,
      pushToken: secrets.pushToken,
      ...(extra.encrypted ? { encodingAesKey: secrets.aesKey } : {}),
    },
    pay: {
      mchid: secrets.mchid,
      merchantCertSerial: secrets.merchantSerial,
      merchantPublicKey: pem(merchant.publicKey),
      platformPrivateKey: pem(platform.privateKey),
      platformKeyId: secrets.keyId,
      platformCertSerial: secrets.certSerial,
      platformCertPrivateKey: pem(certKeys.privateKey),
      apiV3Key: secrets.apiV3Key,
    },
  })
  const sim = await simulator.listen({ port: 0, host: '127.0.0.1' })
  const base = await startTestApp(dialect, {
    config: {
      WECHAT_API_BASE: sim,
      WECHAT_APPID: SIM_APPID,
      WECHAT_APPSECRET: appSecret,
      SESSION_KEY_ENCRYPTION_KEY: crypto.randomBytes(32).toString('hex'),
      MEDIA_DIR: path.join(dir, 'media'),
      NICKNAME_SECURITY_CHECK: false,
      PAYMENT_RAIL: rail,
      RECONCILE_INTERVAL_MS: 0,
      RECONCILE_AFTER_MS: 0,
      MSG_PUSH_TOKEN: secrets.pushToken,
      MSG_PUSH_AES_KEY: extra.encrypted ? secrets.aesKey : '',
      XPAY_OFFER_ID: '1450000001',
      XPAY_APP_KEY: secrets.appKey,
      WECHATPAY_API_BASE: sim,
      WECHATPAY_MCHID: secrets.mchid,
      WECHATPAY_MERCHANT_SERIAL: secrets.merchantSerial,
      WECHATPAY_MERCHANT_KEY_FILE: files.merchant,
      WECHATPAY_APIV3_KEY: secrets.apiV3Key,
      WECHATPAY_PUBLIC_KEY_ID: secrets.keyId,
      WECHATPAY_PUBLIC_KEY_FILE: files.platform,
      WECHATPAY_PLATFORM_CERT_SERIAL: secrets.certSerial,
      WECHATPAY_PLATFORM_CERT_FILE: files.cert,
      WECHATPAY_NOTIFY_BASE: api,
    },
  })
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
    waitFor: async (what, timeoutMs = 10000) => {
      const deadline = Date.now() + timeoutMs
      while (!(await what())) {
        if (Date.now() > deadline) throw new Error('timed out waiting')
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    },
    close: async () => {
      await base.close()
      await simulator.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
  return stack
}
