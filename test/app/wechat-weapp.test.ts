import Taro from '@tarojs/taro'
import { paymentResult } from '@/services/wechat/payment-result'
import { getPlatform, requestPayment, requestVirtualPayment, watchForUpdates } from '@/services/wechat/index.weapp'

/** The mini-program adapter's payment calls, with WeChat's `wx` and Taro stubbed. */
const XPAY = { mode: 'short_series_goods' as const, signData: '{"goodsPrice":4800}', paySig: 'ps', signature: 'sig' }
const JSAPI = {
  timeStamp: '1767225600',
  nonceStr: 'n',
  package: 'prepay_id=wx1',
  signType: 'RSA' as const,
  paySign: 'p',
}
const UPGRADE = '当前微信版本暂不支持购买，请升级到最新版微信（iOS需15及以上）'

type WxOptions = { success: (res: unknown) => void; fail: (res: unknown) => void }
const wxPay = jest.fn<void, [WxOptions]>()

beforeEach(() => {
  jest.clearAllMocks()
  ;(globalThis as { wx?: unknown }).wx = { requestVirtualPayment: wxPay }
})

afterAll(() => {
  delete (globalThis as { wx?: unknown }).wx
})

describe('weapp adapter: payments', () => {
  it('calls wx.requestVirtualPayment with exactly what the server signed', async () => {
    wxPay.mockImplementation((options) => options.success({ errMsg: 'requestVirtualPayment:ok' }))
    await expect(requestVirtualPayment(XPAY)).resolves.toEqual({
      outcome: 'ok',
      errMsg: 'requestVirtualPayment:ok',
      message: '',
    })
    const { success, fail, ...params } = wxPay.mock.calls[0][0]
    expect(params).toEqual(XPAY)
    expect(typeof success).toBe('function')
    expect(typeof fail).toBe('function')
  })

  it('maps cancel, failure and INVALID_PLATFORM', async () => {
    wxPay.mockImplementationOnce((options) =>
      options.fail({ errMsg: 'requestVirtualPayment:fail cancel', errCode: -2 }),
    )
    await expect(requestVirtualPayment(XPAY)).resolves.toMatchObject({ outcome: 'cancel', message: '已取消支付' })
    wxPay.mockImplementationOnce((options) =>
      options.fail({ errMsg: 'requestVirtualPayment:fail SIGNATURE_INVALID', errCode: -15005 }),
    )
    await expect(requestVirtualPayment(XPAY)).resolves.toMatchObject({
      outcome: 'fail',
      errCode: -15005,
      message: '支付失败，请重试',
    })
    wxPay.mockImplementationOnce((options) =>
      options.fail({ errMsg: 'requestVirtualPayment:fail INVALID_PLATFORM', errCode: -1 }),
    )
    await expect(requestVirtualPayment(XPAY)).resolves.toMatchObject({ outcome: 'fail', message: UPGRADE })
  })

  it('a WeChat without the API (base library < 2.19.2) is told to upgrade', async () => {
    ;(globalThis as { wx?: unknown }).wx = {}
    await expect(requestVirtualPayment(XPAY)).resolves.toMatchObject({ outcome: 'fail', message: UPGRADE })
  })

  it('calls Taro.requestPayment and maps its rejection', async () => {
    ;(Taro.requestPayment as jest.Mock).mockRejectedValueOnce({ errMsg: 'requestPayment:fail cancel' })
    await expect(requestPayment(JSAPI)).resolves.toMatchObject({ outcome: 'cancel' })
    expect(Taro.requestPayment).toHaveBeenCalledWith(JSAPI)
    ;(Taro.requestPayment as jest.Mock).mockResolvedValueOnce({ errMsg: 'requestPayment:ok' })
    await expect(requestPayment(JSAPI)).resolves.toMatchObject({ outcome: 'ok' })
    ;(Taro.requestPayment as jest.Mock).mockRejectedValueOnce({ errMsg: 'requestPayment:fail 支付验证签名失败' })
    await expect(requestPayment(JSAPI)).resolves.toMatchObject({ outcome: 'fail', message: '支付失败，请重试' })
  })
})

describe('weapp adapter: platform', () => {
  it('reads wx.getDeviceInfo, else getSystemInfoSync; unknown names are other', () => {
    ;(Taro.getDeviceInfo as jest.Mock).mockReturnValueOnce({ platform: 'ios' })
    expect(getPlatform()).toBe('ios')
    const getDeviceInfo = Taro.getDeviceInfo
    ;(Taro as { getDeviceInfo?: unknown }).getDeviceInfo = undefined
    try {
      ;(Taro.getSystemInfoSync as jest.Mock).mockReturnValueOnce({ platform: 'devtools' })
      expect(getPlatform()).toBe('devtools')
      ;(Taro.getSystemInfoSync as jest.Mock).mockReturnValueOnce({ platform: 'symbian' })
      expect(getPlatform()).toBe('other')
      ;(Taro.getSystemInfoSync as jest.Mock).mockImplementationOnce(() => {
        throw new Error('no')
      })
      expect(getPlatform()).toBe('other')
    } finally {
      ;(Taro as { getDeviceInfo?: unknown }).getDeviceInfo = getDeviceInfo
    }
  })
})

describe('paymentResult', () => {
  it('reduces every answer to ok, cancel or fail', () => {
    expect(paymentResult({ errMsg: 'requestPayment:ok' }).outcome).toBe('ok')
    expect(paymentResult({ errMsg: 'requestVirtualPayment:fail', errCode: -2 }).outcome).toBe('cancel')
    expect(paymentResult({ errMsg: 'requestPayment:fail cancel' }).outcome).toBe('cancel')
    expect(paymentResult({ errMsg: 'requestVirtualPayment:fail', errno: -1 })).toMatchObject({
      outcome: 'fail',
      errCode: -1,
    })
    expect(paymentResult(new Error('boom'))).toMatchObject({ outcome: 'fail', errMsg: 'boom' })
    expect(paymentResult(undefined)).toMatchObject({ outcome: 'fail', errMsg: 'payment:fail' })
  })
})

describe('weapp adapter: new versions', () => {
  afterEach(() => {
    delete (Taro as { getUpdateManager?: unknown }).getUpdateManager
  })

  it('asks to restart once WeChat has the new version, and restarts only if the reader agrees', async () => {
    let ready: () => void = () => undefined
    const manager = { onUpdateReady: jest.fn((callback: () => void) => (ready = callback)), applyUpdate: jest.fn() }
    ;(Taro as { getUpdateManager?: unknown }).getUpdateManager = () => manager
    const showModal = Taro.showModal as jest.Mock
    watchForUpdates()
    expect(showModal).not.toHaveBeenCalled()

    showModal.mockResolvedValueOnce({ confirm: false, cancel: true })
    ready()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(showModal.mock.calls[0][0]).toMatchObject({ title: '发现新版本', confirmText: '重启' })
    expect(manager.applyUpdate).not.toHaveBeenCalled()

    showModal.mockResolvedValueOnce({ confirm: true, cancel: false })
    ready()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(manager.applyUpdate).toHaveBeenCalledTimes(1)
  })

  it('does nothing on a WeChat without the update manager', () => {
    expect(() => watchForUpdates()).not.toThrow()
  })
})
