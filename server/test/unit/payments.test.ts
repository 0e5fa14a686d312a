import crypto from 'node:crypto'
import { addMonths } from '../../src/domain/membership'
import {
  aesKeyFrom,
  decryptPush,
  encryptPush,
  pushSignature,
  verifyMsgSignature,
  verifyPushSignature,
} from '../../src/payments/xpay/message-push'
import { canMove, newOutTradeNo, ORDER_TRANSITIONS } from '../../src/payments/payments'
import {
  authorization,
  decryptResource,
  encryptResource,
  requestMessage,
  requestPaymentParams,
  rsaSign,
  verifyWechatpaySignature,
} from '../../src/payments/wechatpay/sign'
import { apiPaySig, buildSignData, paySig, userSignature } from '../../src/payments/xpay/sign'
import type { OrderStatus } from '../../src/db/schema'

const CST = (text: string) => Date.parse(`${text}+08:00`)

describe('membership arithmetic (Asia/Shanghai calendar months)', () => {
  it.each([
    ['2026-01-15T10:00:00', 1, '2026-02-15T10:00:00'],
    ['2026-01-31T10:00:00', 1, '2026-02-28T10:00:00'],
    ['2028-01-31T23:30:00', 1, '2028-02-29T23:30:00'],
    ['2026-08-31T00:00:00', 6, '2027-02-28T00:00:00'],
    ['2026-12-31T08:00:00', 12, '2027-12-31T08:00:00'],
    ['2026-03-31T00:10:00', 1, '2026-04-30T00:10:00'],
  ])('%s + %i month(s) = %s', (from, months, until) => {
    expect(addMonths(CST(from), months)).toBe(CST(until))
  })

  it('stacks: two half-year plans reach as far as a year', () => {
    const start = CST('2026-05-20T12:00:00')
    expect(addMonths(addMonths(start, 6), 6)).toBe(addMonths(start, 12))
  })
})

describe('order state machine', () => {
  const all = Object.keys(ORDER_TRANSITIONS) as OrderStatus[]
  it('allows the documented moves only', () => {
    const allowed = all.flatMap((from) => all.filter((to) => canMove(from, to)).map((to) => `${from}→${to}`))
    expect(allowed.sort()).toEqual(
      [
        'created→pending',
        'created→closed',
        'pending→paid',
        'pending→closed',
        'closed→paid',
        'paid→fulfilled',
        'paid→refunding',
        'fulfilled→refunding',
        'fulfilled→refunded',
        'refunding→refunded',
        'refunding→fulfilled',
      ].sort(),
    )
  })
  it.each([
    ['fulfilled', 'paid'],
    ['refunded', 'fulfilled'],
    ['closed', 'pending'],
    ['created', 'fulfilled'],
    ['pending', 'refunded'],
  ] as [OrderStatus, OrderStatus][])('refuses %s → %s', (from, to) => expect(canMove(from, to)).toBe(false))

  it('out_trade_no fits both rails: 8–32 of [0-9A-Za-z], unique', () => {
    const numbers = new Set(Array.from({ length: 500 }, () => newOutTradeNo(Date.now())))
    expect(numbers.size).toBe(500)
    for (const no of numbers) expect(no).toMatch(/^[0-9A-Za-z]{8,32}$/)
  })
})

describe('virtual payment signatures', () => {
  const signData = buildSignData({
    offerId: '1450000000',
    buyQuantity: 1,
    env: 0,
    currencyType: 'CNY',
    productId: 'half_year',
    goodsPrice: 4800,
    outTradeNo: 'BC20261127abcdef',
    attach: '7',
  })

  it('signData keeps its key order', () => {
    expect(signData).toBe(
      '{"offerId":"1450000000","buyQuantity":1,"env":0,"currencyType":"CNY","productId":"half_year","goodsPrice":4800,"outTradeNo":"BC20261127abcdef","attach":"7"}',
    )
  })

  it('paySig, signature and API pay_sig are hex HMAC-SHA256 over the documented strings', () => {
    const hmac = (key: string, message: string) => crypto.createHmac('sha256', key).update(message).digest('hex')
    expect(paySig('app-key', signData)).toBe(hmac('app-key', `requestVirtualPayment&${signData}`))
    expect(userSignature('session-key', signData)).toBe(hmac('session-key', signData))
    expect(apiPaySig('app-key', '/xpay/query_order', '{"a":1}')).toBe(hmac('app-key', '/xpay/query_order&{"a":1}'))
    expect(paySig('app-key', signData)).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('message push (消息推送)', () => {
  const token = 'push-token'
  const encodingAesKey = crypto.randomBytes(32).toString('base64').slice(0, 43)

  it('signature is sha1 over the sorted parts', () => {
    const expected = crypto.createHash('sha1').update(['1700000000', 'nonce', token].sort().join('')).digest('hex')
    expect(pushSignature(token, '1700000000', 'nonce')).toBe(expected)
    expect(verifyPushSignature(token, '1700000000', 'nonce', expected)).toBe(true)
    expect(verifyPushSignature(token, '1700000001', 'nonce', expected)).toBe(false)
    const encrypted = 'abc'
    expect(verifyMsgSignature(token, '1', 'n', encrypted, pushSignature(token, '1', 'n', encrypted))).toBe(true)
  })

  it('AES-256-CBC round trip; tampering and a wrong key are detected', () => {
    const key = aesKeyFrom(encodingAesKey)
    const message = JSON.stringify({ Event: 'xpay_goods_deliver_notify', OutTradeNo: 'BC1', 中文: '北辰' })
    const encrypted = encryptPush(key, message, 'wx0000000000000000')
    expect(decryptPush(key, encrypted)).toEqual({ message, appid: 'wx0000000000000000' })
    const bytes = Buffer.from(encrypted, 'base64')
    bytes[bytes.length - 1] ^= 0xff
    const tampered = decryptPush(key, bytes.toString('base64'))
    expect(tampered === null || tampered.message !== message).toBe(true)
    expect(
      decryptPush(aesKeyFrom(crypto.randomBytes(32).toString('base64').slice(0, 43)), encrypted)?.message,
    ).not.toBe(message)
    expect(decryptPush(key, 'not base64 at all')).toBeNull()
  })
})

describe('WeChat Pay v3 signing', () => {
  const merchantKeys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  const platformKeys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  const merchant = { mchid: '1900000001', serial: 'MERCHANTSERIAL', privateKey: merchantKeys.privateKey }
  const now = Date.UTC(2026, 10, 27, 10)

  it('signs requests over the 5-line string', () => {
    const header = authorization(merchant, 'GET', '/v3/pay/transactions/out-trade-no/BC1?mchid=1900000001', '', now)
    const fields = Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
    expect(header.startsWith('WECHATPAY2-SHA256-RSA2048 ')).toBe(true)
    expect(fields).toMatchObject({ mchid: '1900000001', serial_no: 'MERCHANTSERIAL', timestamp: String(now / 1000) })
    const message = requestMessage(
      'GET',
      '/v3/pay/transactions/out-trade-no/BC1?mchid=1900000001',
      fields.timestamp,
      fields.nonce_str,
      '',
    )
    expect(message.split('\n')).toHaveLength(6)
    expect(
      crypto.verify('sha256', Buffer.from(message), merchantKeys.publicKey, Buffer.from(fields.signature, 'base64')),
    ).toBe(true)
  })

  it('paySign covers appId, timeStamp, nonceStr and package', () => {
    const params = requestPaymentParams(merchant, 'wx0000000000000000', 'wx201410272009395522657a690389285100', now)
    const message = `wx0000000000000000\n${params.timeStamp}\n${params.nonceStr}\nprepay_id=wx201410272009395522657a690389285100\n`
    expect(params.signType).toBe('RSA')
    expect(
      crypto.verify('sha256', Buffer.from(message), merchantKeys.publicKey, Buffer.from(params.paySign, 'base64')),
    ).toBe(true)
  })

  describe('verifying notifications', () => {
    const keys = new Map([['PUB_KEY_ID_0001', platformKeys.publicKey]])
    const body = '{"id":"EV-1","event_type":"TRANSACTION.SUCCESS"}'
    const signed = (overrides: Record<string, string> = {}, text = body) => {
      const timestamp = overrides['wechatpay-timestamp'] ?? String(Math.floor(now / 1000))
      return {
        'wechatpay-serial': 'PUB_KEY_ID_0001',
        'wechatpay-timestamp': timestamp,
        'wechatpay-nonce': 'n0nce',
        'wechatpay-signature': rsaSign(platformKeys.privateKey, `${timestamp}\nn0nce\n${text}\n`),
        ...overrides,
      }
    }
    it('accepts the real thing', () =>
      expect(verifyWechatpaySignature(keys, signed(), body, now)).toEqual({ ok: true }))
    it('refuses a forged signature, an unknown serial, a stale timestamp and a SIGNTEST probe', () => {
      expect(verifyWechatpaySignature(keys, signed(), `${body} `, now)).toEqual({ ok: false, reason: 'bad_signature' })
      expect(
        verifyWechatpaySignature(keys, signed({ 'wechatpay-serial': 'PUB_KEY_ID_9999' }), body, now),
      ).toMatchObject({ reason: 'unknown_serial' })
      const stale = String(Math.floor(now / 1000) - 301)
      expect(verifyWechatpaySignature(keys, signed({ 'wechatpay-timestamp': stale }), body, now)).toMatchObject({
        reason: 'stale_timestamp',
      })
      const edge = String(Math.floor(now / 1000) - 300)
      expect(verifyWechatpaySignature(keys, signed({ 'wechatpay-timestamp': edge }), body, now)).toEqual({ ok: true })
      expect(
        verifyWechatpaySignature(keys, signed({ 'wechatpay-signature': 'WECHATPAY/SIGNTEST/abc' }), body, now),
      ).toMatchObject({
        reason: 'signature_probe',
      })
      expect(verifyWechatpaySignature(keys, {}, body, now)).toMatchObject({ reason: 'missing_headers' })
    })
  })

  it('AES-256-GCM round trip with the tag checked', () => {
    const apiV3Key = crypto.randomBytes(16).toString('hex')
    const resource = encryptResource(apiV3Key, '{"trade_state":"SUCCESS"}', 'transaction')
    expect(decryptResource(apiV3Key, resource)).toBe('{"trade_state":"SUCCESS"}')
    const data = Buffer.from(resource.ciphertext, 'base64')
    data[0] ^= 1
    expect(decryptResource(apiV3Key, { ...resource, ciphertext: data.toString('base64') })).toBeNull()
    expect(decryptResource(apiV3Key, { ...resource, associated_data: 'other' })).toBeNull()
    expect(decryptResource(crypto.randomBytes(16).toString('hex'), resource)).toBeNull()
    const withoutTag = Buffer.from(resource.ciphertext, 'base64').subarray(0, -16)
    expect(decryptResource(apiV3Key, { ...resource, ciphertext: withoutTag.toString('base64') })).toBeNull()
  })
})
