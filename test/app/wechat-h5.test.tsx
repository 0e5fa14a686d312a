import { act, fireEvent, render, screen, within } from '@testing-library/react'
import Taro from '@tarojs/taro'
import {
  AvatarButton,
  getLoginCode,
  getPlatform,
  PhoneNumberButton,
  requestPayment,
  requestVirtualPayment,
  SIM_USER_KEY,
  simulatorUser,
} from '@/services/wechat/index.h5'
import { resetTaroMock } from './mocks/taro'

/** The H5 adapter against a scripted simulator phone side (fetch). */
const fetchMock = jest.fn()
const posted = () =>
  fetchMock.mock.calls.map(([url, init]: [string, { body: string }]) => ({ url, body: JSON.parse(init.body) }))

function simulatorAnswers(...codes: string[]) {
  for (const code of codes) {
    fetchMock.mockResolvedValueOnce({ ok: true, status: 200, json: () => Promise.resolve({ code }) })
  }
}

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  window.localStorage.clear()
  window.history.replaceState(null, '', '/')
  ;(globalThis as { fetch?: unknown }).fetch = fetchMock
})

describe('H5 WeChat adapter', () => {
  it('gives each browser one stable test user', () => {
    const user = simulatorUser()
    expect(user).toMatch(/^h5-reader-[a-z0-9]+$/)
    expect(simulatorUser()).toBe(user)
    expect(window.localStorage.getItem(SIM_USER_KEY)).toBe(user)
  })

  it('takes the user from ?wxuser= (before the hash or in the route) and keeps it', () => {
    window.history.replaceState(null, '', '/?wxuser=alice#/pages/me/index')
    expect(simulatorUser()).toBe('alice')
    window.history.replaceState(null, '', '/#/pages/me/index?wxuser=bob')
    expect(simulatorUser()).toBe('bob')
    window.history.replaceState(null, '', '/')
    expect(simulatorUser()).toBe('bob')
  })

  it("gets a login code from the simulator's phone side", async () => {
    window.history.replaceState(null, '', '/?wxuser=alice')
    simulatorAnswers('sim-code-1')
    await expect(getLoginCode()).resolves.toBe('sim-code-1')
    expect(posted()).toEqual([{ url: 'http://localhost:3100/__phone/login', body: { user: 'alice' } }])
  })

  it('fails plainly when the simulator is not running', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    await expect(getLoginCode()).rejects.toThrow('Failed to fetch')
  })

  it('stands in for the phone sheet: the typed number becomes a code', async () => {
    window.history.replaceState(null, '', '/?wxuser=alice')
    const onCode = jest.fn()
    const onCancel = jest.fn()
    const { container } = render(
      <PhoneNumberButton onCode={onCode} onCancel={onCancel}>
        绑定手机号
      </PhoneNumberButton>,
    )
    fireEvent.click(screen.getByText('绑定手机号'))
    expect(screen.getByRole('dialog').textContent).toContain('申请获取并验证你的手机号')

    const input = container.querySelector('.wx-sheet-input') as HTMLInputElement
    fireEvent.change(input, { target: { value: '1391234' } })
    fireEvent.click(screen.getByText('允许'))
    expect(screen.getByText('请输入11位手机号')).toBeTruthy()
    expect(fetchMock).not.toHaveBeenCalled()

    simulatorAnswers('phone-code-1')
    fireEvent.change(input, { target: { value: '13912345678' } })
    await act(async () => void fireEvent.click(screen.getByText('允许')))
    expect(posted()).toEqual([
      {
        url: 'http://localhost:3100/__phone/phone-number',
        body: { user: 'alice', phoneNumber: '13912345678' },
      },
    ])
    expect(onCode).toHaveBeenCalledWith('phone-code-1')
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(onCancel).not.toHaveBeenCalled()
  })

  it('不允许 is a declined sheet, as in WeChat', () => {
    const onCancel = jest.fn()
    render(
      <PhoneNumberButton onCode={jest.fn()} onCancel={onCancel}>
        绑定手机号
      </PhoneNumberButton>,
    )
    fireEvent.click(screen.getByText('绑定手机号'))
    fireEvent.click(screen.getByText('不允许'))
    expect(onCancel).toHaveBeenCalledWith('getPhoneNumber:fail user deny')
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('picks the avatar with the browser file picker', async () => {
    ;(Taro.chooseMedia as jest.Mock).mockResolvedValueOnce({
      tempFiles: [{ tempFilePath: 'blob:avatar', size: 2048, fileType: 'application/pdf' }],
    })
    const onChoose = jest.fn()
    render(<AvatarButton onChoose={onChoose}>更换</AvatarButton>)
    await act(async () => void fireEvent.click(screen.getByText('更换')))
    expect(Taro.chooseMedia).toHaveBeenCalledWith({ count: 1, mediaType: ['image'], sourceType: ['album'] })
    // The browser may let any file through: its size and type go along, for the page to check.
    expect(onChoose).toHaveBeenCalledWith('blob:avatar', { size: 2048, type: 'application/pdf' })
  })

  it('is the h5 platform', () => {
    expect(getPlatform()).toBe('h5')
  })
})

describe('H5 WeChat adapter: the stand-in cashier', () => {
  const SIGN_DATA = JSON.stringify({ offerId: '1450000001', goodsPrice: 4800, outTradeNo: 'VIP1' })
  const XPAY = { mode: 'short_series_goods' as const, signData: SIGN_DATA, paySig: 'ps', signature: 'sig' }
  const JSAPI = {
    timeStamp: '1767225600',
    nonceStr: 'n',
    package: 'prepay_id=wx1',
    signType: 'RSA' as const,
    paySign: 'p',
  }

  function simulatorSays(answer: unknown, status = 200) {
    fetchMock.mockResolvedValueOnce({ ok: status < 300, status, json: () => Promise.resolve(answer) })
  }

  /** Calls the adapter (which mounts the sheet: a React update, so inside act). */
  function open<T>(call: () => Promise<T>): Promise<T> {
    let pending: Promise<T> | undefined
    act(() => {
      pending = call()
    })
    return pending as Promise<T>
  }

  /** Taps `button` on the open sheet, and resolves with the adapter's result. */
  async function tap(pending: Promise<unknown>, button: string) {
    const dialog = await screen.findByRole('dialog', { name: '微信支付' })
    await act(async () => void fireEvent.click(within(dialog).getByText(button)))
    let result: unknown
    await act(async () => {
      result = await pending
    })
    expect(screen.queryByRole('dialog')).toBeNull()
    return result
  }

  it('virtual payment: shows the signed amount; 确认支付 pays through the simulator as this test user', async () => {
    window.history.replaceState(null, '', '/?wxuser=alice')
    simulatorSays({ errMsg: 'requestVirtualPayment:ok' })
    const pending = open(() => requestVirtualPayment(XPAY, { amountFen: 4800, title: '北辰遴选VIP会员·半年' }))
    const dialog = await screen.findByRole('dialog', { name: '微信支付' })
    expect(dialog.textContent).toContain('¥48.00')
    expect(dialog.textContent).toContain('北辰遴选VIP会员·半年')
    expect(await tap(pending, '确认支付')).toEqual({ outcome: 'ok', errMsg: 'requestVirtualPayment:ok', message: '' })
    expect(posted()).toEqual([
      {
        url: 'http://localhost:3100/__phone/xpay/pay',
        body: {
          user: 'alice',
          signData: SIGN_DATA,
          paySig: 'ps',
          signature: 'sig',
          mode: 'short_series_goods',
          action: 'confirm',
        },
      },
    ])
  })

  it('取消 tells the simulator and is a cancel', async () => {
    simulatorSays({ errMsg: 'requestVirtualPayment:fail cancel', errCode: -2 })
    const result = await tap(
      open(() => requestVirtualPayment(XPAY)),
      '取消',
    )
    expect(result).toMatchObject({ outcome: 'cancel', errCode: -2, message: '已取消支付' })
    expect(posted()[0].body.action).toBe('cancel')
  })

  it('WeChat Pay: the order amount, and 模拟失败 through the cashier', async () => {
    simulatorSays({ errMsg: 'requestPayment:fail' })
    const pending = open(() => requestPayment(JSAPI, { amountFen: 6800, title: '北辰遴选VIP会员·1年' }))
    expect((await screen.findByRole('dialog')).textContent).toContain('¥68.00')
    expect(await tap(pending, '模拟失败')).toMatchObject({ outcome: 'fail', message: '支付失败，请重试' })
    expect(posted()).toEqual([
      {
        url: 'http://localhost:3100/__phone/pay/jsapi',
        body: { ...JSAPI, action: 'fail', user: simulatorUser() },
      },
    ])
  })

  it('a simulator that does not answer, or refuses, is a failure', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    expect(
      await tap(
        open(() => requestPayment(JSAPI)),
        '确认支付',
      ),
    ).toMatchObject({ outcome: 'fail' })
    simulatorSays({ statusCode: 400, message: 'WeChat Pay is not configured' }, 400)
    expect(
      await tap(
        open(() => requestPayment(JSAPI)),
        '确认支付',
      ),
    ).toMatchObject({ outcome: 'fail' })
  })
})
