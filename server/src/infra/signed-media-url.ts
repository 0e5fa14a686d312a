import crypto from 'node:crypto'

/**
 * Short-lived signed URLs for paid media (course videos, their posters and subtitles), in the
 * key-based URL signing CDNs use (Tencent Cloud CDN type A): `<url>?sign=<t>-<rand>-<uid>-<md5>`
 * with md5 over `<path>-<t>-<rand>-<uid>-<key>`, `t` the second it was issued and `uid` 0 (the
 * CDN's scheme has the field but uses none of it). A CDN configured
 * with the same key and validity checks the production URLs; this API checks its own URLs (the
 * sample clips of `npm start` and tests) with `verify`, by the same rule.
 */
export interface SignedUrl {
  url: string
  expiresAt: number
}

export type Verdict = 'ok' | 'expired' | 'invalid'

/** How far in the future an issue time may be (clocks of replicas differ a little) */
const CLOCK_SKEW_SECONDS = 60

const SIGN = /^(\d{1,12})-([0-9a-zA-Z]{1,32})-(\d{1,12})-([0-9a-f]{32})$/

export class MediaUrlSigner {
  private readonly base: string
  private key: Promise<string> | null = null
  /** The base's path: what the signature covers, with the file's name */
  private readonly basePath: string

  /** `base`: where the files are, e.g. https://vod.example.com/courses, or /api/media/course of this API */
  constructor(
    private readonly options: {
      base: string
      /** The key, or where to get it the first time it is needed (the database); asked again after a failure */
      key: string | (() => Promise<string>)
      ttlSeconds: number
      now: () => number
    },
  ) {
    this.base = options.base.replace(/\/+$/, '')
    this.basePath = this.base.startsWith('/') ? this.base : new URL(this.base).pathname.replace(/\/+$/, '')
  }

  get ttlSeconds(): number {
    return this.options.ttlSeconds
  }

  /** A URL of `name` under the base, valid for the TTL */
  async sign(name: string): Promise<SignedUrl> {
    const key = await this.secret()
    const issued = Math.floor(this.options.now() / 1000)
    const rand = crypto.randomBytes(8).toString('hex')
    const uid = '0'
    const hash = digest(key, `${this.basePath}/${name}`, issued, rand, uid)
    return {
      url: `${this.base}/${name}?sign=${issued}-${rand}-${uid}-${hash}`,
      expiresAt: (issued + this.options.ttlSeconds) * 1000,
    }
  }

  /** Whether `sign` is this server's signature of the URL of `name` under the base, still valid */
  async verify(name: string, sign: string): Promise<Verdict> {
    const parts = SIGN.exec(sign)
    if (!parts) return 'invalid'
    const key = await this.secret()
    const [, issuedText, rand, uid, hash] = parts as unknown as [string, string, string, string, string]
    const issued = Number(issuedText)
    const expected = digest(key, `${this.basePath}/${name}`, issued, rand, uid)
    if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(hash))) return 'invalid'
    const nowSeconds = this.options.now() / 1000
    if (issued > nowSeconds + CLOCK_SKEW_SECONDS) return 'invalid'
    return nowSeconds <= issued + this.options.ttlSeconds ? 'ok' : 'expired'
  }

  private secret(): Promise<string> {
    const { key } = this.options
    if (typeof key === 'string') return Promise.resolve(key)
    this.key ??= key().catch((error: unknown) => {
      this.key = null
      throw error
    })
    return this.key
  }
}

function digest(key: string, path: string, issued: number, rand: string, uid: string): string {
  return crypto.createHash('md5').update(`${path}-${issued}-${rand}-${uid}-${key}`).digest('hex')
}
