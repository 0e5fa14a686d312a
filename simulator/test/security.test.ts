import { accessToken, expectWechatError, jscode2session, loginCode, ManualClock, startSim, type Sim } from './helpers'

describe('POST /wxa/msg_sec_check', () => {
  let sim: Sim
  let token: string
  let openid: string
  const clock = new ManualClock()

  beforeAll(async () => {
    sim = await startSim({ now: clock.now, riskyWords: ['违禁词', '赌博', { word: '诈骗', label: 20008 }] })
  })
  afterAll(() => sim.close())
  beforeEach(async () => {
    await sim.post('/__control/reset')
    token = await accessToken(sim)
    openid = String((await jscode2session(sim, await loginCode(sim, 'reader'))).openid)
  })

  const check = (body: Record<string, unknown>, accessTokenValue = token) =>
    sim.post(`/wxa/msg_sec_check?access_token=${encodeURIComponent(accessTokenValue)}`, body)
  const v2 = (content: string, extra: Record<string, unknown> = {}) =>
    check({ version: 2, openid, scene: 2, content, ...extra })

  it('passes clean text with label 100, a detail list and a trace_id', async () => {
    const body = await v2('申论备考的好文章')
    expect(body).toMatchObject({ errcode: 0, errmsg: 'ok', result: { suggest: 'pass', label: 100 } })
    expect(body.detail).toEqual([{ strategy: 'content_model', errcode: 0, suggest: 'pass', label: 100, prob: 90 }])
    expect(body.trace_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/)
  })

  it('calls text with a listed word risky, label 20001 unless the list says otherwise', async () => {
    const body = await v2('这里有赌博内容')
    expect(body.result).toEqual({ suggest: 'risky', label: 20001 })
    expect(body.detail).toContainEqual(
      expect.objectContaining({ strategy: 'keyword', suggest: 'risky', label: 20001, keyword: '赌博' }),
    )
    expect((await v2('小心诈骗')).result).toEqual({ suggest: 'risky', label: 20008 })
  })

  it('sends text with 待审 to review, and risky wins over review', async () => {
    expect((await v2('这条待审')).result).toEqual({ suggest: 'review', label: 21000 })
    expect((await v2('待审的违禁词')).result).toEqual({ suggest: 'risky', label: 20001 })
  })

  it('checks the nickname and title too', async () => {
    expect((await v2('正常内容', { nickname: '违禁词大王' })).result).toMatchObject({ suggest: 'risky' })
    expect((await v2('正常内容', { title: '待审标题' })).result).toMatchObject({ suggest: 'review' })
  })

  it('keeps version 1 semantics: 87014 on risky text, plain ok otherwise', async () => {
    expectWechatError(await check({ content: '赌博' }), 87014, 'risky content')
    expect(await check({ content: '你好' })).toEqual({ errcode: 0, errmsg: 'ok' })
  })

  it('wants an openid that logged in within two hours', async () => {
    expectWechatError(await v2('你好', { openid: undefined }), 40003)
    expectWechatError(await v2('你好', { openid: 'oUnknownUser000000000000000' }), 40003, 'invalid openid')
    clock.ms += 2 * 60 * 60 * 1000 + 1
    const fresh = await accessToken(sim)
    expectWechatError(await check({ version: 2, openid, scene: 2, content: '你好' }, fresh), 61010)
  })

  it('answers a bad scene, empty or over-long content with 47001', async () => {
    expectWechatError(await v2('你好', { scene: 5 }), 47001)
    expectWechatError(await v2(''), 47001)
    expectWechatError(await v2('好'.repeat(2501)), 47001)
    expect((await v2('好'.repeat(2500))).errcode).toBe(0)
  })

  it('wants a valid access_token', async () => {
    expectWechatError(await check({ version: 2, openid, scene: 2, content: 'x' }, 'bad-token'), 40001)
    expectWechatError(await sim.post('/wxa/msg_sec_check', { version: 2, openid, scene: 2, content: 'x' }), 41001)
  })
})
