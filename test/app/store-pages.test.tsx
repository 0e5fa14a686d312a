import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import type { Product } from '@/services/api'
import StorePage from '@/subpackages/store/pages/index'
import ProductPage from '@/subpackages/store/pages/detail'
import CheckoutPage from '@/subpackages/store/pages/checkout'
import { answers, type FakeApi } from './fake-api'
import { settle, withSignedInReader } from './signed-in'
import { ADDRESS, goodsOrder } from './store-fixtures'
import { useRouter } from './mocks/taro'

/** Taro's mock has no address API: WeChat's sheet is scripted per test. */
const chooseAddress = jest.fn()
;(Taro as unknown as { chooseAddress: jest.Mock }).chooseAddress = chooseAddress

function product(id: number, overrides: Partial<Product> = {}): Product {
  return {
    id,
    slug: `book-${id}`,
    title: '【新品现货】2024年10月笔试考题解析+答题纸',
    cover: null,
    priceFen: 3700,
    originalPriceFen: 4800,
    kind: 'in_stock',
    shipDate: null,
    issuesCount: null,
    stock: 50,
    soldOut: false,
    limitPerReader: 3,
    sold: 4322,
    views: 17353,
    ...overrides,
  }
}

const WECHATPAY = {
  rail: 'wechatpay',
  wechatpay: { timeStamp: '1', nonceStr: 'n', package: 'prepay_id=wx-goods', signType: 'RSA', paySign: 'p' },
}

let api: FakeApi

withSignedInReader((fresh) => (api = fresh))

describe('图书 shelf', () => {
  it('shows each product: tag, price, 原价 struck, 销售 · 浏览, 已售罄; a tap opens it', async () => {
    api.route(
      'GET /api/store/products',
      answers.ok({
        items: [
          product(1),
          product(2, {
            title: '【新品预售】2024年9-10月时政热点双月刊',
            kind: 'preorder',
            shipDate: '2026-12-30',
            originalPriceFen: null,
          }),
          product(3, {
            title: '2024预定【笔试考题12期】',
            kind: 'subscription',
            issuesCount: 12,
            priceFen: 38800,
            originalPriceFen: 38800,
            stock: 0,
            soldOut: true,
            sold: 3,
            views: 9,
          }),
        ],
      }),
    )
    const { container } = render(<StorePage />)
    expect(container.querySelector('.shelf-loading')).not.toBeNull()
    await settle()
    const rows = Array.from(container.querySelectorAll('.product')).map((row) => row.textContent)
    expect(rows).toEqual([
      '【新品现货】2024年10月笔试考题解析+答题纸现货¥37.00¥48.00销售 4322件 · 浏览 1.7万人',
      '【新品预售】2024年9-10月时政热点双月刊预售 · 2026-12-30发货¥37.00销售 4322件 · 浏览 1.7万人',
      '已售罄2024预定【笔试考题12期】预定 · 12期¥388.00销售 3件 · 浏览 9人',
    ])
    expect(container.querySelector('.product-original')?.textContent).toBe('¥48.00')
    fireEvent.click(screen.getByText('2024预定【笔试考题12期】'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/store/pages/detail?id=3' })
  })

  it('an empty shelf says so; a failed load can be retried', async () => {
    api.route('GET /api/store/products', answers.error(503, 'UNAVAILABLE'), answers.ok({ items: [] }))
    render(<StorePage />)
    await settle()
    expect(screen.getByText('图书加载失败')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: '重新加载' }))
    await settle()
    expect(screen.getByText('暂无图书')).toBeTruthy()
  })
})

describe('product page', () => {
  it('asks the server for the product (which counts the view); the quantity stops at 每人限购', async () => {
    useRouter.mockReturnValue({ params: { id: '1' }, path: '' })
    api.route('GET /api/store/products/1', answers.ok(product(1, { limitPerReader: 2, stock: 50 })))
    const { container } = render(<ProductPage />)
    await settle()
    expect(api.calls.filter((call) => call.path === '/api/store/products/1')).toHaveLength(1)
    expect(container.querySelector('.product-page-note')?.textContent).toBe('库存 50 件 · 每人限购 2 件')
    const value = () => container.querySelector('.stepper-value')?.textContent
    fireEvent.click(screen.getByLabelText('减少'))
    expect(value()).toBe('1')
    fireEvent.click(screen.getByLabelText('增加'))
    fireEvent.click(screen.getByLabelText('增加'))
    fireEvent.click(screen.getByLabelText('增加'))
    expect(value()).toBe('2')
    fireEvent.click(screen.getByText('立即购买'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/store/pages/checkout?id=1&qty=2' })
  })

  it('the stock bounds it when lower than the limit; a sold-out product cannot be bought', async () => {
    useRouter.mockReturnValue({ params: { id: '4' }, path: '' })
    api.route('GET /api/store/products/4', answers.ok(product(4, { stock: 1, limitPerReader: 5 })))
    const { container, unmount } = render(<ProductPage />)
    await settle()
    fireEvent.click(screen.getByLabelText('增加'))
    expect(container.querySelector('.stepper-value')?.textContent).toBe('1')
    unmount()

    api.route('GET /api/store/products/4', answers.ok(product(4, { stock: 0, soldOut: true })))
    render(<ProductPage />)
    await settle()
    const button = screen.getByRole('button', { name: '已售罄' })
    expect(button.hasAttribute('disabled')).toBe(true)
    fireEvent.click(button)
    expect(Taro.navigateTo).not.toHaveBeenCalled()
  })
})

/** 确认订单 with WeChat's address chosen, then 提交订单 */
async function submitWithAddress(): Promise<void> {
  render(<CheckoutPage />)
  await settle()
  fireEvent.click(screen.getByText('选择收货地址 ›'))
  await settle()
  fireEvent.click(screen.getByRole('button', { name: '提交订单' }))
  await settle()
  await settle()
}

describe('确认订单', () => {
  beforeEach(() => {
    useRouter.mockReturnValue({ params: { id: '1', qty: '2' }, path: '' })
    api.route('GET /api/store/products/1', answers.ok(product(1)))
  })

  it('address from WeChat, then the order with no price in it, WeChat Pay, and 待发货 from the server', async () => {
    chooseAddress.mockResolvedValue({ errMsg: 'chooseAddress:ok', ...ADDRESS, nationalCode: '440105' })
    api.route(
      'POST /api/store/orders',
      answers.ok({ order: goodsOrder(9, 'pending', 'awaiting_payment'), payment: WECHATPAY }),
    )
    api.route('GET /api/orders/9', answers.ok({ ...goodsOrder(9, 'paid', 'awaiting_shipment'), amountFen: 7400 }))
    ;(Taro.requestPayment as jest.Mock).mockResolvedValue({ errMsg: 'requestPayment:ok' })
    const { container } = render(<CheckoutPage />)
    await settle()
    expect(screen.getByRole('button', { name: '提交订单' }).hasAttribute('disabled')).toBe(true)

    fireEvent.click(screen.getByText('选择收货地址 ›'))
    await settle()
    expect(container.querySelector('.address-card')?.textContent).toBe(
      '张三 13800138000广东省 广州市 海珠区 新港中路397号',
    )

    fireEvent.click(screen.getByRole('button', { name: '提交订单' }))
    await waitFor(() => expect(Taro.requestPayment).toHaveBeenCalled())
    const posted = api.calls.find((call) => call.path === '/api/store/orders')
    expect(posted?.token).toBe('tok')
    // Exactly what the server takes: the product, the quantity, the seven address fields; never a price.
    expect(posted?.data).toEqual({
      productId: 1,
      quantity: 2,
      address: ADDRESS,
      platform: 'android',
      requestKey: expect.stringMatching(/^rk_[a-z0-9]+_[a-z0-9]{16}$/),
    })
    expect(JSON.stringify(posted?.data)).not.toMatch(/price|amount|fen/i)
    expect(Taro.requestPayment).toHaveBeenCalledWith(expect.objectContaining({ package: 'prepay_id=wx-goods' }))
    expect(await screen.findByText('支付成功')).toBeTruthy()
    expect(screen.getByText('待发货')).toBeTruthy()
    expect(container.textContent).toContain('实付 ¥74.00')
  })

  it("SOLD_OUT: the server's message, and no payment sheet", async () => {
    chooseAddress.mockResolvedValue({ errMsg: 'chooseAddress:ok', ...ADDRESS })
    api.route('POST /api/store/orders', {
      status: 409,
      body: {
        error: { code: 'SOLD_OUT', message: '《【新品现货】2024年10月笔试考题解析+答题纸》库存不足，仅剩 1 件' },
      },
    })
    await submitWithAddress()
    expect(screen.getByRole('alert').textContent).toBe(
      '《【新品现货】2024年10月笔试考题解析+答题纸》库存不足，仅剩 1 件',
    )
    expect(Taro.requestPayment).not.toHaveBeenCalled()
  })

  it('LIMIT_EXCEEDED and PRODUCT_OFF_SHELF are said in the server’s words too', async () => {
    chooseAddress.mockResolvedValue({ errMsg: 'chooseAddress:ok', ...ADDRESS })
    api.route(
      'POST /api/store/orders',
      { status: 409, body: { error: { code: 'LIMIT_EXCEEDED', message: '每人限购 3 件' } } },
      { status: 409, body: { error: { code: 'PRODUCT_OFF_SHELF', message: '《书》已下架' } } },
    )
    await submitWithAddress()
    expect(screen.getByRole('alert').textContent).toBe('每人限购 3 件')
    fireEvent.click(screen.getByRole('button', { name: '提交订单' }))
    await settle()
    await settle()
    expect(screen.getByRole('alert').textContent).toBe('《书》已下架')
  })

  it('a cancelled address sheet changes nothing; a denied one says how to allow it', async () => {
    chooseAddress
      .mockRejectedValueOnce({ errMsg: 'chooseAddress:fail cancel' })
      .mockRejectedValueOnce({ errMsg: 'chooseAddress:fail auth deny' })
    const { container } = render(<CheckoutPage />)
    await settle()
    fireEvent.click(screen.getByText('选择收货地址 ›'))
    await settle()
    expect(container.querySelector('.checkout-note')).toBeNull()
    expect(container.querySelector('.address-card')).toBeNull()
    fireEvent.click(screen.getByText('选择收货地址 ›'))
    await settle()
    expect(container.querySelector('.checkout-note')?.textContent).toBe('未授权使用通讯地址，可在“设置”中开启')
    expect(screen.getByRole('button', { name: '提交订单' }).hasAttribute('disabled')).toBe(true)
    expect(api.count('POST /api/store/orders')).toBe(0)
  })
})
