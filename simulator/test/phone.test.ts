import { openidFor } from '../src/ids'
import {
  accessToken,
  APPID,
  expectWechatError,
  jscode2session,
  loginCode,
  ManualClock,
  startSim,
  type Sim,
} from './helpers'

describe('POST /wxa/business/getuserphonenumber', () => {
  let sim: Sim
  const clock = new ManualClock()

  beforeAll(async () => {
    sim = await startSim({ now: clock.now })
  })
  afterAll(() => sim.close())
  beforeEach(() => sim.post('/__control/reset'))

  const phoneCode = async (body: Record<string, unknown>) => {
    const reply = await sim.post('/__phone/phone-number', body)
    expect(reply.code).toMatch(/^[0-9a-f]{64}$/)
    return reply.code as string
  }
  const getPhone = (token: string, body: Record<string, unknown>) =>
    sim.post(`/wxa/business/getuserphonenumber?access_token=${encodeURIComponent(token)}`, body)

  it('turns a phone code into phone_info with a watermark of the app', async () => {
    const token = await accessToken(sim)
    const code = await phoneCode({ user: 'alice', phoneNumber: '13912345678' })
    const body = await getPhone(token, { code })
    expect(body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber: '13912345678',
        purePhoneNumber: '13912345678',
        countryCode: '86',
        watermark: { timestamp: Math.floor(clock.ms / 1000), appid: APPID },
      },
    })
  })

  it('defaults to 13800138000 and writes the country code into phoneNumber outside mainland China', async () => {
    const token = await accessToken(sim)
    const mainland = await getPhone(token, { code: await phoneCode({ user: 'bob' }) })
    expect(mainland.phone_info).toMatchObject({ phoneNumber: '13800138000', purePhoneNumber: '13800138000' })
    const hongKong = await getPhone(token, {
      code: await phoneCode({ user: 'bob', phoneNumber: '61234567', countryCode: '852' }),
    })
    expect(hongKong.phone_info).toMatchObject({
      phoneNumber: '+852 61234567',
      purePhoneNumber: '61234567',
      countryCode: '852',
    })
  })

  it('writes another appid into the watermark when the test asks for it', async () => {
    const token = await accessToken(sim)
    const code = await phoneCode({ user: 'carol', watermarkAppid: 'wx9999999999999999' })
    const body = await getPhone(token, { code })
    expect(body.phone_info).toMatchObject({ watermark: { appid: 'wx9999999999999999' } })
  })

  it('accepts a code once (40163), for 5 minutes (40029), and answers 40029 to an unknown code', async () => {
    const token = await accessToken(sim)
    const code = await phoneCode({ user: 'dave' })
    expect((await getPhone(token, { code })).errcode).toBe(0)
    expectWechatError(await getPhone(token, { code }), 40163, 'code been used')
    const late = await phoneCode({ user: 'dave' })
    clock.ms += 300_001
    const fresh = await accessToken(sim)
    expectWechatError(await getPhone(fresh, { code: late }), 40029, 'invalid code')
    expectWechatError(await getPhone(fresh, { code: 'f'.repeat(64) }), 40029)
    expectWechatError(await getPhone(fresh, {}), 40029)
  })

  it('checks the code against the openid when one is passed', async () => {
    const token = await accessToken(sim)
    const session = await jscode2session(sim, await loginCode(sim, 'erin'))
    const code = await phoneCode({ user: 'erin' })
    expectWechatError(await getPhone(token, { code, openid: openidFor(APPID, 'someone else') }), 40003)
    const body = await getPhone(token, { code, openid: session.openid })
    expect(body.errcode).toBe(0)
  })

  it('wants a valid access_token: 41001 missing, 40001 unknown, 42001 expired', async () => {
    const code = await phoneCode({ user: 'frank' })
    expectWechatError(await sim.post('/wxa/business/getuserphonenumber', { code }), 41001, 'access_token missing')
    expectWechatError(await getPhone('90_not-a-token', { code }), 40001)
    const token = await accessToken(sim)
    await sim.post('/__control/clock', { advanceMs: 7200 * 1000 })
    expectWechatError(await getPhone(token, { code }), 42001)
  })

  it('rejects a malformed phone-side request with HTTP 400', async () => {
    const bad = async (body: unknown) => (await sim.fetch('/__phone/phone-number', post(body))).status
    expect(await bad({ user: 'gina', phoneNumber: '2381234567' })).toBe(400)
    expect(await bad({ user: 'gina', phoneNumber: '138-0013-8000' })).toBe(400)
    expect(await bad({ user: '' })).toBe(400)
    expect(await bad({ user: 'x'.repeat(33) })).toBe(400)
    expect(await bad({ phoneNumber: '13800138000' })).toBe(400)
  })
})

function post(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}
