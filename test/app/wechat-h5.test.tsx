import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { AvatarButton, getLoginCode, PhoneNumberButton, SIM_USER_KEY, simulatorUser } from '@/services/wechat/index.h5'
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
    ;(Taro.chooseMedia as jest.Mock).mockResolvedValueOnce({ tempFiles: [{ tempFilePath: 'blob:avatar' }] })
    const onChoose = jest.fn()
    render(<AvatarButton onChoose={onChoose}>更换</AvatarButton>)
    await act(async () => void fireEvent.click(screen.getByText('更换')))
    expect(Taro.chooseMedia).toHaveBeenCalledWith({ count: 1, mediaType: ['image'], sourceType: ['album'] })
    expect(onChoose).toHaveBeenCalledWith('blob:avatar')
  })
})
