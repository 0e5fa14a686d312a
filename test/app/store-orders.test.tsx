import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import type { Order } from '@/services/api'
import { chooseAddress, openOrderConfirm, SAMPLE_ADDRESS } from '@/services/wechat/index.h5'
import type { AddressResult } from '@/services/wechat'
import OrdersPage, { goodsStageText } from '@/subpackages/orders/pages/index'
import { answers, type FakeApi } from './fake-api'
import { settle, withSignedInReader } from './signed-in'
import { goodsOrder, type GoodsStage as Stage } from './store-fixtures'

let api: FakeApi

withSignedInReader((fresh) => (api = fresh))

describe('我的订单: goods orders', () => {
  it('names every stage in Chinese', () => {
    const stages: Stage[] = [
      'awaiting_payment',
      'awaiting_shipment',
      'shipped',
      'received',
      'completed',
      'closed',
      'refunding',
      'refunded',
    ]
    expect(stages.map(goodsStageText)).toEqual([
      '待付款',
      '待发货',
      '已发货',
      '已收货',
      '已完成',
      '已关闭',
      '退款中',
      '已退款',
    ])
  })

  it('shows title × qty, amount, stage and address; tracking with 复制单号 once shipped; 联系客服 before', async () => {
    api.route(
      'GET /api/orders',
      answers.ok({ items: [goodsOrder(2, 'fulfilled', 'shipped', true), goodsOrder(1, 'paid', 'awaiting_shipment')] }),
    )
    const { container } = render(<OrdersPage />)
    await settle()
    const [shipped, waiting] = Array.from(container.querySelectorAll('.order'))
    expect(shipped.querySelector('.order-name')?.textContent).toBe('2024预定【时政热点6期】 ×2')
    expect(shipped.querySelector('.order-status')?.textContent).toBe('已发货')
    expect(shipped.querySelector('.order-amount')?.textContent).toBe('¥74.00')
    expect(shipped.querySelector('.address-card')?.textContent).toBe(
      '张三 13800138000广东省 广州市 海珠区 新港中路397号',
    )
    expect(shipped.querySelector('.order-tracking')?.textContent).toBe('顺丰速运 SF1234567890')
    expect(shipped.textContent).toContain('确认收货')
    expect(shipped.textContent).not.toContain('联系客服')
    fireEvent.click(screen.getByText('复制单号'))
    expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: 'SF1234567890' })

    expect(waiting.querySelector('.order-status')?.textContent).toBe('待发货')
    expect(waiting.querySelector('.order-tracking')).toBeNull()
    expect(waiting.textContent).not.toContain('确认收货')
    expect(waiting.textContent).toContain('发货前可申请全额退款')
    expect(waiting.textContent).toContain('申请退款')
  })

  it('申请退款 before shipping: asked first, then the server refunds in full; 再想想 sends nothing', async () => {
    api.route(
      'GET /api/orders',
      answers.ok({ items: [goodsOrder(4, 'paid', 'awaiting_shipment')] }),
      answers.ok({ items: [goodsOrder(4, 'refunding', 'refunding')] }),
    )
    api.route('POST /api/store/orders/4/refund', answers.ok(goodsOrder(4, 'refunding', 'refunding')))
    const { container } = render(<OrdersPage />)
    await settle()

    ;(Taro.showModal as jest.Mock).mockResolvedValueOnce({ confirm: false, cancel: true })
    fireEvent.click(screen.getByRole('button', { name: '申请退款' }))
    await settle()
    expect(api.count('POST /api/store/orders/4/refund')).toBe(0)

    fireEvent.click(screen.getByRole('button', { name: '申请退款' }))
    await waitFor(() => expect(container.querySelector('.order-status')?.textContent).toBe('退款中'))
    expect(api.count('POST /api/store/orders/4/refund')).toBe(1)
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已申请退款，款项将原路退回' }))
    expect(screen.queryByRole('button', { name: '申请退款' })).toBeNull()
  })

  it('确认收货 asks the server, which asks WeChat: NOT_RECEIVED is said; then 已收货', async () => {
    api.route(
      'GET /api/orders',
      answers.ok({ items: [goodsOrder(3, 'fulfilled', 'shipped', true)] }),
      answers.ok({ items: [goodsOrder(3, 'fulfilled', 'received', true)] }),
    )
    api.route(
      'POST /api/store/orders/3/confirm-receipt',
      {
        status: 409,
        body: { error: { code: 'NOT_RECEIVED', message: '微信尚未确认收货：请先在微信的确认收货页确认' } },
      },
      answers.ok(goodsOrder(3, 'fulfilled', 'received', true)),
    )
    const { container } = render(<OrdersPage />)
    await settle()
    fireEvent.click(screen.getByRole('button', { name: '确认收货' }))
    await waitFor(() =>
      expect(Taro.showToast).toHaveBeenCalledWith(
        expect.objectContaining({ title: '微信尚未确认收货：请先在微信的确认收货页确认' }),
      ),
    )
    expect(container.querySelector('.order-status')?.textContent).toBe('已发货')

    await waitFor(() => expect(screen.getByRole('button', { name: '确认收货' }).hasAttribute('disabled')).toBe(false))
    fireEvent.click(screen.getByRole('button', { name: '确认收货' }))
    await waitFor(() => expect(container.querySelector('.order-status')?.textContent).toBe('已收货'))
    expect(api.count('POST /api/store/orders/3/confirm-receipt')).toBe(2)
    expect(screen.queryByRole('button', { name: '确认收货' })).toBeNull()
  })

  it('VIP orders stay as they were beside goods orders', async () => {
    const vip: Order = { ...goodsOrder(5, 'fulfilled', 'shipped'), kind: 'vip', planName: '半年', goods: undefined }
    api.route('GET /api/orders', answers.ok({ items: [vip] }))
    const { container } = render(<OrdersPage />)
    await settle()
    expect(container.querySelector('.order-name')?.textContent).toBe('VIP会员·半年')
    expect(container.querySelector('.order-status')?.textContent).toBe('已开通')
    expect(container.querySelector('.order-goods')).toBeNull()
  })
})

describe('H5 stand-in for wx.chooseAddress', () => {
  const sheet = () => document.querySelector('[aria-label="选择收货地址"]')
  /** Opens the sheet (its own React root) inside act */
  const open = async () => {
    let answer: Promise<AddressResult> | null = null
    await act(async () => {
      answer = chooseAddress()
      await new Promise((resolve) => setTimeout(resolve, 0))
    })
    // In an object: an async function returning the promise would wait for the sheet's answer itself.
    return { answer: answer as unknown as Promise<AddressResult> }
  }
  const tap = async (name: string) => {
    const button = Array.from(
      document.querySelectorAll('.wx-address-host button, .wx-address-host taro-button-core'),
    ).find((element) => element.textContent === name)
    if (!button) throw new Error(`no ${name} on the sheet`)
    fireEvent.click(button)
    await act(async () => new Promise((resolve) => setTimeout(resolve, 10)))
  }

  it('使用该地址 gives the sample address in the seven fields the server takes', async () => {
    const { answer } = await open()
    expect(sheet()?.textContent).toContain('张三 13800138000')
    expect(sheet()?.textContent).toContain('广东省 广州市 海珠区 新港中路397号 510000')
    await tap('使用该地址')
    await expect(answer).resolves.toEqual({ outcome: 'ok', address: { ...SAMPLE_ADDRESS } })
    expect(sheet()).toBeNull()
  })

  it('取消 is a cancel; 拒绝 answers as WeChat does: chooseAddress:fail auth deny', async () => {
    const { answer: cancelled } = await open()
    await tap('取消')
    await expect(cancelled).resolves.toMatchObject({ outcome: 'cancel', errMsg: 'chooseAddress:fail cancel' })
    const { answer: denied } = await open()
    await tap('拒绝')
    await expect(denied).resolves.toMatchObject({ outcome: 'deny', errMsg: 'chooseAddress:fail auth deny' })
  })

  it('has no confirm-receipt component: the server asks WeChat directly', async () => {
    await expect(openOrderConfirm()).resolves.toBe('unavailable')
  })
})

describe("weapp: WeChat's confirm-receipt component", () => {
  type WeappAdapter = typeof import('@/services/wechat/index.weapp')

  /** The weapp adapter as built with (or without) a merchant id, with its own Taro and openBusinessView */
  function adapter(merchantId: string): { openOrderConfirm: WeappAdapter['openOrderConfirm']; open: jest.Mock } {
    const saved = process.env.TARO_APP_WECHATPAY_MCHID
    process.env.TARO_APP_WECHATPAY_MCHID = merchantId
    const open = jest.fn()
    let loaded: WeappAdapter | undefined
    jest.isolateModules(() => {
      ;(jest.requireActual('@tarojs/taro') as { default: { openBusinessView?: jest.Mock } }).default.openBusinessView =
        open
      loaded = jest.requireActual<WeappAdapter>('@/services/wechat/index.weapp')
    })
    if (saved === undefined) delete process.env.TARO_APP_WECHATPAY_MCHID
    else process.env.TARO_APP_WECHATPAY_MCHID = saved
    return { openOrderConfirm: loaded!.openOrderConfirm, open }
  }

  it('opens weappOrderConfirm with the merchant id and out_trade_no; its answer is not taken as receipt', async () => {
    const { openOrderConfirm, open } = adapter('1230000109')
    open.mockResolvedValueOnce({ errMsg: 'openBusinessView:ok' }).mockRejectedValueOnce({ errMsg: 'fail' })
    await expect(openOrderConfirm({ outTradeNo: 'BC20261207000001' })).resolves.toBe('opened')
    expect(open).toHaveBeenCalledWith({
      businessType: 'weappOrderConfirm',
      extraData: { merchant_id: '1230000109', merchant_trade_no: 'BC20261207000001' },
    })
    await expect(openOrderConfirm({ outTradeNo: 'BC20261207000001' })).resolves.toBe('fail')
  })

  it('without a merchant id the component cannot find the order: the server is asked directly', async () => {
    const { openOrderConfirm, open } = adapter('')
    await expect(openOrderConfirm({ outTradeNo: 'BC20261207000001' })).resolves.toBe('unavailable')
    expect(open).not.toHaveBeenCalled()
  })
})
