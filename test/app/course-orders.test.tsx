import { fireEvent, render, screen } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { isSettled, orderTitle } from '@/hooks/usePurchase'
import OrdersPage from '@/subpackages/orders/pages/index'
import { answers, type FakeApi } from './fake-api'
import { settle, withSignedInReader } from './signed-in'
import { courseOrder } from './course-fixtures'
import { me } from './fixtures'

const XPAY = { mode: 'short_series_goods', signData: '{"goodsPrice":2990}', paySig: 'ps', signature: 'sig' }

let api: FakeApi

withSignedInReader((fresh) => (api = fresh))

afterEach(() => {
  delete (globalThis as { wx?: unknown }).wx
})

describe('course orders', () => {
  it('are named 课程·<title> (the cashier too) and done once fulfilled', () => {
    expect(orderTitle(courseOrder(1, 'pending'))).toBe('课程·结构化面试精讲')
    expect(isSettled(courseOrder(1, 'paid'))).toBe(false)
    expect(isSettled(courseOrder(1, 'fulfilled'))).toBe(true)
  })

  it('我的订单 shows 课程·<title>, 已购买 and the amount', async () => {
    api.route('GET /api/orders', answers.ok({ items: [courseOrder(2, 'fulfilled'), courseOrder(1, 'refunded')] }))
    const { container } = render(<OrdersPage />)
    await settle()
    const [bought, refunded] = Array.from(container.querySelectorAll('.order'))
    expect(bought.querySelector('.order-name')?.textContent).toBe('课程·结构化面试精讲')
    expect(bought.querySelector('.order-status')?.textContent).toBe('已购买')
    expect(bought.querySelector('.order-amount')?.textContent).toBe('¥29.90')
    expect(refunded.querySelector('.order-status')?.textContent).toBe('已退款')
  })

  it('继续支付 of a pending course order pays on its rail, then says 购买成功', async () => {
    ;(globalThis as { wx?: unknown }).wx = {
      requestVirtualPayment: (options: { success: (res: unknown) => void }) =>
        options.success({ errMsg: 'requestVirtualPayment:ok' }),
    }
    api.route('GET /api/orders', answers.ok({ items: [courseOrder(3, 'pending')] }))
    api.route('POST /api/auth/login', answers.ok({ token: 'tok-1', expiresAt: '2030-01-01T00:00:00.000Z', me: me() }))
    api.route(
      'POST /api/orders/3/pay',
      answers.ok({ order: courseOrder(3, 'pending'), payment: { rail: 'xpay', xpay: XPAY } }),
    )
    api.route('GET /api/orders/3', answers.ok(courseOrder(3, 'fulfilled')))
    api.route('GET /api/me', answers.ok(me()))
    jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-12-07T01:05:00.000Z'))
    render(<OrdersPage />)
    await settle()
    expect(screen.getByText('10:00 后自动关闭')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: '继续支付' }))
    for (let round = 0; round < 6; round++) await settle()
    expect(api.count('POST /api/auth/login')).toBe(1)
    expect(api.count('POST /api/orders/3/pay')).toBe(1)
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '购买成功' }))
    jest.restoreAllMocks()
  })
})
