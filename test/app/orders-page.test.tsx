import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro from '@tarojs/taro'
import type { Order } from '@/services/api'
import { resetSession, setMe } from '@/store/session'
import OrdersPage, { orderStatusText } from '@/subpackages/orders/pages/index'
import { formatAmount, shanghaiDateTime } from '@/utils/format'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { me } from './fixtures'
import { fire, resetTaroMock, storage } from './mocks/taro'

const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)))

function order(id: number, overrides: Partial<Order> = {}): Order {
  return {
    id,
    outTradeNo: `VIP2026112700000${id}`,
    kind: 'vip',
    planId: 'half_year',
    planName: '半年',
    months: 6,
    amountFen: 4800,
    rail: 'xpay',
    status: 'fulfilled',
    createdAt: '2026-11-27T10:05:00.000Z',
    paidAt: '2026-11-27T10:06:00.000Z',
    expiresAt: '2026-11-27T10:20:00.000Z',
    ...overrides,
  }
}

let api: FakeApi

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1001 })
  api = fakeApi()
  storage.set('token', 'tok')
  setMe(me())
})

describe('order formatting', () => {
  it('amounts to the fen, times in Beijing to the minute, statuses in Chinese', () => {
    expect(formatAmount(4800)).toBe('¥48.00')
    expect(formatAmount(990)).toBe('¥9.90')
    expect(formatAmount(6800)).toBe('¥68.00')
    // 23:30 UTC is 07:30 the next day in Beijing
    expect(shanghaiDateTime('2026-12-31T23:30:00.000Z')).toBe('2027-01-01 07:30')
    expect(shanghaiDateTime('not a date')).toBe('')
    expect(['created', 'pending', 'paid', 'fulfilled', 'closed', 'refunding', 'refunded'].map(orderStatusText)).toEqual(
      ['待支付', '待支付', '已支付', '已开通', '已关闭', '退款中', '已退款'],
    )
  })
})

describe('我的订单', () => {
  it('lists the orders newest first: plan, amount, status, Beijing time, order number', async () => {
    api.route(
      'GET /api/orders',
      answers.ok({
        items: [
          order(3, { planName: '1年', amountFen: 6800, status: 'pending', createdAt: '2026-11-27T16:30:00.000Z' }),
          order(2),
          order(1, { planName: '1个月', amountFen: 990, status: 'refunded', createdAt: '2026-01-01T00:00:00.000Z' }),
        ],
      }),
    )
    const { container } = render(<OrdersPage />)
    await settle()
    const rows = Array.from(container.querySelectorAll('.order')).map((row) => row.textContent)
    expect(rows).toEqual([
      'VIP会员·1年待支付2026-11-28 00:30¥68.00订单号 VIP20261127000003复制',
      'VIP会员·半年已开通2026-11-27 18:05¥48.00订单号 VIP20261127000002复制',
      'VIP会员·1个月已退款2026-01-01 08:00¥9.90订单号 VIP20261127000001复制',
    ])
    // The pending one is past its expiry: nothing to pay or cancel any more.
    expect(screen.queryByText('继续支付')).toBeNull()
    expect(api.calls.find((call) => call.path === '/api/orders')).toMatchObject({ method: 'GET', token: 'tok' })
    expect(container.querySelector('.service-contact-line')?.textContent).toBe(
      '订单如有疑问，请联系客服 400-1788-950（09:00—21:30）',
    )
  })

  it('says so when there is none, and leads to 会员', async () => {
    api.route('GET /api/orders', answers.ok({ items: [] }))
    render(<OrdersPage />)
    await settle()
    expect(screen.getByText('暂无订单')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: '去开通会员' }))
    expect(Taro.switchTab).toHaveBeenCalledWith({ url: '/pages/vip/index' })
  })

  it('pull to refresh loads the list again, keeping it on screen meanwhile', async () => {
    api.route('GET /api/orders', answers.ok({ items: [order(1, { status: 'pending' })] }))
    const { container } = render(<OrdersPage />)
    await settle()
    expect(container.textContent).toContain('待支付')
    api.route('GET /api/orders', answers.ok({ items: [order(1, { status: 'fulfilled' })] }))
    act(() => void fire('usePullDownRefresh'))
    expect(container.textContent).toContain('待支付')
    await settle()
    expect(container.textContent).toContain('已开通')
    expect(api.count('GET /api/orders')).toBe(2)
    expect(Taro.stopPullDownRefresh).toHaveBeenCalledTimes(1)
  })

  it('a pending order: the time left, 继续支付 (the same order), 取消订单, and 复制 for its number', async () => {
    const expiresAt = new Date(Date.now() + 14 * 60_000 + 30_000).toISOString()
    api.route(
      'GET /api/orders',
      answers.ok({ items: [order(7, { status: 'pending', rail: 'wechatpay', expiresAt })] }),
      answers.ok({ items: [order(7, { status: 'fulfilled', rail: 'wechatpay', expiresAt })] }),
    )
    api.route(
      'POST /api/orders/7/pay',
      answers.ok({
        order: order(7, { status: 'pending', rail: 'wechatpay', expiresAt }),
        payment: {
          rail: 'wechatpay',
          wechatpay: { timeStamp: '1', nonceStr: 'n', package: 'prepay_id=wx1', signType: 'RSA', paySign: 'p' },
        },
      }),
    )
    api.route('GET /api/orders/7', answers.ok(order(7, { status: 'fulfilled', rail: 'wechatpay', expiresAt })))
    api.route('GET /api/me', answers.ok(me()))
    ;(Taro.requestPayment as jest.Mock).mockResolvedValue({ errMsg: 'requestPayment:ok' })
    const { container } = render(<OrdersPage />)
    await settle()
    expect(container.querySelector('.order-left')?.textContent).toMatch(/^14:(2\d|30) 后自动关闭$/)

    fireEvent.click(screen.getByText('复制'))
    expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: 'VIP20261127000007' })

    fireEvent.click(screen.getByText('继续支付'))
    await act(async () => new Promise((resolve) => setTimeout(resolve, 50)))
    expect(api.count('POST /api/orders/7/pay')).toBe(1)
    expect(api.count('POST /api/orders')).toBe(0)
    expect(Taro.requestPayment).toHaveBeenCalledWith(expect.objectContaining({ package: 'prepay_id=wx1' }))
    await settle()
    expect(container.textContent).toContain('已开通')
    expect(screen.queryByText('继续支付')).toBeNull()
  })

  it('取消订单 asks first, then closes the order and shows it closed', async () => {
    const expiresAt = new Date(Date.now() + 10 * 60_000).toISOString()
    api.route(
      'GET /api/orders',
      answers.ok({ items: [order(8, { status: 'pending', expiresAt })] }),
      answers.ok({ items: [order(8, { status: 'closed', expiresAt })] }),
    )
    api.route('POST /api/orders/8/cancel', answers.ok(order(8, { status: 'closed', expiresAt })))
    const { container } = render(<OrdersPage />)
    await settle()
    ;(Taro.showModal as jest.Mock).mockResolvedValueOnce({ confirm: false, cancel: true })
    fireEvent.click(screen.getByText('取消订单'))
    await settle()
    expect(api.count('POST /api/orders/8/cancel')).toBe(0)
    fireEvent.click(screen.getByText('取消订单'))
    await settle()
    await settle()
    expect(api.count('POST /api/orders/8/cancel')).toBe(1)
    expect(container.textContent).toContain('已关闭')
  })

  it('a failed load can be retried', async () => {
    api.route('GET /api/orders', answers.error(503, 'UNAVAILABLE'))
    render(<OrdersPage />)
    await settle()
    expect(screen.getByText('订单加载失败')).toBeTruthy()
    api.route('GET /api/orders', answers.ok({ items: [order(1)] }))
    fireEvent.click(screen.getByRole('button', { name: '重新加载' }))
    await settle()
    expect(screen.getByText('已开通')).toBeTruthy()
  })
})
