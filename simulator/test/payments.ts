import crypto, { type KeyObject } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SimulatorOptions } from '../src/app'
import type { Json, Sim } from './helpers'

/**
 * Test helpers for the payment side. The crypto here is written again from WeChat's documentation
 * with node:crypto, independently of simulator/src/signing.ts, so a round trip checks both.
 */

export interface KeyPair {
  privateKey: KeyObject
  publicKey: KeyObject
  privatePem: string
  publicPem: string
}

export function keyPair(): KeyPair {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
}

export interface PayKeys {
  merchant: KeyPair
  platform: KeyPair
  cert: KeyPair
}

export const MCHID = '1900000109'
export const MERCHANT_SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1'
export const PUB_KEY_ID = 'PUB_KEY_ID_0119000001092025010100000000000001'
export const CERT_SERIAL = '7132D72A03E93CDDF8C03BBD1F37EEDF0A9BEE38'
export const API_V3_KEY = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6'
export const APP_KEY = 'xpay-app-key-0123456789abcdef'
export const APP_KEY_SANDBOX = 'xpay-sandbox-key-0123456789abcd'
export const OFFER_ID = '1450123456'
export const PUSH_TOKEN = 'pushToken123'
export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'

let keys: PayKeys | undefined

/** Three RSA-2048 pairs, made once per test file (a few hundred ms) */
export function payKeys(): PayKeys {
  keys ??= { merchant: keyPair(), platform: keyPair(), cert: keyPair() }
  return keys
}

export function payOptions(withCert = true): NonNullable<SimulatorOptions['pay']> {
  const { merchant, platform, cert } = payKeys()
  return {
    mchid: MCHID,
    merchantCertSerial: MERCHANT_SERIAL,
    merchantPublicKey: merchant.publicPem,
    platformPrivateKey: platform.privatePem,
    platformKeyId: PUB_KEY_ID,
    apiV3Key: API_V3_KEY,
    ...(withCert ? { platformCertSerial: CERT_SERIAL, platformCertPrivateKey: cert.privatePem } : {}),
  }
}

export function xpayOptions(pushUrl: string, safeMode: boolean): NonNullable<SimulatorOptions['xpay']> {
  return {
    appKey: APP_KEY,
    appKeySandbox: APP_KEY_SANDBOX,
    offerId: OFFER_ID,
    products: { vip_month: 1800, vip_year: 16800 },
    pushUrl,
    pushToken: PUSH_TOKEN,
    ...(safeMode ? { encodingAesKey: AES_KEY } : {}),
  }
}

// ---- a receiver for pushes and notifications ------------------------------------------------------

export interface Received {
  method: string
  url: string
  path: string
  query: URLSearchParams
  headers: http.IncomingHttpHeaders
  body: string
  at: number
}

export interface Answer {
  status: number
  body?: string
  delayMs?: number
}

export interface Receiver {
  url: string
  received: Received[]
  /** Sets how the receiver answers; the default is `ok` */
  answer(responder: (request: Received, index: number) => Answer): void
  close(): Promise<void>
}

export const XPAY_OK: Answer = { status: 200, body: '{"ErrCode":0,"ErrMsg":"success"}' }
export const PAY_OK: Answer = { status: 204 }

/** A node:http server on a random port that records everything it gets */
export async function startReceiver(fallback: Answer): Promise<Receiver> {
  const received: Received[] = []
  let responder = (_request: Received, _index: number): Answer => fallback
  const sockets = new Set<import('node:net').Socket>()
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver')
      const entry: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      }
      received.push(entry)
      const answer = responder(entry, received.length - 1)
      const send = () => {
        if (res.destroyed) return
        res.writeHead(answer.status, { 'content-type': 'application/json' })
        res.end(answer.body ?? '')
      }
      if (answer.delayMs) setTimeout(send, answer.delayMs)
      else send()
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer(next) {
      responder = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Polls until `check` returns something truthy (or throws after `timeoutMs`) */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export interface Delivery {
  seq: number
  rail: string
  event: string
  notificationId: string
  out_trade_no: string
  out_refund_no?: string
  mode: string
  copy: number
  attempt: number
  url: string
  status: number | null
  result: 'ok' | 'failed' | 'dropped'
  answer: string
  retryInMs: number | null
}

export async function deliveries(sim: Sim, query: Record<string, string> = {}): Promise<Delivery[]> {
  return (await sim.get('/__control/notifications', query)).deliveries as Delivery[]
}

/** Waits until the log holds at least `count` deliveries matching the query */
export function waitForDeliveries(sim: Sim, count: number, query: Record<string, string> = {}, timeoutMs = 5000) {
  return waitFor(
    async () => {
      const list = await deliveries(sim, query)
      return list.length >= count ? list : undefined
    },
    timeoutMs,
    `${count} deliveries ${JSON.stringify(query)}`,
  )
}

export async function control(sim: Sim, path: string, body: unknown): Promise<{ status: number; json: Json }> {
  const response = await sim.fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, json: (await response.json()) as Json }
}

// ---- xpay, written from the docs ----------------------------------------------------------------

export function hmacHex(key: string, message: string): string {
  return crypto.createHmac('sha256', key).update(message).digest('hex')
}

export function sha1Sorted(...parts: string[]): string {
  return crypto.createHash('sha1').update(parts.sort().join('')).digest('hex')
}

/** Decrypts a 安全模式 Encrypt: returns the message and the appid trailer, or throws */
export function decryptPush(encrypt: string, encodingAesKey: string): { message: string; appid: string } {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64')
  expect(key).toHaveLength(32)
  const decipher = crypto.createDecipheriv('aes-256-cbc', key, key.subarray(0, 16))
  decipher.setAutoPadding(false)
  const padded = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()])
  const pad = padded[padded.length - 1] ?? 0
  if (pad < 1 || pad > 32) throw new Error('bad padding')
  const plain = padded.subarray(0, padded.length - pad)
  const length = plain.readUInt32BE(16)
  return {
    message: plain.subarray(20, 20 + length).toString('utf8'),
    appid: plain.subarray(20 + length).toString('utf8'),
  }
}

/** Verifies a push as our server must, and returns its message */
export function openPush(received: Received, safeMode: boolean): Record<string, unknown> {
  const timestamp = received.query.get('timestamp') ?? ''
  const nonce = received.query.get('nonce') ?? ''
  expect(received.query.get('signature')).toBe(sha1Sorted(PUSH_TOKEN, timestamp, nonce))
  if (!safeMode) {
    expect(received.query.get('encrypt_type')).toBeNull()
    return JSON.parse(received.body) as Record<string, unknown>
  }
  expect(received.query.get('encrypt_type')).toBe('aes')
  const envelope = JSON.parse(received.body) as { ToUserName: string; Encrypt: string }
  expect(received.query.get('msg_signature')).toBe(sha1Sorted(PUSH_TOKEN, timestamp, nonce, envelope.Encrypt))
  const { message, appid } = decryptPush(envelope.Encrypt, AES_KEY)
  expect(appid).toMatch(/^wx/)
  return JSON.parse(message) as Record<string, unknown>
}

/** What the API server builds for wx.requestVirtualPayment */
export function virtualPayment(
  sessionKey: string,
  fields: Record<string, unknown> = {},
  appKey = APP_KEY,
): { signData: string; paySig: string; signature: string; mode: string } {
  const signData = JSON.stringify({
    offerId: OFFER_ID,
    buyQuantity: 1,
    env: 0,
    currencyType: 'CNY',
    productId: 'vip_month',
    goodsPrice: 1800,
    outTradeNo: `VIP${crypto.randomBytes(8).toString('hex')}`,
    attach: 'plan=month',
    ...fields,
  })
  return {
    signData,
    paySig: hmacHex(appKey, `requestVirtualPayment&${signData}`),
    signature: hmacHex(sessionKey, signData),
    mode: 'short_series_goods',
  }
}

/** A server call to /xpay/<api> with pay_sig over the exact body */
export async function xpayApi(sim: Sim, api: string, token: string, body: unknown, appKey = APP_KEY) {
  const text = JSON.stringify(body)
  const paySig = hmacHex(appKey, `/xpay/${api}&${text}`)
  const response = await sim.fetch(`/xpay/${api}?access_token=${encodeURIComponent(token)}&pay_sig=${paySig}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: text,
  })
  expect(response.status).toBe(200)
  return (await response.json()) as Json
}

// ---- WeChat Pay v3, written from the docs --------------------------------------------------------

function lines(...parts: string[]): string {
  return parts.map((part) => `${part}\n`).join('')
}

export function authorization(
  method: string,
  url: string,
  body: string,
  options: { timestamp?: number; key?: KeyObject; serial?: string; mchid?: string } = {},
): string {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000))
  const nonce = crypto.randomBytes(16).toString('hex').toUpperCase()
  const message = lines(method, url, timestamp, nonce, body)
  const signature = crypto
    .sign('sha256', Buffer.from(message), options.key ?? payKeys().merchant.privateKey)
    .toString('base64')
  const mchid = options.mchid ?? MCHID
  const serial = options.serial ?? MERCHANT_SERIAL
  return `WECHATPAY2-SHA256-RSA2048 mchid="${mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${serial}"`
}

export interface V3Response {
  status: number
  headers: Headers
  text: string
  json: Json
}

/** A signed call to /v3/…, as the API server makes it */
export async function v3(
  sim: Sim,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  options: Parameters<typeof authorization>[3] = {},
): Promise<V3Response> {
  const text = body === undefined ? '' : JSON.stringify(body)
  const response = await sim.fetch(url, {
    method,
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      authorization: authorization(method, url, text, options),
    },
    body: body === undefined ? undefined : text,
  })
  const answer = await response.text()
  return { status: response.status, headers: response.headers, text: answer, json: answer ? JSON.parse(answer) : {} }
}

/** Checks the Wechatpay-* signature of an answer or notification with the key its serial names */
export function verifyWechatpay(
  headers: { get(name: string): string | null },
  body: string,
  maxSkewS = 300,
): { serial: string } {
  const serial = headers.get('wechatpay-serial') ?? ''
  const keyBySerial: Record<string, KeyObject> = {
    [PUB_KEY_ID]: payKeys().platform.publicKey,
    [CERT_SERIAL]: payKeys().cert.publicKey,
  }
  const key = keyBySerial[serial]
  if (!key) throw new Error(`unknown Wechatpay-Serial ${serial}`)
  const timestamp = headers.get('wechatpay-timestamp') ?? ''
  const nonce = headers.get('wechatpay-nonce') ?? ''
  const signature = headers.get('wechatpay-signature') ?? ''
  if (Math.abs(Math.floor(Date.now() / 1000) - Number(timestamp)) > maxSkewS) throw new Error('stale timestamp')
  if (signature.startsWith('WECHATPAY/SIGNTEST/')) throw new Error('signature probe')
  const ok = crypto.verify('sha256', Buffer.from(lines(timestamp, nonce, body)), key, Buffer.from(signature, 'base64'))
  if (!ok) throw new Error('bad signature')
  return { serial }
}

/** node:http's headers as the `get` interface */
export function headerGetter(headers: http.IncomingHttpHeaders): { get(name: string): string | null } {
  return {
    get: (name) => {
      const value = headers[name.toLowerCase()]
      return typeof value === 'string' ? value : null
    },
  }
}

/** Decrypts a notification resource: AES-256-GCM, tag = last 16 bytes; throws when the tag fails */
export function decryptResource(resource: {
  ciphertext: string
  nonce: string
  associated_data: string
}): Record<string, unknown> {
  const data = Buffer.from(resource.ciphertext, 'base64')
  const decipher = crypto.createDecipheriv('aes-256-gcm', Buffer.from(API_V3_KEY), Buffer.from(resource.nonce))
  decipher.setAAD(Buffer.from(resource.associated_data))
  decipher.setAuthTag(data.subarray(data.length - 16))
  const plain = Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()])
  return JSON.parse(plain.toString('utf8')) as Record<string, unknown>
}

/** Verifies and decrypts a WeChat Pay notification as our server must */
export function openNotification(received: Received): {
  body: Json
  resource: Record<string, unknown>
  serial: string
} {
  const { serial } = verifyWechatpay(headerGetter(received.headers), received.body)
  expect(received.headers['wechatpay-signature-type']).toBe('WECHATPAY2-SHA256-RSA2048')
  const body = JSON.parse(received.body) as Json
  const resource = decryptResource(body.resource as { ciphertext: string; nonce: string; associated_data: string })
  return { body, resource, serial }
}

/** The paySign the API server gives wx.requestPayment */
export function paySign(appid: string, prepayId: string, key: KeyObject = payKeys().merchant.privateKey) {
  const timeStamp = String(Math.floor(Date.now() / 1000))
  const nonceStr = crypto.randomBytes(16).toString('hex')
  const pkg = `prepay_id=${prepayId}`
  const signature = crypto.sign('sha256', Buffer.from(lines(appid, timeStamp, nonceStr, pkg)), key).toString('base64')
  return { timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign: signature }
}
