import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { buildSimulator } from '../src/app'
import { DEFAULT_MCHID, simulatorEnv } from '../src/env'
import { preparePay, writeKeyFolder } from '../src/keys'
import { APPID, SECRET, startSim, type Json } from './helpers'
import { authorization, keyPair, payKeys, payOptions, xpayOptions } from './payments'

describe('payment settings from the environment', () => {
  it('turns xpay on with SIM_PUSH_URL and makes up the AppKey and Token it was not given', () => {
    expect(simulatorEnv({}).options.xpay).toBeUndefined()
    const env = simulatorEnv({ SIM_PUSH_URL: 'http://127.0.0.1:3000/api/wechat/message-push' })
    expect(env.options.xpay).toMatchObject({
      pushUrl: 'http://127.0.0.1:3000/api/wechat/message-push',
      offerId: '1450000001',
      appKey: expect.stringMatching(/^[0-9a-f]{32}$/),
      pushToken: expect.stringMatching(/^[0-9a-f]{24}$/),
    })
    expect(env.options.xpay?.encodingAesKey).toBeUndefined()
    expect(env.generatedXpay).toEqual(['SIM_XPAY_APP_KEY', 'SIM_PUSH_TOKEN'])

    const given = simulatorEnv({
      SIM_PUSH_URL: 'http://127.0.0.1:3000/push',
      SIM_PUSH_TOKEN: 'tok123',
      SIM_PUSH_AES_KEY: 'random',
      SIM_XPAY_APP_KEY: 'key',
      SIM_XPAY_APP_KEY_SANDBOX: 'sandbox',
      SIM_XPAY_OFFER_ID: '1450999999',
      SIM_XPAY_PRODUCTS: 'vip_month:1800, vip_year:16800',
      SIM_XPAY_ORIGINAL_ID: 'gh_abcdefabcdef',
      SIM_RETRY_SCALE: '0.001',
      SIM_NOTIFY_TIMEOUT_MS: '2000',
      SIM_REFUND_DELAY_MS: '50',
    })
    expect(given.options).toMatchObject({
      xpay: {
        appKey: 'key',
        appKeySandbox: 'sandbox',
        offerId: '1450999999',
        products: { vip_month: 1800, vip_year: 16800 },
        pushToken: 'tok123',
        originalId: 'gh_abcdefabcdef',
      },
      retryScale: 0.001,
      notifyTimeoutMs: 2000,
      refundDelayMs: 50,
    })
    expect(given.options.xpay?.encodingAesKey).toMatch(/^[A-Za-z0-9]{43}$/)
    expect(given.generatedXpay).toEqual(['SIM_PUSH_AES_KEY'])
    expect(() => buildSimulator(given.options)).not.toThrow()
  })

  it('refuses malformed payment variables', () => {
    expect(() => simulatorEnv({ SIM_RETRY_SCALE: '0' })).toThrow('SIM_RETRY_SCALE')
    expect(() => simulatorEnv({ SIM_RETRY_SCALE: 'fast' })).toThrow('SIM_RETRY_SCALE')
    expect(() => simulatorEnv({ SIM_PUSH_URL: 'http://x/', SIM_XPAY_PRODUCTS: 'vip' })).toThrow('SIM_XPAY_PRODUCTS')
    expect(() => simulatorEnv({ SIM_PUSH_URL: 'http://x/', SIM_XPAY_PRODUCTS: 'vip:0' })).toThrow('SIM_XPAY_PRODUCTS')
    expect(() => simulatorEnv({ SIM_NOTIFY_TIMEOUT_MS: '0' })).toThrow('SIM_NOTIFY_TIMEOUT_MS')
  })

  it('turns WeChat Pay on with SIM_PAY_MCHID or SIM_KEYS_DIR', () => {
    expect(simulatorEnv({}).pay).toBeNull()
    expect(simulatorEnv({ SIM_KEYS_DIR: '/tmp/k' })).toMatchObject({ keysDir: '/tmp/k', pay: { mchid: DEFAULT_MCHID } })
    expect(
      simulatorEnv({
        SIM_PAY_MCHID: '1230000109',
        SIM_PAY_APPID: 'wxpay00000000000',
        SIM_PAY_MERCHANT_SERIAL: 'AB',
        SIM_PAY_PLATFORM_KEY_ID: 'PUB_KEY_ID_1',
        SIM_PAY_API_V3_KEY: 'k'.repeat(32),
        SIM_PAY_MERCHANT_PUBLIC_KEY_FILE: '/keys/merchant.pem',
        SIM_PAY_PLATFORM_PRIVATE_KEY_FILE: '/keys/platform.pem',
        SIM_PAY_PLATFORM_CERT_SERIAL: 'C'.repeat(40),
        SIM_PAY_PLATFORM_CERT_PRIVATE_KEY_FILE: '/keys/cert.pem',
      }).pay,
    ).toEqual({
      mchid: '1230000109',
      appid: 'wxpay00000000000',
      merchantCertSerial: 'AB',
      platformKeyId: 'PUB_KEY_ID_1',
      apiV3Key: 'k'.repeat(32),
      merchantPublicKeyFile: '/keys/merchant.pem',
      platformPrivateKeyFile: '/keys/platform.pem',
      platformCertSerial: 'C'.repeat(40),
      platformCertPrivateKeyFile: '/keys/cert.pem',
    })
  })
})

describe('the key folder (SIM_KEYS_DIR)', () => {
  let dir: string

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-keys-'))
  })
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('makes a fresh key set per start and writes what the API server needs, readable by its owner only', async () => {
    const keysDir = path.join(dir, 'run')
    const prepared = preparePay({ mchid: '1900000001' }, keysDir)
    const xpay = xpayOptions('http://127.0.0.1:3000/push', true)
    const written = writeKeyFolder(keysDir, 'http://127.0.0.1:3100', APPID, prepared, xpay)
    const serial = prepared.pay.platformCertSerial as string
    expect(written.map((file) => path.basename(file)).sort()).toEqual(
      ['apiclient_key.pem', 'pay.json', 'pub_key.pem', `wechatpay_${serial}.pem`, 'xpay.json'].sort(),
    )
    for (const file of written) expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(fs.statSync(keysDir).mode & 0o777).toBe(0o700)

    const settings = JSON.parse(fs.readFileSync(path.join(keysDir, 'pay.json'), 'utf8')) as Json
    expect(settings).toEqual({
      apiBase: 'http://127.0.0.1:3100',
      mchid: '1900000001',
      appid: APPID,
      merchantSerialNo: expect.stringMatching(/^[0-9A-F]{40}$/),
      merchantPrivateKeyFile: path.join(keysDir, 'apiclient_key.pem'),
      wechatpayPublicKeyId: expect.stringMatching(/^PUB_KEY_ID_\d{32}$/),
      wechatpayPublicKeyFile: path.join(keysDir, 'pub_key.pem'),
      platformCertSerial: serial,
      platformCertFile: path.join(keysDir, `wechatpay_${serial}.pem`),
      apiV3Key: expect.stringMatching(/^[0-9A-Za-z]{32}$/),
    })
    expect(JSON.parse(fs.readFileSync(path.join(keysDir, 'xpay.json'), 'utf8'))).toMatchObject({
      appid: APPID,
      offerId: xpay.offerId,
      appKey: xpay.appKey,
      pushToken: xpay.pushToken,
      encodingAesKey: xpay.encodingAesKey,
      originalId: expect.stringMatching(/^gh_[0-9a-f]{12}$/),
    })

    // The written halves match the simulator's: sign with apiclient_key.pem, verify with pub_key.pem.
    const sim = await startSim({ pay: prepared.pay })
    try {
      const merchantKey = crypto.createPrivateKey(fs.readFileSync(settings.merchantPrivateKeyFile as string))
      const platformKey = crypto.createPublicKey(fs.readFileSync(settings.wechatpayPublicKeyFile as string))
      const url = '/v3/pay/transactions/out-trade-no/NOSUCHORDER?mchid=1900000001'
      const header = authorization('GET', url, '', {
        key: merchantKey,
        serial: settings.merchantSerialNo as string,
        mchid: '1900000001',
      })
      const response = await sim.fetch(url, { headers: { authorization: header } })
      const text = await response.text()
      expect(response.status).toBe(404)
      expect(response.headers.get('wechatpay-serial')).toBe(settings.wechatpayPublicKeyId)
      const message = `${response.headers.get('wechatpay-timestamp')}\n${response.headers.get('wechatpay-nonce')}\n${text}\n`
      const signature = Buffer.from(response.headers.get('wechatpay-signature') ?? '', 'base64')
      expect(crypto.verify('sha256', Buffer.from(message), platformKey, signature)).toBe(true)
    } finally {
      await sim.close()
    }

    // The next start makes another set.
    const again = preparePay({ mchid: '1900000001' }, keysDir)
    expect(again.pay.platformKeyId).not.toBe(prepared.pay.platformKeyId)
    expect(again.merchantPrivateKey).not.toBe(prepared.merchantPrivateKey)
  })

  it('reads every key from files instead, and then needs the serials, key id and APIv3 key too', () => {
    const keys = payKeys()
    const merchantFile = path.join(dir, 'merchant_public.pem')
    const platformFile = path.join(dir, 'platform_private.pem')
    fs.writeFileSync(merchantFile, keys.merchant.publicPem)
    fs.writeFileSync(platformFile, keys.platform.privatePem)
    const files = { mchid: '1900000001', merchantPublicKeyFile: merchantFile, platformPrivateKeyFile: platformFile }
    expect(() => preparePay(files, dir)).toThrow(
      'with key files, also set SIM_PAY_MERCHANT_SERIAL, SIM_PAY_PLATFORM_KEY_ID, SIM_PAY_API_V3_KEY',
    )
    const complete = { ...files, merchantCertSerial: 'AB12', platformKeyId: 'PUB_KEY_ID_9', apiV3Key: 'x'.repeat(32) }
    const prepared = preparePay(complete, null)
    expect(prepared.pay).toMatchObject({
      merchantPublicKey: keys.merchant.publicPem,
      platformPrivateKey: keys.platform.privatePem,
      platformKeyId: 'PUB_KEY_ID_9',
    })
    expect(prepared.merchantPrivateKey).toBeNull()
    expect(() => preparePay({ ...complete, platformPrivateKeyFile: path.join(dir, 'missing.pem') }, null)).toThrow(
      'SIM_PAY_PLATFORM_PRIVATE_KEY_FILE: cannot read',
    )
    expect(() => preparePay({ mchid: '1' }, null)).toThrow('SIM_KEYS_DIR')
    expect(() => buildSimulator({ secret: SECRET, pay: prepared.pay })).not.toThrow()
  })
})

describe('payment options', () => {
  it('refuses options WeChat would not have', () => {
    const pay = payOptions()
    const xpay = xpayOptions('http://127.0.0.1:1/push', false)
    const build = (options: Json) => () => buildSimulator({ secret: SECRET, ...options })
    expect(build({ pay: { ...pay, apiV3Key: 'short' } })).toThrow('pay.apiV3Key')
    expect(build({ pay: { ...pay, merchantPublicKey: 'not a key' } })).toThrow('pay.merchantPublicKey')
    expect(build({ pay: { ...pay, platformPrivateKey: keyPair().publicPem } })).toThrow('pay.platformPrivateKey')
    expect(build({ pay: { ...pay, platformCertSerial: 'XYZ' } })).toThrow('pay.platformCertSerial')
    expect(build({ pay: { ...pay, platformCertPrivateKey: undefined } })).toThrow('go together')
    expect(build({ pay: { ...pay, mchid: '' } })).toThrow('pay.mchid')
    expect(build({ xpay: { ...xpay, pushToken: 'a b' } })).toThrow('xpay.pushToken')
    expect(build({ xpay: { ...xpay, encodingAesKey: 'short' } })).toThrow('xpay.encodingAesKey')
    expect(build({ xpay: { ...xpay, pushUrl: 'ftp://x/push' } })).toThrow('xpay.pushUrl')
    expect(build({ xpay: { ...xpay, products: { vip: 0 } } })).toThrow('xpay.products.vip')
    expect(build({ xpay: { ...xpay, appKey: '' } })).toThrow('xpay.appKey')
    expect(build({ retryScale: 0 })).toThrow('retryScale')
    expect(build({ refundDelayMs: -1 })).toThrow('refundDelayMs')
    expect(build({ pay, xpay, retryScale: 0.5, refundDelayMs: 0 })).not.toThrow()
  })
})
