import { WeChatError, type StableTokenResult } from './api'

/** Refresh this long before WeChat's expiry (WeChat renews stable tokens 5 minutes early). */
const REFRESH_MARGIN_MS = 5 * 60 * 1000
const INVALID_TOKEN_CODES = new Set([40001, 42001, 40014])

/**
 * The one access_token of this process: cached, refreshed before expiry, fetched by one
 * call however many callers wait (single flight), and refetched once when WeChat says
 * the token is invalid. Several replicas share nothing but are safe: stable_token in
 * normal mode hands every caller the same token.
 */
export class AccessTokenCache {
  private token: { value: string; expiresAt: number } | null = null
  private inflight: Promise<string> | null = null

  constructor(
    private readonly fetchToken: () => Promise<StableTokenResult>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.token && this.token.expiresAt - REFRESH_MARGIN_MS > this.now()) return this.token.value
    return this.refresh()
  }

  /** Forgets the cached token (the next caller fetches one). */
  clear(): void {
    this.token = null
  }

  /** Calls `use` with a token; when WeChat calls that token invalid, refreshes once and retries once. */
  async withToken<T>(use: (token: string) => Promise<T>): Promise<T> {
    const token = await this.get()
    try {
      return await use(token)
    } catch (error) {
      if (!(error instanceof WeChatError) || !INVALID_TOKEN_CODES.has(error.errcode)) throw error
      if (this.token?.value === token) this.token = null
      return use(await this.get())
    }
  }

  private refresh(): Promise<string> {
    this.inflight ??= this.fetchToken()
      .then((answer) => {
        this.token = { value: answer.access_token, expiresAt: this.now() + answer.expires_in * 1000 }
        return answer.access_token
      })
      .finally(() => {
        this.inflight = null
      })
    return this.inflight
  }
}
