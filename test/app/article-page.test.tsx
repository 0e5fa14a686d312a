import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro, { useRouter } from '@tarojs/taro'
import ArticlePage from '@/subpackages/article/pages/index'
import { resetSession, setMe } from '@/store/session'
import { fire, resetTaroMock } from './mocks/taro'
import { CONTACTS } from './fake-api'
import { blocks, denied, issue, me } from './fixtures'

const request = Taro.request as jest.Mock

/** Answers every request with this, but GET /api/contacts (the paywall's service line, 关注公众号) with the contacts */
function respond(statusCode: number, data: unknown) {
  request.mockImplementation(({ url }: { url: string }) =>
    Object.assign(
      Promise.resolve(url.endsWith('/api/contacts') ? { statusCode: 200, data: CONTACTS } : { statusCode, data }),
      {
        abort: jest.fn(),
      },
    ),
  )
}

/** Loads of the issue itself (a signed-in reader's page also asks for its favorite and progress). */
const issueLoads = () =>
  request.mock.calls.filter(([options]: [{ url: string }]) => options.url.includes('/api/issues/')).length

async function open(id: string) {
  ;(useRouter as jest.Mock).mockReturnValue({ params: { id }, path: '/subpackages/article/pages/index' })
  const view = render(<ArticlePage />)
  await act(async () => undefined)
  return view
}

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  ;(Taro.getCurrentPages as jest.Mock).mockReturnValue([{}, {}])
  ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1001 })
  delete (process.env as Record<string, string | undefined>).TARO_ENV
})

describe('article page', () => {
  it('renders breadcrumb, title, meta, sections and the paywall where access stops', async () => {
    respond(200, issue())
    const { container } = await open('32')
    expect(request.mock.calls[0][0].url).toBe('http://localhost:3000/api/issues/32')
    expect(container.textContent).toContain('首页 › 遴选网 › 省市遴选 › 热点精讲')
    expect(screen.getByText('【山西·第32期】')).toBeTruthy()
    expect(container.textContent).toContain('2022-04-26 | 来源：北辰遴选·苏阳老师 | 阅读 1.2万')
    expect(container.querySelector('#sec-s1')).not.toBeNull()
    expect(container.querySelector('#sec-s2')).not.toBeNull()
    expect(screen.getByText('本篇为VIP章节')).toBeTruthy()
    expect(Taro.setNavigationBarTitle).toHaveBeenCalledWith({ title: '山西·第32期' })
  })

  it('jumps to a section from the table of contents', async () => {
    respond(200, issue())
    const { container } = await open('32')
    const toc = container.querySelector('.toc') as HTMLElement
    fireEvent.click(Array.from(toc.querySelectorAll('.toc-item')).find((el) => el.textContent === '二、深度解读')!)
    expect(Taro.pageScrollTo).toHaveBeenCalledWith({ selector: '#sec-s2', duration: 300 })
    // A locked section is listed by its title (the paywall's locked.sections) and jumps to the paywall.
    fireEvent.click(screen.getByText('四、拓展阅读'))
    expect(Taro.pageScrollTo).toHaveBeenLastCalledWith({ selector: '#paywall', duration: 300 })
  })

  it('opens the previous issue on top (Back returns here) and marks a missing next one', async () => {
    respond(200, issue())
    await open('32')
    fireEvent.click(screen.getByText('第31期 上一期的标题'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/article/pages/index?id=31' })
    expect(screen.getByText('没有了')).toBeTruthy()
  })

  it('shares the free title, a path that opens this issue and the server-drawn card', async () => {
    respond(200, issue())
    await open('32')
    const imageUrl = 'http://localhost:3000/api/issues/32/share-card.png'
    expect(fire('useShareAppMessage')).toEqual({
      title: '【山西·第32期】中部城市群高质量发展',
      path: '/subpackages/article/pages/index?id=32',
      imageUrl,
    })
    expect(fire('useShareTimeline')).toEqual({
      title: '【山西·第32期】中部城市群高质量发展',
      query: 'id=32',
      imageUrl: `${imageUrl}?shape=moments`,
    })
  })

  it('has no paywall for a reader with access', async () => {
    respond(200, issue({ access: { granted: true, reason: 'member' } }))
    const { container } = await open('32')
    expect(container.querySelector('#paywall')).toBeNull()
    expect(container.textContent).not.toContain('VIP会员内容')
  })

  it('says plainly when the issue does not exist', async () => {
    respond(404, { error: { code: 'ISSUE_NOT_FOUND', message: 'there is no published issue 9' } })
    await open('9')
    expect(screen.getByText('内容不存在或已下线')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: '返回首页' }))
    expect(Taro.switchTab).toHaveBeenCalledWith({ url: '/pages/index/index' })
  })

  it('treats a malformed id as not found without asking the server', async () => {
    await open('abc')
    expect(request).not.toHaveBeenCalled()
    expect(screen.getByText('内容不存在或已下线')).toBeTruthy()
  })

  it('offers a retry after a network error', async () => {
    request.mockImplementationOnce(() =>
      Object.assign(Promise.reject({ errMsg: 'request:fail' }), { abort: jest.fn() }),
    )
    await open('32')
    expect(screen.getByText('网络连接失败，请检查网络后重试')).toBeTruthy()
    respond(200, issue())
    fireEvent.click(screen.getByRole('button', { name: '重新加载' }))
    await act(async () => undefined)
    expect(screen.getByText('本篇为VIP章节')).toBeTruthy()
  })

  it('opened from a share as the only page, leaves the way home to the title bar: nothing floats over the text', async () => {
    // WeChat (since 7.0.7) and Taro's H5 title bar show their own home button on a lone page.
    ;(Taro.getCurrentPages as jest.Mock).mockReturnValue([{}])
    respond(200, issue())
    const { container } = await open('32')
    expect(container.querySelector('.art-home')).toBeNull()
  })

  it('in Moments single-page mode shows the free preview with a hint, and never navigates', async () => {
    process.env.TARO_ENV = 'weapp'
    ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1154 })
    ;(Taro.getCurrentPages as jest.Mock).mockReturnValue([{}])
    respond(200, issue())
    const { container } = await open('32')
    expect(container.querySelector('#sec-s1')).not.toBeNull()
    expect(container.textContent).toContain('请前往小程序使用完整服务')
    expect(container.querySelector('button')).toBeNull()
    expect(container.querySelector('.art-home')).toBeNull()
    expect(container.querySelector('.art-nav')).toBeNull()
    fireEvent.click(screen.getByText('首页'))
    expect(Taro.switchTab).not.toHaveBeenCalled()
    expect(Taro.navigateTo).not.toHaveBeenCalled()
    expect(Taro.redirectTo).not.toHaveBeenCalled()
  })

  it('back on the page after the membership changed (a purchase): loads again and unlocks in place', async () => {
    setMe(me())
    respond(200, issue({ access: denied() }))
    const { container } = await open('32')
    expect(container.querySelector('#paywall')).not.toBeNull()

    // Shown again with nothing changed: no request.
    act(() => void fire('useDidShow'))
    await act(async () => undefined)
    expect(issueLoads()).toBe(1)

    // Bought VIP on the page above; back here.
    act(() => setMe(me({ membership: { active: true, expiresAt: '2027-06-30T15:59:59.999Z' } })))
    const unlocked = issue({
      access: { granted: true, reason: 'member' },
      sections: [...issue().sections, { id: 's3', heading: '三、实战应用', blocks: [blocks.question, blocks.answer] }],
    })
    respond(200, unlocked)
    act(() => void fire('useDidShow'))
    // The free part stays on screen while the whole issue loads (no skeleton flash).
    expect(container.querySelector('#sec-s1')).not.toBeNull()
    await act(async () => undefined)
    expect(issueLoads()).toBe(2)
    expect(container.querySelector('#paywall')).toBeNull()
    expect(container.textContent).toContain('例题1')
    expect(container.textContent).toContain('参考作答')

    act(() => void fire('useDidShow'))
    await act(async () => undefined)
    expect(issueLoads()).toBe(2)
  })
})
