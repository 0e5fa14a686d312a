import { openidFor } from '../src/ids'
import { SIM_SUBSCRIBE_TEMPLATE_ID } from '../src/subscribe'
import {
  accessToken,
  APPID,
  expectWechatError,
  jscode2session,
  loginCode,
  startSim,
  type Json,
  type Sim,
} from './helpers'

const TEMPLATE = SIM_SUBSCRIBE_TEMPLATE_ID
const data = (overrides: Record<string, string> = {}) =>
  Object.fromEntries(
    Object.entries({
      thing1: '县域经济',
      thing2: '山西·第33期',
      date3: '2026年11月27日',
      thing4: '新一期已更新',
      ...overrides,
    }).map(([key, value]) => [key, { value }]),
  )

describe('one-time subscribe messages', () => {
  let sim: Sim
  let token: string
  let openid: string

  beforeAll(async () => {
    sim = await startSim()
  })
  afterAll(() => sim.close())
  beforeEach(async () => {
    await sim.post('/__control/reset')
    token = await accessToken(sim)
    openid = String((await jscode2session(sim, await loginCode(sim, 'reader'))).openid)
  })

  const sheet = (action: string, user = 'reader', tmplIds = [TEMPLATE]) =>
    sim.post('/__phone/subscribe', { user, tmplIds, action })
  const send = (body: Json, accessTokenValue = token) =>
    sim.post(`/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(accessTokenValue)}`, body)
  const message = (overrides: Json = {}) => ({
    touser: openid,
    template_id: TEMPLATE,
    page: 'subpackages/article/pages/index?id=2',
    data: data(),
    miniprogram_state: 'formal',
    lang: 'zh_CN',
    ...overrides,
  })
  const sent = async () => (await sim.get('/__control/subscribe-messages')).messages as Json[]

  it('an accept pays for exactly one message; the next send is 43101', async () => {
    expect(await sheet('accept')).toEqual({ errMsg: 'requestSubscribeMessage:ok', [TEMPLATE]: 'accept' })
    expect(await send(message())).toEqual({ errcode: 0, errmsg: 'ok' })
    expectWechatError(await send(message()), 43101)
    const messages = await sent()
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({
      touser: openid,
      template_id: TEMPLATE,
      page: 'subpackages/article/pages/index?id=2',
    })
    expect((await sim.get('/__control/subscribe-messages', { user: 'reader' })).left).toEqual({ [TEMPLATE]: 0 })
  })

  it('accepts add up; reject grants nothing; ban answers ban from then on', async () => {
    await sheet('accept')
    await sheet('accept')
    expect(await sheet('reject')).toMatchObject({ [TEMPLATE]: 'reject' })
    expect((await send(message())).errcode).toBe(0)
    expect((await send(message())).errcode).toBe(0)
    expectWechatError(await send(message()), 43101)

    expect(await sheet('ban', 'other')).toMatchObject({ [TEMPLATE]: 'ban' })
    expect(await sheet('accept', 'other')).toMatchObject({ [TEMPLATE]: 'ban' })
    expectWechatError(await send(message({ touser: openidFor(APPID, 'other') })), 43101)
  })

  it('checks the token, the user, the template and the data as WeChat does', async () => {
    await sheet('accept')
    expectWechatError(await send(message(), 'not-a-token'), 40001)
    expectWechatError(await send(message({ touser: 'o-nobody' })), 40003)
    expectWechatError(await send(message({ template_id: 'someone-elses' })), 40037)
    const { thing4: _dropped, ...missing } = data()
    expectWechatError(await send(message({ data: missing })), 47003)
    expectWechatError(
      await send(message({ data: data({ thing1: '这是一个超过二十个字的标题这是一个超过二十个字的标题' }) })),
      47003,
    )
    expectWechatError(await send(message({ miniprogram_state: 'beta' })), 47001)
    // None of them used the accept.
    expect((await send(message())).errcode).toBe(0)
    expect(await sent()).toHaveLength(1)
  })

  it('a phone-side request for a template that is not the app’s fails like WeChat (20001)', async () => {
    expect(await sheet('accept', 'reader', ['someone-elses'])).toMatchObject({ errCode: 20001 })
    const bad = await sim.fetch('/__phone/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'reader', tmplIds: [], action: 'accept' }),
    })
    expect(bad.status).toBe(400)
  })

  it('reset forgets accepts and messages', async () => {
    await sheet('accept')
    await send(message())
    await sim.post('/__control/reset')
    expect(await sent()).toEqual([])
    token = await accessToken(sim)
    expectWechatError(await send(message()), 40003)
  })
})
