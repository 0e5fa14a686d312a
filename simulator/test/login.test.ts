import { openidFor, unionidFor } from '../src/ids'
import { APPID, expectWechatError, jscode2session, loginCode, ManualClock, startSim, type Sim } from './helpers'

describe('GET /sns/jscode2session', () => {
  let sim: Sim
  const clock = new ManualClock()

  beforeAll(async () => {
    sim = await startSim({ now: clock.now, codeTtlS: 300 })
  })
  afterAll(() => sim.close())
  beforeEach(() => sim.post('/__control/reset'))

  it('turns a phone-side code into openid and session_key, and nothing else', async () => {
    const body = await jscode2session(sim, await loginCode(sim, 'alice'))
    expect(Object.keys(body).sort()).toEqual(['openid', 'session_key'])
    expect(body.openid).toBe(openidFor(APPID, 'alice'))
    expect(body.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/)
    expect(Buffer.from(String(body.session_key), 'base64')).toHaveLength(16)
  })

  it('derives the openid from appid and user name only', async () => {
    const first = await jscode2session(sim, await loginCode(sim, '张三'))
    await sim.post('/__control/reset')
    const again = await jscode2session(sim, await loginCode(sim, '张三'))
    const other = await jscode2session(sim, await loginCode(sim, '李四'))
    expect(again.openid).toBe(first.openid)
    expect(other.openid).not.toBe(first.openid)
    expect(openidFor('wx9999999999999999', '张三')).not.toBe(first.openid)
  })

  it('rotates session_key on every login and remembers only the latest', async () => {
    const first = await jscode2session(sim, await loginCode(sim, 'bob'))
    const second = await jscode2session(sim, await loginCode(sim, 'bob'))
    expect(second.openid).toBe(first.openid)
    expect(second.session_key).not.toBe(first.session_key)
    const user = await sim.get('/__control/users/bob')
    expect(user).toMatchObject({ openid: first.openid, sessionKey: second.session_key })
  })

  it('accepts a code once: the second use is 40163', async () => {
    const code = await loginCode(sim, 'carol')
    expect(await jscode2session(sim, code)).toHaveProperty('openid')
    expectWechatError(await jscode2session(sim, code), 40163, 'code been used')
  })

  it('answers 40029 to an unknown code', async () => {
    expectWechatError(await jscode2session(sim, 'NotACodeTheSimulatorIssued000000'), 40029, 'invalid code')
  })

  it('answers 40029 to a code older than SIM_CODE_TTL_S, used or not', async () => {
    const fresh = await loginCode(sim, 'dave')
    const used = await loginCode(sim, 'dave')
    await jscode2session(sim, used)
    clock.ms += 300_000
    const stillValid = await loginCode(sim, 'dave')
    expect(await jscode2session(sim, stillValid)).toHaveProperty('openid')
    const almost = await loginCode(sim, 'dave')
    clock.ms += 1
    expectWechatError(await jscode2session(sim, fresh), 40029)
    expectWechatError(await jscode2session(sim, used), 40029)
    expect(await jscode2session(sim, almost)).toHaveProperty('openid')
  })

  it('expires codes when the control endpoint advances the clock', async () => {
    const code = await loginCode(sim, 'erin')
    await sim.post('/__control/clock', { advanceMs: 300_001 })
    expectWechatError(await jscode2session(sim, code), 40029)
  })

  it('answers 40029 to a code minted for another app', async () => {
    const code = await loginCode(sim, 'frank', 'wx9999999999999999')
    expectWechatError(await jscode2session(sim, code), 40029)
  })

  it('checks appid and secret before the code, without spending the code', async () => {
    const code = await loginCode(sim, 'grace')
    expectWechatError(await jscode2session(sim, code, { appid: 'wx9999999999999999' }), 40013, 'invalid appid')
    expectWechatError(await jscode2session(sim, code, { secret: 'wrong' }), 40125, 'invalid appsecret')
    expect(await jscode2session(sim, code)).toHaveProperty('openid')
  })

  it('answers missing parameters with 41002, 41004, 41008 and a wrong grant_type with 40002', async () => {
    const code = await loginCode(sim, 'heidi')
    expectWechatError(await jscode2session(sim, code, { appid: '' }), 41002, 'appid missing')
    expectWechatError(await jscode2session(sim, code, { secret: '' }), 41004, 'appsecret missing')
    expectWechatError(await jscode2session(sim, ''), 41008, 'missing code')
    expectWechatError(await jscode2session(sim, code, { grant_type: 'client_credential' }), 40002)
    expectWechatError(await sim.get('/sns/jscode2session'), 41002)
  })
})

describe('unionid', () => {
  it('comes with the session only when the unionid switch is on, and depends on the user name only', async () => {
    const without = await startSim()
    const withUnionid = await startSim({ unionid: true })
    try {
      expect(await jscode2session(without, await loginCode(without, 'ivan'))).not.toHaveProperty('unionid')
      const body = await jscode2session(withUnionid, await loginCode(withUnionid, 'ivan'))
      expect(Object.keys(body).sort()).toEqual(['openid', 'session_key', 'unionid'])
      expect(body.unionid).toBe(unionidFor('ivan'))
      expect(body.unionid).toMatch(/^u[A-Za-z0-9_-]{27}$/)
      const otherApp = await startSim({ unionid: true, appid: 'wx9999999999999999' })
      try {
        const elsewhere = await jscode2session(otherApp, await loginCode(otherApp, 'ivan'), {
          appid: 'wx9999999999999999',
        })
        expect(elsewhere.unionid).toBe(body.unionid)
        expect(elsewhere.openid).not.toBe(body.openid)
      } finally {
        await otherApp.close()
      }
    } finally {
      await without.close()
      await withUnionid.close()
    }
  })
})
