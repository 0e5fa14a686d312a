/**
 * The article page of the real weapp build, on miniprogram-simulate, against the real API
 * server with the seed issue (【山西·第32期】中部城市群高质量发展). Build first:
 * npm run build:weapp (npm test does it before jest).
 */
import {
  ARTICLE_PAGE,
  assertWeappBuilt,
  bootWeapp,
  seedIssueId,
  startApiServer,
  type ApiServer,
  type Weapp,
} from './harness'

jest.setTimeout(60_000)

let api: ApiServer | undefined
let weapp: Weapp
let seedId: number

beforeAll(async () => {
  assertWeappBuilt()
  api = await startApiServer()
  seedId = await seedIssueId(api)
  weapp = bootWeapp({ apiOrigin: api.origin })
})

afterAll(async () => {
  await api?.stop()
})

beforeEach(() => {
  weapp.clearLogs()
  weapp.setScene(1001)
  weapp.storage.delete('token')
})

describe('article page (weapp runtime)', () => {
  it("shows the seed issue's free sections, then the paywall card where the server cut it", async () => {
    const page = await weapp.open(ARTICLE_PAGE, { id: String(seedId) })
    await page.waitFor(['一、背景链接', '二、深度解读', '本篇为VIP章节'])
    const text = page.text()
    expect(text).toContain('首页 › 遴选网 › 省市遴选 › 热点精讲')
    expect(text).toContain('【山西·第32期】中部城市群高质量发展')
    expect(text).toContain('来源：北辰遴选·苏阳老师')
    expect(text).toContain('山西中部城市群高质量发展的重要意义') // a ★ heading
    expect(text).toContain('加强战略谋划') // a 一是 point
    expect(text).toContain('抱歉哦,本篇为vip章节,需要本站VIP会员才可以继续阅读哦~')
    expect(text).toContain('本期VIP内容：')
    // The free teaser: 三、实战应用 with 例题1 and its 参考作答, as on the seed page.
    expect(text).toContain('三、实战应用')
    expect(text).toContain('查看参考作答')
    // The VIP part, from 例题2 on, never reached the client.
    expect(text).not.toContain('例题2')
    expect(text).not.toContain('提级提速抢先机')
    expect(page.has('#paywall')).toBe(true)
    // The paywall's button, its 在线客服 (open-type contact) and 分享给好友 (open-type share).
    expect(page.count('button')).toBe(3)
    expect(weapp.requests).toContain(`GET /api/issues/${seedId}`)

    // 开通会员 opens over the article, which stays in the stack for the way back.
    page.tap('.paywall-button')
    const call = await weapp.waitForCall('navigateTo')
    expect(call.options.url).toBe('/subpackages/vip/pages/index')
    page.unload()
  })

  it('shows the whole issue, with 例题 and 参考作答, to a VIP member', async () => {
    weapp.storage.set('token', await api!.vipToken())
    const page = await weapp.open(ARTICLE_PAGE, { id: String(seedId) })
    // 参考作答 are folded behind 先作答 / 查看参考作答 until the reader asks: unfold every one.
    await page.waitFor(['查看参考作答'])
    for (const button of page.component.querySelectorAll('.blk-a-show')) button.dispatchEvent('tap')
    await page.waitFor(['三、实战应用', '例题1', '参考作答', '共389字', '例题2', '提级提速抢先机', '共481字'])
    const text = page.text()
    expect(text).toContain('字数 400字左右')
    expect(text).toContain('要求：准确全面')
    // Labels the server keeps in the text are drawn once, not twice.
    expect(text).not.toMatch(/一是一是|例题1:|要求：要求/)
    expect(page.has('#paywall')).toBe(false)
    page.unload()
  })

  it('shares the free title and a path that opens this issue; opened alone, nothing floats over the text', async () => {
    const page = await weapp.open(ARTICLE_PAGE, { id: String(seedId) })
    await page.waitFor('本篇为VIP章节')
    const share = page.call('onShareAppMessage', { from: 'menu' }) as { title: string; path: string }
    expect(share.title).toBe('【山西·第32期】中部城市群高质量发展')
    expect(share.path).toBe(`/subpackages/article/pages/index?id=${seedId}`)
    const timeline = page.call('onShareTimeline') as { title: string; query: string }
    expect(timeline).toMatchObject({ title: '【山西·第32期】中部城市群高质量发展', query: `id=${seedId}` })

    // The only page in the stack (a cold open from the shared path): WeChat's own title bar offers 首页;
    // no button of ours floats over the text.
    expect(page.has('.art-home')).toBe(false)
    page.unload()
  })

  it('opened from Moments (scene 1154) shows the free preview, no buttons, and never navigates', async () => {
    weapp.setScene(1154)
    const page = await weapp.open(ARTICLE_PAGE, { id: String(seedId) })
    await page.waitFor(['一、背景链接', '请前往小程序使用完整服务'])
    expect(page.has('.paywall-card')).toBe(true)
    expect(page.count('button')).toBe(0)
    expect(page.has('.art-home')).toBe(false)
    expect(page.has('.art-nav')).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const navigation = weapp.wxCalls.filter((call) =>
      ['navigateTo', 'redirectTo', 'switchTab', 'reLaunch', 'navigateBack'].includes(call.api),
    )
    expect(navigation).toEqual([])
    page.unload()
  })

  it('says plainly when the issue does not exist', async () => {
    const page = await weapp.open(ARTICLE_PAGE, { id: '2147483000' })
    await page.waitFor('内容不存在或已下线')
    page.unload()
  })
})
