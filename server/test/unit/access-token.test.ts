import crypto from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { buildSimulator } from '../../../simulator/src/app'
import { SecretBox } from '../../src/infra/secret-box'
import { hashToken, newToken, TOKEN_PATTERN } from '../../src/infra/tokens'
import { AccessTokenCache } from '../../src/wechat/access-token'
import { WeChatApi, WeChatError } from '../../src/wechat/api'

const APPID = 'wx0000000000000000'

describe('access_token against the simulator', () => {
  let simulator: FastifyInstance
  let base: string
  const secret = crypto.randomBytes(16).toString('hex')

  beforeAll(async () => {
    simulator = buildSimulator({ secret, appid: APPID, tokenTtlS: 7200 })
    base = await simulator.listen({ port: 0, host: '127.0.0.1' })
  })
  afterAll(() => simulator.close())
  beforeEach(() => fetch(`${base}/__control/reset`, { method: 'POST' }))

  const calls = async () =>
    ((await (await fetch(`${base}/__control/stats`)).json()) as { calls: Record<string, number> }).calls[
      '/cgi-bin/stable_token'
    ] ?? 0
  const api = () => new WeChatApi({ baseUrl: base, appid: APPID, secret, timeoutMs: 2000 })

  it('50 concurrent callers cause one upstream call, and later callers reuse the token', async () => {
    const cache = new AccessTokenCache(() => api().stableToken())
    const tokens = await Promise.all(Array.from({ length: 50 }, () => cache.get()))
    expect(new Set(tokens).size).toBe(1)
    expect(await calls()).toBe(1)
    await cache.get()
    expect(await calls()).toBe(1)
  })

  it('refreshes before expiry (5 minutes early)', async () => {
    let clock = Date.now()
    const cache = new AccessTokenCache(
      () => api().stableToken(),
      () => clock,
    )
    await cache.get()
    clock += (7200 - 301) * 1000
    await cache.get()
    expect(await calls()).toBe(1)
    clock += 2000
    await cache.get()
    expect(await calls()).toBe(2)
  })

  it('a token WeChat calls invalid (40001) is refetched once and the call retried once', async () => {
    const cache = new AccessTokenCache(() => api().stableToken())
    const { code } = (await (
      await fetch(`${base}/__phone/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'checker' }),
      })
    ).json()) as { code: string }
    const { openid } = await api().code2Session(code)
    await fetch(`${base}/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/wxa/msg_sec_check', errcode: 40001, count: 1 }),
    })
    const verdict = await cache.withToken((token) => api().msgSecCheck(token, openid, '你好'))
    expect(verdict.suggest).toBe('pass')
    expect(await calls()).toBe(2)

    await fetch(`${base}/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/wxa/msg_sec_check', errcode: 42001, count: 2 }),
    })
    await expect(cache.withToken((token) => api().msgSecCheck(token, openid, '你好'))).rejects.toMatchObject({
      errcode: 42001,
    })
  })

  it('errors carry the errcode and never the secret', async () => {
    const wrong = new WeChatApi({ baseUrl: base, appid: APPID, secret: 'not-the-secret', timeoutMs: 2000 })
    const error = await wrong.code2Session('abc').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WeChatError)
    expect((error as WeChatError).errcode).toBe(40125)
    expect(String((error as Error).message)).not.toContain('not-the-secret')
    const unreachable = new WeChatApi({ baseUrl: 'http://127.0.0.1:9', appid: APPID, secret, timeoutMs: 500 })
    const down = (await unreachable.stableToken().catch((e: unknown) => e)) as WeChatError
    expect(down.busy).toBe(true)
    expect(down.message).not.toContain(secret)
  })
})

describe('session tokens', () => {
  it('are 256-bit random, url-safe, and stored only as their SHA-256', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newToken))
    expect(tokens.size).toBe(1000)
    for (const token of tokens) expect(token).toMatch(TOKEN_PATTERN)
    const token = newToken()
    expect(hashToken(token)).toBe(crypto.createHash('sha256').update(token).digest('hex'))
    expect(hashToken(token)).not.toContain(token)
  })
})

describe('SecretBox', () => {
  const box = new SecretBox(crypto.randomBytes(32))
  it('round-trips, uses a fresh IV each time and detects tampering or another key', () => {
    const sealed = box.seal('session-key-value==')
    expect(box.open(sealed)).toBe('session-key-value==')
    expect(box.seal('x')).not.toBe(box.seal('x'))
    const [iv, tag, data] = sealed.split('.')
    const flipped = Buffer.from(data, 'base64url')
    flipped[0] ^= 1
    expect(box.open([iv, tag, flipped.toString('base64url')].join('.'))).toBeNull()
    expect(box.open('garbage')).toBeNull()
    expect(new SecretBox(crypto.randomBytes(32)).open(sealed)).toBeNull()
  })
})
