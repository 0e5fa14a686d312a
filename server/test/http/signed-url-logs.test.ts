import crypto from 'node:crypto'
import { dialects, startTestApp, type TestApp } from '../helpers'

/** WeChat's 消息推送 signature: SHA-1 of the token, timestamp and nonce, sorted and joined. */
function sign(...parts: string[]): string {
  return crypto.createHash('sha1').update(parts.sort().join('')).digest('hex')
}

/**
 * WeChat calls the notification routes with signed URLs (signature, msg_signature, nonce,
 * timestamp, openid): request logs keep their path and drop the query string.
 */
describe.each(dialects())('signed notification URLs in request logs on %s', (dialect) => {
  const token = crypto.randomBytes(12).toString('hex')
  let t: TestApp

  beforeAll(async () => {
    t = await startTestApp(dialect, { config: { MSG_PUSH_TOKEN: token } })
  })
  afterAll(() => t.close())

  it('logs the path of every /api/wechat/ and /api/wechatpay/ request, never its query', async () => {
    const timestamp = String(Math.floor(Date.now() / 1000))
    const nonce = crypto.randomBytes(8).toString('hex')
    const signature = sign(token, timestamp, nonce)
    const msgSignature = sign(token, timestamp, nonce, 'encrypted')
    const openid = `o${crypto.randomBytes(12).toString('hex')}`
    const query = new URLSearchParams({ signature, timestamp, nonce, openid, msg_signature: msgSignature })

    // The URL check WeChat makes when 消息推送 is set up: a well-signed request, answered 200.
    const check = await t.app.inject({ url: `/api/wechat/message-push?${query}&echostr=hello` })
    expect([check.statusCode, check.body]).toEqual([200, 'hello'])
    const requests = [
      { method: 'POST' as const, url: `/api/wechat/message-push?${query}&encrypt_type=aes` },
      { method: 'POST' as const, url: `/api/wechatpay/notify?${query}` },
      { method: 'POST' as const, url: `/api/wechatpay/refund-notify?${query}` },
      // Under the prefixes without a route, and spelt the ways a router might still read them.
      { method: 'GET' as const, url: `/api/wechatpay/elsewhere?${query}` },
      { method: 'GET' as const, url: `/api//wechat/message-push?${query}` },
      { method: 'GET' as const, url: `/API/WeChat/message-push?${query}` },
    ]
    for (const request of requests) {
      await t.app.inject({ ...request, headers: { 'content-type': 'application/json' }, payload: '{}' })
    }

    const incoming = t.logs.lines.filter((line) => line.includes('incoming request'))
    expect(incoming.length).toBeGreaterThanOrEqual(requests.length + 1)
    const log = t.logs.text()
    for (const secret of [signature, msgSignature, nonce, openid]) expect(log).not.toContain(secret)
    expect(log).toContain('"url":"/api/wechat/message-push"')
    expect(log).toContain('"url":"/api/wechatpay/notify"')
    expect(log).toContain('"url":"/api/wechatpay/refund-notify"')
  })

  it('keeps the query string of other routes', async () => {
    await t.app.inject({ url: '/api/issues?limit=3' })
    expect(t.logs.text()).toContain('"url":"/api/issues?limit=3"')
  })
})
