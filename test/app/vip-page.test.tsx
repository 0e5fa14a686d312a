import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro, { useRouter } from '@tarojs/taro'
import VipPage from '@/pages/vip/index'
import VipBuyPage from '@/subpackages/vip/pages/index'
import VipAgreementPage from '@/subpackages/legal/pages/vip-agreement'
import type { Order } from '@/services/api'
import { getSession, resetSession, setMe } from '@/store/session'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { me, plans } from './fixtures'
import { fire, resetTaroMock, storage } from './mocks/taro'

const AVAILABLE = { rail: 'xpay', available: true, notice: '' }
const IOS_NOTICE = '由于相关规范，iOS功能暂不可用'
const AGREEMENT_HINT = '请先阅读并同意《VIP服务协议》'
const VIP_UNTIL = '2027-06-30T15:59:59.999Z'
const XPAY = { mode: 'short_series_goods', signData: '{"goodsPrice":4800}', paySig: 'ps', signature: 'sig' }

const order = (status: Order['status']): Order => ({
  id: 5,
  outTradeNo: 'VIP20261127000005',
  kind: 'vip',
  planId: 'half_year',
  planName: '半年',
  months: 6,
  amountFen: 4800,
  rail: 'xpay',
  status,
  createdAt: '2026-11-27T10:00:00.000Z',
  paidAt: null,
  expiresAt: '2026-11-27T10:15:00.000Z',
})

let api: FakeApi
type WxOptions = { success: (res: unknown) => void; fail: (res: unknown) => void }
const wxPay = jest.fn<void, [WxOptions]>()

const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)))
const text = (container: HTMLElement) => container.textContent ?? ''
const requestedUrls = () => (Taro.request as jest.Mock).mock.calls.map(([options]: [{ url: string }]) => options.url)
const payButton = () => screen.getByRole('button', { name: /^立即(开通|续费)/ })
const card = (name: string) => screen.getByText(name).closest('[role="radio"]') as HTMLElement

async function open(purchase = AVAILABLE, Page = VipPage, preselected = 'half_year') {
  api.route('GET /api/plans', answers.ok({ items: plans, preselected, purchase }))
  const view = render(<Page />)
  await settle()
  return view
}

function signedIn(membership = { active: false, expiresAt: null as string | null }) {
  storage.set('token', 'tok')
  setMe(me({ membership }))
  api.route('POST /api/auth/login', answers.ok({ token: 'tok-2', expiresAt: '2030-01-01T00:00:00Z', me: me() }))
}

beforeEach(() => {
  jest.useRealTimers()
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1001 })
  ;(Taro.getDeviceInfo as jest.Mock).mockReturnValue({ platform: 'android' })
  ;(globalThis as { wx?: unknown }).wx = { requestVirtualPayment: wxPay }
  api = fakeApi()
})

afterAll(() => {
  delete (globalThis as { wx?: unknown }).wx
})

describe('会员: plans', () => {
  it('asks for the plans of this platform and shows each with its price; originals are struck through', async () => {
    const { container } = await open()
    expect(api.count('GET /api/plans')).toBe(1)
    expect(requestedUrls()).toContain('http://localhost:3000/api/plans?platform=android')

    expect(text(card('一个月'))).toContain('¥9.9')
    expect(text(card('半年'))).toContain('¥48')
    expect(text(card('一年'))).toContain('¥68')
    for (const [name, original] of [
      ['半年', '原价¥59'],
      ['一年', '原价¥118'],
    ]) {
      const struck = card(name).querySelector('.vip-plan-original') as HTMLElement
      expect(struck.textContent).toBe(original)
      expect(struck.className).not.toContain('vip-plan-monthly') // the class that would lift line-through
    }
    // 一个月 has no original price: its monthly price, not struck through.
    expect(card('一个月').querySelector('.vip-plan-monthly')?.textContent).toBe('约¥9.9/月')
    expect(text(card('半年'))).toContain('省¥11')

    expect(text(container)).toContain('全站栏目畅读')
    expect(text(container)).toContain('文档PDF下载')
    expect(text(container)).toContain('400-1788-950')
  })

  it('selects 半年 first, and the pay button follows the selection', async () => {
    await open()
    expect(card('半年').getAttribute('aria-checked')).toBe('true')
    expect(card('一年').getAttribute('aria-checked')).toBe('false')
    expect(payButton().textContent).toBe('立即开通 ¥48')
    fireEvent.click(card('一年'))
    expect(card('一年').getAttribute('aria-checked')).toBe('true')
    expect(payButton().textContent).toBe('立即开通 ¥68')
  })

  it('preselects the plan the server names (an operator setting), not a fixed one', async () => {
    await open(AVAILABLE, VipPage, 'year')
    expect(card('一年').getAttribute('aria-checked')).toBe('true')
    expect(card('半年').getAttribute('aria-checked')).toBe('false')
    expect(payButton().textContent).toBe('立即开通 ¥68')
  })

  it('opened from a paywall chip, preselects that plan; one not on sale falls back to the server’s', async () => {
    ;(useRouter as jest.Mock).mockReturnValue({ params: { plan: 'month' }, path: '' })
    const first = await open(AVAILABLE, VipBuyPage, 'year')
    expect(card('一个月').getAttribute('aria-checked')).toBe('true')
    expect(payButton().textContent).toBe('立即开通 ¥9.9')
    first.unmount()
    ;(useRouter as jest.Mock).mockReturnValue({ params: { plan: 'forever' }, path: '' })
    await open(AVAILABLE, VipBuyPage, 'year')
    expect(card('一年').getAttribute('aria-checked')).toBe('true')
    ;(useRouter as jest.Mock).mockReturnValue({ params: {}, path: '' })
  })

  it('shares 会员 to a chat from the tab and from the purchase page, opening the tab', async () => {
    const tab = await open()
    expect(fire('useShareAppMessage')).toEqual({ title: '北辰遴选VIP会员 · 全站栏目畅读', path: '/pages/vip/index' })
    tab.unmount()
    await open(AVAILABLE, VipBuyPage)
    expect(fire('useShareAppMessage')).toEqual({ title: '北辰遴选VIP会员 · 全站栏目畅读', path: '/pages/vip/index' })
  })

  it('opens the VIP agreement on its own page', async () => {
    await open()
    fireEvent.click(screen.getByText('《VIP服务协议》'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/legal/pages/vip-agreement' })
    expect(screen.getByRole('checkbox').getAttribute('aria-checked')).toBe('false')
  })

  it('a member sees 已开通, the expiry, and that buying extends it', async () => {
    signedIn({ active: true, expiresAt: VIP_UNTIL })
    const { container } = await open()
    expect(text(container)).toContain('已开通')
    expect(text(container)).toContain('有效期至 2027-06-30')
    expect(text(container)).toContain('续费后有效期自当前到期日起顺延')
    expect(payButton().textContent).toBe('立即续费 ¥48')
  })

  it('says when the plans could not be loaded, and loads them again', async () => {
    api.route('GET /api/plans', answers.error(503, 'UNAVAILABLE'))
    render(<VipPage />)
    await settle()
    expect(screen.getByText('会员方案加载失败')).toBeTruthy()
    api.route('GET /api/plans', answers.ok({ items: plans, preselected: 'half_year', purchase: AVAILABLE }))
    fireEvent.click(screen.getByRole('button', { name: '重新加载' }))
    await settle()
    expect(payButton().textContent).toBe('立即开通 ¥48')
  })
})

describe('会员: pull down to refresh', () => {
  it('asks again for the plans and the membership, then stops the spinner', async () => {
    signedIn()
    api.route('GET /api/me', answers.ok(me({ membership: { active: true, expiresAt: VIP_UNTIL } })))
    const { container } = await open()
    expect(api.count('GET /api/plans')).toBe(1)
    await act(async () => void fire('usePullDownRefresh'))
    await settle()
    expect(api.count('GET /api/plans')).toBe(2)
    expect(api.count('GET /api/me')).toBe(1)
    expect(Taro.stopPullDownRefresh).toHaveBeenCalledTimes(1)
    expect(text(container)).toContain('2027-06-30')
  })
})

describe('会员: the agreement comes before paying', () => {
  it('without the tick: a clear hint and no order; ticked: the purchase starts', async () => {
    signedIn()
    const { container } = await open()
    fireEvent.click(payButton())
    expect(screen.getByRole('alert').textContent).toBe(AGREEMENT_HINT)
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: AGREEMENT_HINT }))
    expect(api.count('POST /api/orders')).toBe(0)
    expect(wxPay).not.toHaveBeenCalled()

    api.route('POST /api/orders', answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }))
    wxPay.mockImplementation((options) => options.fail({ errMsg: 'requestVirtualPayment:fail cancel', errCode: -2 }))
    fireEvent.click(screen.getByRole('checkbox'))
    expect(screen.getByRole('checkbox').getAttribute('aria-checked')).toBe('true')
    expect(text(container)).not.toContain(AGREEMENT_HINT)
    expect(Taro.hideToast).toHaveBeenCalledTimes(1)
    fireEvent.click(payButton())
    await settle()
    expect(api.count('POST /api/orders')).toBe(1)
    expect(api.calls.find((call) => call.path === '/api/orders')?.data).toMatchObject({ planId: 'half_year' })
  })
})

describe('会员: where this platform may not buy', () => {
  it('iOS on the WeChat Pay rail: the notice only, no price, no buy button, no agreement box', async () => {
    ;(Taro.getDeviceInfo as jest.Mock).mockReturnValue({ platform: 'ios' })
    const { container } = await open({ rail: 'wechatpay', available: false, notice: IOS_NOTICE })
    expect(requestedUrls()).toContain('http://localhost:3000/api/plans?platform=ios')
    expect(text(container)).toContain(IOS_NOTICE)
    expect(text(container)).not.toMatch(/¥|原价|立即开通|立即续费/)
    expect(screen.queryAllByRole('button')).toHaveLength(0)
    expect(screen.queryByRole('checkbox')).toBeNull()
    expect(screen.queryAllByRole('radio')).toHaveLength(0)
    // What members get is still there, without prices.
    expect(text(container)).toContain('全站栏目畅读')
  })
})

describe('会员: paying', () => {
  async function agreeAndPay() {
    fireEvent.click(screen.getByRole('checkbox'))
    fireEvent.click(payButton())
  }

  it('while the server confirms: 正在确认支付结果…; when it times out: 支付结果确认中 with 刷新', async () => {
    signedIn()
    api.route('POST /api/orders', answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }))
    api.route('GET /api/orders/5', answers.ok(order('pending')))
    wxPay.mockImplementation((options) => options.success({ errMsg: 'requestVirtualPayment:ok' }))
    await open()
    jest.useFakeTimers()
    await agreeAndPay()
    await act(async () => void (await jest.advanceTimersByTimeAsync(0)))
    expect(screen.getByRole('status').textContent).toContain('正在确认支付结果…')
    expect(payButton().hasAttribute('disabled')).toBe(true)

    await act(async () => void (await jest.advanceTimersByTimeAsync(16_000)))
    expect(screen.queryByRole('status')).toBeNull()
    const dialog = screen.getByRole('dialog', { name: '支付结果确认中' })
    expect(dialog.textContent).toContain('会员将在确认后自动开通')
    const polls = api.count('GET /api/orders/5')
    expect(polls).toBeGreaterThanOrEqual(10)
    expect(polls).toBeLessThanOrEqual(17)

    // 刷新 asks again; now the payment has arrived.
    api.route('GET /api/orders/5', answers.ok(order('fulfilled')))
    api.route('GET /api/me', answers.ok(me({ membership: { active: true, expiresAt: VIP_UNTIL } })))
    fireEvent.click(screen.getByRole('button', { name: '刷新' }))
    await act(async () => void (await jest.advanceTimersByTimeAsync(0)))
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '开通成功' }))
    expect(screen.getByText('有效期至 2027-06-30')).toBeTruthy()
    jest.useRealTimers()
  })

  it('a cancelled payment shows 已取消支付 and keeps the choice and the tick', async () => {
    signedIn()
    api.route('POST /api/orders', answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }))
    wxPay.mockImplementation((options) => options.fail({ errMsg: 'requestVirtualPayment:fail cancel', errCode: -2 }))
    await open()
    fireEvent.click(card('一年'))
    await agreeAndPay()
    await settle()
    expect(screen.getByRole('alert').textContent).toBe('已取消支付')
    expect(card('一年').getAttribute('aria-checked')).toBe('true')
    expect(screen.getByRole('checkbox').getAttribute('aria-checked')).toBe('true')
    expect(payButton().hasAttribute('disabled')).toBe(false)
    expect(getSession().me?.membership.active).toBe(false)
  })

  it('a failed payment shows 支付失败，请重试', async () => {
    signedIn()
    api.route('POST /api/orders', answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }))
    wxPay.mockImplementation((options) => options.fail({ errMsg: 'requestVirtualPayment:fail', errCode: -1 }))
    await open()
    await agreeAndPay()
    await settle()
    expect(screen.getByRole('alert').textContent).toBe('支付失败，请重试')
  })

  it('opened from a paywall: once fulfilled, back to the article', async () => {
    signedIn()
    api.route('POST /api/orders', answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }))
    api.route('GET /api/orders/5', answers.ok(order('fulfilled')))
    api.route('GET /api/me', answers.ok(me({ membership: { active: true, expiresAt: VIP_UNTIL } })))
    wxPay.mockImplementation((options) => options.success({ errMsg: 'requestVirtualPayment:ok' }))
    ;(Taro.getCurrentPages as jest.Mock).mockReturnValue([{}, {}])
    await open(AVAILABLE, VipBuyPage)
    await agreeAndPay()
    await settle()
    await settle()
    expect(getSession().me?.membership.expiresAt).toBe(VIP_UNTIL)
    expect(Taro.navigateBack).toHaveBeenCalledWith({ delta: 1 })
  })
})

describe('VIP服务协议', () => {
  it('says what is included, how terms stack, no auto-renew, refunds, iOS via Apple, and whom to call', async () => {
    const { container } = render(<VipAgreementPage />)
    await settle()
    const all = text(container)
    for (const phrase of [
      '北辰遴选VIP服务协议',
      '全站栏目畅读',
      '文档 PDF 下载',
      '自当前到期日起顺延',
      '不会自动续费',
      '退款',
      'Apple',
      // The service line and its hours, from the server (GET /api/contacts).
      '客服电话 400-1788-950（09:00—21:30）',
    ]) {
      expect(all).toContain(phrase)
    }
  })
})
