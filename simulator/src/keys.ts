import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { PaySetup } from './env'
import type { PayOptions } from './pay'
import { newCertSerial, randomAlnum, randomDigits } from './signing'
import { defaultOriginalId, type XpayOptions } from './xpay'

/**
 * WeChat Pay keys for `npm run simulator` / `npm start`. Either every key comes from files named by
 * the environment (SIM_PAY_MERCHANT_PUBLIC_KEY_FILE, SIM_PAY_PLATFORM_PRIVATE_KEY_FILE, …), or, with
 * SIM_KEYS_DIR, a fresh set is made on every start and the halves the API server needs are written
 * into that folder (see docs/wechat-simulator.md, "Keys"). Nothing secret is ever committed.
 */

/** The files of a key folder; the API server reads these */
export const KEY_FILES = {
  /** The merchant's private key (商户API私钥): signs Authorization and paySign */
  merchantPrivateKey: 'apiclient_key.pem',
  /** The 微信支付公钥: verifies answers and notifications whose Wechatpay-Serial is the PUB_KEY_ID_… */
  wechatpayPublicKey: 'pub_key.pem',
  /** WeChat Pay's settings and the simulator's address, for the API server */
  payJson: 'pay.json',
  /** The xpay settings and the simulator's address, for the API server */
  xpayJson: 'xpay.json',
} as const

/** The platform-certificate public key file, named like WeChat's wechatpay_<serial>.pem */
export function platformCertFile(serial: string): string {
  return `wechatpay_${serial}.pem`
}

export interface PreparedPay {
  pay: PayOptions
  /** The merchant private key (PEM) when the simulator made it, for the key folder */
  merchantPrivateKey: string | null
  /** The public halves of the platform keys (PEM), for the key folder */
  wechatpayPublicKey: string | null
  platformCertPublicKey: string | null
}

function readPem(name: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(`${name}: cannot read ${file} (${error instanceof Error ? error.message : String(error)})`)
  }
}

function pair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
}

/** A 微信支付公钥 id in WeChat's format: PUB_KEY_ID_ and 32 digits */
export function newPublicKeyId(): string {
  return `PUB_KEY_ID_${randomDigits(32)}`
}

/** An APIv3 key: 32 letters and digits */
export function newApiV3Key(): string {
  return randomAlnum(32)
}

/** The pay options from files, or a fresh key set when `keysDir` is given and no key file is */
export function preparePay(setup: PaySetup, keysDir: string | null): PreparedPay {
  const fromFiles = setup.merchantPublicKeyFile !== undefined || setup.platformPrivateKeyFile !== undefined
  if (fromFiles) {
    const missing = [
      ['SIM_PAY_MERCHANT_PUBLIC_KEY_FILE', setup.merchantPublicKeyFile],
      ['SIM_PAY_PLATFORM_PRIVATE_KEY_FILE', setup.platformPrivateKeyFile],
      ['SIM_PAY_MERCHANT_SERIAL', setup.merchantCertSerial],
      ['SIM_PAY_PLATFORM_KEY_ID', setup.platformKeyId],
      ['SIM_PAY_API_V3_KEY', setup.apiV3Key],
    ]
      .filter(([, value]) => value === undefined)
      .map(([name]) => name)
    if (missing.length > 0) throw new Error(`with key files, also set ${missing.join(', ')}`)
    if ((setup.platformCertSerial === undefined) !== (setup.platformCertPrivateKeyFile === undefined)) {
      throw new Error('SIM_PAY_PLATFORM_CERT_SERIAL and SIM_PAY_PLATFORM_CERT_PRIVATE_KEY_FILE go together')
    }
    return {
      pay: {
        mchid: setup.mchid,
        appid: setup.appid,
        merchantCertSerial: setup.merchantCertSerial ?? '',
        merchantPublicKey: readPem('SIM_PAY_MERCHANT_PUBLIC_KEY_FILE', setup.merchantPublicKeyFile ?? ''),
        platformPrivateKey: readPem('SIM_PAY_PLATFORM_PRIVATE_KEY_FILE', setup.platformPrivateKeyFile ?? ''),
        platformKeyId: setup.platformKeyId ?? '',
        apiV3Key: setup.apiV3Key ?? '',
        ...(setup.platformCertSerial === undefined
          ? {}
          : {
              platformCertSerial: setup.platformCertSerial,
              platformCertPrivateKey: readPem(
                'SIM_PAY_PLATFORM_CERT_PRIVATE_KEY_FILE',
                setup.platformCertPrivateKeyFile ?? '',
              ),
            }),
      },
      merchantPrivateKey: null,
      wechatpayPublicKey: null,
      platformCertPublicKey: null,
    }
  }
  if (keysDir === null) {
    throw new Error(
      'WeChat Pay needs keys: set SIM_KEYS_DIR (a fresh set is written there) or SIM_PAY_MERCHANT_PUBLIC_KEY_FILE and SIM_PAY_PLATFORM_PRIVATE_KEY_FILE',
    )
  }
  const merchant = pair()
  const platform = pair()
  const cert = pair()
  return {
    pay: {
      mchid: setup.mchid,
      appid: setup.appid,
      merchantCertSerial: setup.merchantCertSerial ?? newCertSerial(),
      merchantPublicKey: merchant.publicPem,
      platformPrivateKey: platform.privatePem,
      platformKeyId: setup.platformKeyId ?? newPublicKeyId(),
      platformCertSerial: setup.platformCertSerial ?? newCertSerial(),
      platformCertPrivateKey: cert.privatePem,
      apiV3Key: setup.apiV3Key ?? newApiV3Key(),
    },
    merchantPrivateKey: merchant.privatePem,
    wechatpayPublicKey: platform.publicPem,
    platformCertPublicKey: cert.publicPem,
  }
}

function writeSecret(dir: string, name: string, text: string): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, text, { mode: 0o600 })
  fs.chmodSync(file, 0o600)
  return file
}

/**
 * Writes what the API server needs into the key folder (created 0700, files 0600, replaced on every
 * start): apiclient_key.pem, pub_key.pem, wechatpay_<serial>.pem, pay.json, xpay.json.
 * Returns the files written.
 */
export function writeKeyFolder(
  dir: string,
  apiBase: string,
  appid: string,
  prepared: PreparedPay | null,
  xpay: XpayOptions | undefined,
): string[] {
  dir = path.resolve(dir)
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const written: string[] = []
  if (prepared) {
    const { pay } = prepared
    const files: Record<string, string | null> = {
      merchantPrivateKeyFile: null,
      wechatpayPublicKeyFile: null,
      platformCertFile: null,
    }
    if (prepared.merchantPrivateKey !== null) {
      files.merchantPrivateKeyFile = writeSecret(dir, KEY_FILES.merchantPrivateKey, prepared.merchantPrivateKey)
    }
    if (prepared.wechatpayPublicKey !== null) {
      files.wechatpayPublicKeyFile = writeSecret(dir, KEY_FILES.wechatpayPublicKey, prepared.wechatpayPublicKey)
    }
    if (prepared.platformCertPublicKey !== null && pay.platformCertSerial !== undefined) {
      files.platformCertFile = writeSecret(
        dir,
        platformCertFile(pay.platformCertSerial),
        prepared.platformCertPublicKey,
      )
    }
    const settings = {
      apiBase,
      mchid: pay.mchid,
      appid: pay.appid ?? appid,
      merchantSerialNo: pay.merchantCertSerial,
      merchantPrivateKeyFile: files.merchantPrivateKeyFile,
      wechatpayPublicKeyId: pay.platformKeyId,
      wechatpayPublicKeyFile: files.wechatpayPublicKeyFile,
      platformCertSerial: pay.platformCertSerial ?? null,
      platformCertFile: files.platformCertFile,
      apiV3Key: pay.apiV3Key,
    }
    written.push(...Object.values(files).filter((file): file is string => file !== null))
    written.push(writeSecret(dir, KEY_FILES.payJson, `${JSON.stringify(settings, null, 2)}\n`))
  }
  if (xpay) {
    const settings = {
      apiBase,
      appid,
      offerId: xpay.offerId,
      appKey: xpay.appKey,
      appKeySandbox: xpay.appKeySandbox ?? null,
      products: xpay.products ?? null,
      pushUrl: xpay.pushUrl,
      pushToken: xpay.pushToken,
      encodingAesKey: xpay.encodingAesKey ?? null,
      originalId: xpay.originalId ?? defaultOriginalId(appid),
    }
    written.push(writeSecret(dir, KEY_FILES.xpayJson, `${JSON.stringify(settings, null, 2)}\n`))
  }
  return written
}
