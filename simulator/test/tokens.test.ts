import { APPID, expectWechatError, ManualClock, SECRET, stableToken, startSim, type Sim } from './helpers'

describe('POST /cgi-bin/stable_token', () => {
  let sim: Sim
  const clock = new ManualClock()

  beforeAll(async () => {
    sim = await startSim({ now: clock.now, tokenTtlS: 7200 })
  })
  afterAll(() => sim.close())
  beforeEach(() => sim.post('/__control/reset'))

  /** A token-guarded call, to see whether WeChat would still accept a token */
  const useToken = (token: string) =>
    sim.post(`/wxa/msg_sec_check?access_token=${encodeURIComponent(token)}`, { version: 1, content: 'hello' })

  it('issues {access_token, expires_in} and nothing else', async () => {
    const body = await stableToken(sim)
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in'])
    expect(body.expires_in).toBe(7200)
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{100,512}$/)
    expect(await useToken(String(body.access_token))).toEqual({ errcode: 0, errmsg: 'ok' })
  })

  it('returns the same token with the remaining lifetime in normal mode', async () => {
    const first = await stableToken(sim)
    clock.ms += 1000 * 1000
    const second = await stableToken(sim, false)
    expect(second.access_token).toBe(first.access_token)
    expect(second.expires_in).toBe(6200)
    expect((await sim.get('/__control/stats')).tokensIssued).toBe(1)
  })

  it('renews once fewer than 300 s remain, and the old token lasts until it expires', async () => {
    const first = await stableToken(sim)
    clock.ms += (7200 - 300) * 1000
    expect((await stableToken(sim)).access_token).toBe(first.access_token)
    clock.ms += 1
    const renewed = await stableToken(sim)
    expect(renewed.access_token).not.toBe(first.access_token)
    expect(renewed.expires_in).toBe(7200)
    expect(await useToken(String(first.access_token))).toEqual({ errcode: 0, errmsg: 'ok' })
    clock.ms += 300 * 1000
    expectWechatError(await useToken(String(first.access_token)), 42001, 'access_token expired')
    expect(await useToken(String(renewed.access_token))).toEqual({ errcode: 0, errmsg: 'ok' })
  })

  it('issues a new token on force_refresh and invalidates the old one at once', async () => {
    const first = await stableToken(sim)
    const forced = await stableToken(sim, true)
    expect(forced.access_token).not.toBe(first.access_token)
    expect(forced.expires_in).toBe(7200)
    expectWechatError(
      await useToken(String(first.access_token)),
      40001,
      'invalid credential, access_token is invalid or not latest',
    )
    expect((await stableToken(sim)).access_token).toBe(forced.access_token)
  })

  it('expires tokens when the control endpoint advances the clock', async () => {
    const { access_token: token } = await stableToken(sim)
    await sim.post('/__control/clock', { advanceMs: 7200 * 1000 })
    expectWechatError(await useToken(String(token)), 42001)
    const fresh = await stableToken(sim)
    expect(fresh.access_token).not.toBe(token)
  })

  it('rejects wrong or missing credentials and grant types', async () => {
    const post = (body: unknown) => sim.post('/cgi-bin/stable_token', body)
    const good = { grant_type: 'client_credential', appid: APPID, secret: SECRET }
    expectWechatError(await post({ ...good, secret: 'wrong' }), 40125, 'invalid appsecret')
    expectWechatError(await post({ ...good, appid: 'wx9999999999999999' }), 40013, 'invalid appid')
    expectWechatError(await post({ ...good, appid: undefined }), 41002)
    expectWechatError(await post({ ...good, secret: undefined }), 41004)
    expectWechatError(await post({ ...good, grant_type: 'authorization_code' }), 40002, 'invalid grant_type')
    expectWechatError(await post(undefined), 41002)
  })

  it('reads the body as JSON whatever the content type, and answers 47001 to malformed JSON', async () => {
    const body = JSON.stringify({ grant_type: 'client_credential', appid: APPID, secret: SECRET })
    const plain = await sim.fetch('/cgi-bin/stable_token', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body,
    })
    expect(await plain.json()).toHaveProperty('access_token')
    const broken = await sim.fetch('/cgi-bin/stable_token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":',
    })
    expect(broken.status).toBe(200)
    expectWechatError((await broken.json()) as Record<string, unknown>, 47001, 'data format error')
  })

  it('counts every call, failed ones included', async () => {
    await Promise.all(Array.from({ length: 5 }, () => stableToken(sim)))
    await sim.post('/cgi-bin/stable_token', {})
    const stats = await sim.get('/__control/stats')
    expect(stats.calls).toMatchObject({ '/cgi-bin/stable_token': 6, '/sns/jscode2session': 0 })
    expect(stats.tokensIssued).toBe(1)
  })
})
