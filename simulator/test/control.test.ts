import { buildSimulator } from '../src/app'
import { simulatorEnv } from '../src/env'
import { expectWechatError, jscode2session, loginCode, stableToken, startSim, type Sim } from './helpers'

describe('faults, clock, stats and reset', () => {
  let sim: Sim

  beforeAll(async () => {
    sim = await startSim()
  })
  afterAll(() => sim.close())
  beforeEach(() => sim.post('/__control/reset'))

  const fault = async (body: Record<string, unknown>) => {
    const response = await sim.fetch('/__control/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return response.status
  }

  it('answers the next `count` calls with the errcode and WeChat errmsg, then recovers', async () => {
    expect(await fault({ path: '/cgi-bin/stable_token', errcode: 45011, count: 2 })).toBe(200)
    const msg = 'api minute-quota reach limit mustslower retry next minute'
    expectWechatError(await stableToken(sim), 45011, msg)
    expectWechatError(await stableToken(sim), 45011, msg)
    expect(await stableToken(sim)).toHaveProperty('access_token')
    expect((await sim.get('/__control/stats')).calls).toMatchObject({ '/cgi-bin/stable_token': 3 })
  })

  it('knows the errmsg of -1, 40001 and 42001, and takes one for other codes', async () => {
    await fault({ path: '/sns/jscode2session', errcode: -1 })
    await fault({ path: '/sns/jscode2session', errcode: 40001 })
    await fault({ path: '/sns/jscode2session', errcode: 42001 })
    await fault({ path: '/sns/jscode2session', errcode: 40226, errmsg: 'code blocked' })
    await fault({ path: '/sns/jscode2session', errcode: 49999 })
    const code = await loginCode(sim, 'alice')
    expectWechatError(await jscode2session(sim, code), -1, 'system error')
    expectWechatError(
      await jscode2session(sim, code),
      40001,
      'invalid credential, access_token is invalid or not latest',
    )
    expectWechatError(await jscode2session(sim, code), 42001, 'access_token expired')
    expectWechatError(await jscode2session(sim, code), 40226, 'code blocked')
    expectWechatError(await jscode2session(sim, code), 49999, 'system error')
    // A faulted call never reaches the real handler, so the code is still unused.
    expect(await jscode2session(sim, code)).toHaveProperty('openid')
  })

  it('delays an answer by delayMs, with or without an errcode', async () => {
    await fault({ path: '/cgi-bin/stable_token', delayMs: 300 })
    await fault({ path: '/cgi-bin/stable_token', delayMs: 200, errcode: -1 })
    let started = Date.now()
    expect(await stableToken(sim)).toHaveProperty('access_token')
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    started = Date.now()
    expectWechatError(await stableToken(sim), -1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
  })

  it('answers with an HTTP status, as a gateway would', async () => {
    await fault({ path: '/wxa/msg_sec_check', httpStatus: 502 })
    await fault({ path: '/wxa/msg_sec_check', httpStatus: 503, errcode: -1 })
    const gateway = await sim.fetch('/wxa/msg_sec_check', { method: 'POST', body: '{}' })
    expect(gateway.status).toBe(502)
    expect(await gateway.text()).toBe('502 Bad Gateway')
    const busy = await sim.fetch('/wxa/msg_sec_check', { method: 'POST', body: '{}' })
    expect(busy.status).toBe(503)
    expectWechatError((await busy.json()) as Record<string, unknown>, -1)
  })

  it('rejects faults for unknown paths or with nothing to do', async () => {
    expect(await fault({ path: '/cgi-bin/token', errcode: -1 })).toBe(400)
    expect(await fault({ path: '/__control/stats', errcode: -1 })).toBe(400)
    expect(await fault({ path: '/sns/jscode2session' })).toBe(400)
    expect(await fault({ path: '/sns/jscode2session', errcode: -1, count: 0 })).toBe(400)
    expect(await fault({ path: '/sns/jscode2session', errcode: 0 })).toBe(400)
  })

  it('lists every upstream path in the stats, and reset clears calls, faults, codes and tokens', async () => {
    const code = await loginCode(sim, 'bob')
    const { access_token: token } = await stableToken(sim)
    await fault({ path: '/sns/jscode2session', errcode: -1, count: 5 })
    await jscode2session(sim, code)
    const before = await sim.get('/__control/stats')
    expect(before.calls).toEqual({
      '/cgi-bin/message/subscribe/send': 0,
      '/cgi-bin/stable_token': 1,
      '/sns/jscode2session': 1,
      '/wxa/business/getuserphonenumber': 0,
      '/wxa/getwxacodeunlimit': 0,
      '/wxa/msg_sec_check': 0,
    })
    expect(before.faults).toEqual([expect.objectContaining({ path: '/sns/jscode2session', remaining: 4 })])

    expect(await sim.post('/__control/reset')).toEqual({ ok: true })
    const after = await sim.get('/__control/stats')
    expect(Object.values(after.calls as Record<string, number>).every((count) => count === 0)).toBe(true)
    expect(after.faults).toEqual([])
    expectWechatError(await jscode2session(sim, code), 40029)
    const check = await sim.post(`/wxa/msg_sec_check?access_token=${String(token)}`, { content: 'x' })
    expectWechatError(check, 40001)
  })

  it('advances the clock only forward', async () => {
    const first = await sim.post('/__control/clock', { advanceMs: 60_000 })
    expect(first.offsetMs).toBe(60_000)
    expect(Number(first.now)).toBeGreaterThanOrEqual(Date.now() + 59_000)
    const second = await sim.post('/__control/clock', { advanceMs: 1 })
    expect(second.offsetMs).toBe(60_001)
    const back = await sim.fetch('/__control/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs: -1 }),
    })
    expect(back.status).toBe(400)
    await sim.post('/__control/reset')
    expect((await sim.post('/__control/clock', { advanceMs: 0 })).offsetMs).toBe(0)
  })

  it('answers /healthz', async () => {
    expect(await sim.get('/healthz')).toEqual({ status: 'ok' })
  })
})

describe('phone side CORS', () => {
  let sim: Sim

  beforeAll(async () => {
    sim = await startSim()
  })
  afterAll(() => sim.close())

  it('answers a preflight from any origin', async () => {
    for (const path of ['/__phone/login', '/__phone/phone-number', '/__phone/xpay/pay', '/__phone/pay/jsapi']) {
      const response = await sim.fetch(path, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:10086',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      })
      expect(response.status).toBe(204)
      expect(response.headers.get('access-control-allow-origin')).toBe('*')
      expect(response.headers.get('access-control-allow-methods')).toContain('POST')
      expect(response.headers.get('access-control-allow-headers')).toContain('content-type')
    }
  })

  it('sends Access-Control-Allow-Origin on the answers themselves, errors included', async () => {
    const headers = { origin: 'https://preview.example', 'content-type': 'application/json' }
    const ok = await sim.fetch('/__phone/login', { method: 'POST', headers, body: JSON.stringify({ user: 'amy' }) })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('access-control-allow-origin')).toBe('*')
    const bad = await sim.fetch('/__phone/login', { method: 'POST', headers, body: JSON.stringify({ user: '' }) })
    expect(bad.status).toBe(400)
    expect(bad.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('keeps CORS off the WeChat and control sides', async () => {
    const headers = { origin: 'http://localhost:10086' }
    for (const path of ['/sns/jscode2session', '/__control/stats']) {
      const response = await sim.fetch(path, { headers })
      expect(response.headers.get('access-control-allow-origin')).toBeNull()
    }
  })
})

describe('settings from the environment', () => {
  it('uses the defaults and makes up a secret when SIM_SECRET is absent', () => {
    const env = simulatorEnv({})
    expect(env).toMatchObject({ host: '127.0.0.1', port: 3100, generatedSecret: true })
    expect(env.options).toMatchObject({ tokenTtlS: 7200, codeTtlS: 300, unionid: false, appid: undefined })
    expect(env.options.secret).toMatch(/^[0-9a-f]{32}$/)
    expect(simulatorEnv({}).options.secret).not.toBe(env.options.secret)
  })

  it('reads every variable', () => {
    const env = simulatorEnv({
      SIM_PORT: '3999',
      SIM_HOST: '0.0.0.0',
      SIM_APPID: 'wxabcdefabcdefabcd',
      SIM_SECRET: 's3cret',
      SIM_TOKEN_TTL_S: '600',
      SIM_CODE_TTL_S: '60',
      SIM_UNIONID: '1',
      SIM_RISKY_WORDS: '坏词, 另一个',
      SIM_REVIEW_WORDS: '',
    })
    expect(env).toMatchObject({ host: '0.0.0.0', port: 3999, generatedSecret: false })
    expect(env.options).toMatchObject({
      appid: 'wxabcdefabcdefabcd',
      secret: 's3cret',
      tokenTtlS: 600,
      codeTtlS: 60,
      unionid: true,
      riskyWords: ['坏词', '另一个'],
      reviewWords: [],
    })
  })

  it('refuses malformed numbers', () => {
    expect(() => simulatorEnv({ SIM_PORT: 'http' })).toThrow('SIM_PORT')
    expect(() => simulatorEnv({ SIM_TOKEN_TTL_S: '0' })).toThrow('SIM_TOKEN_TTL_S')
    expect(() => simulatorEnv({ SIM_CODE_TTL_S: '1.5' })).toThrow('SIM_CODE_TTL_S')
  })
})

describe('buildSimulator options', () => {
  it('needs a secret and positive lifetimes', () => {
    expect(() => buildSimulator({ secret: '' })).toThrow('secret')
    expect(() => buildSimulator({ secret: 'x', tokenTtlS: 0 })).toThrow('tokenTtlS')
    expect(() => buildSimulator({ secret: 'x', codeTtlS: 1.5 })).toThrow('codeTtlS')
  })
})
