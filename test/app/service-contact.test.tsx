import { act, fireEvent, render, screen } from '@testing-library/react'
import type { ReactElement } from 'react'
import Taro from '@tarojs/taro'
import OfficialAccountFollow from '@/components/OfficialAccountFollow'
import ServiceContact from '@/components/ServiceContact'
import PdfDownload from '@/subpackages/article/components/PdfDownload'
import { resetSession, setMe } from '@/store/session'
import { answers, CONTACTS, fakeApi, type FakeApi } from './fake-api'
import { me } from './fixtures'
import { fireTaroEvent } from './mocks/taro-components'
import { resetTaroMock, storage } from './mocks/taro'

let api: FakeApi
const env = process.env as Record<string, string | undefined>

async function show(element: ReactElement) {
  const view = render(element)
  await act(async () => undefined)
  return view
}

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  delete env.TARO_ENV
  api = fakeApi()
})
afterAll(() => {
  delete env.TARO_ENV
})

describe('ServiceContact', () => {
  it('in WeChat: 在线客服 with the question as its card, and the service line dialled on a tap', async () => {
    env.TARO_ENV = 'weapp'
    const { container } = await show(<ServiceContact topic='订单咨询 VIP20261127000005' lead='订单如有疑问' />)
    const chat = container.querySelector('[data-open-type="contact"]') as HTMLElement
    expect(chat.textContent).toBe('在线客服')
    expect(chat.getAttribute('data-send-message-title')).toBe('订单咨询 VIP20261127000005')
    expect(chat.getAttribute('data-show-message-card')).toBe('true')
    fireEvent.click(screen.getByText('订单如有疑问，请联系客服 400-1788-950（09:00—21:30）'))
    expect(Taro.makePhoneCall).toHaveBeenCalledWith({ phoneNumber: '4001788950' })
  })

  it('in a browser: no chat, and the number is copied rather than dialled', async () => {
    const { container } = await show(<ServiceContact />)
    expect(container.querySelector('[data-open-type="contact"]')).toBeNull()
    fireEvent.click(screen.getByText('如有疑问，请联系客服 400-1788-950（09:00—21:30）'))
    await act(async () => undefined)
    expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: '400-1788-950' })
    expect(Taro.makePhoneCall).not.toHaveBeenCalled()
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '已复制 400-1788-950', icon: 'none' })
  })

  it('shows the line the server sends (an operator setting), not a built-in one', async () => {
    api.route(
      'GET /api/contacts',
      answers.ok({ ...CONTACTS, service: { phone: '400-000-1234', hours: '08:00—20:00' } }),
    )
    await show(<ServiceContact />)
    expect(screen.getByText('如有疑问，请联系客服 400-000-1234（08:00—20:00）')).toBeTruthy()
  })
})

describe('OfficialAccountFollow', () => {
  const withQr = { ...CONTACTS, officialAccount: { name: '北辰遴选', qrUrl: '/api/contacts/official-account-qr?v=7' } }

  it('most launches: a 关注公众号 card with the name to copy and the QR image from the API', async () => {
    env.TARO_ENV = 'weapp'
    api.route('GET /api/contacts', answers.ok(withQr))
    const { container } = await show(<OfficialAccountFollow />)
    expect(container.querySelector('[data-taro="OfficialAccount"]')).toBeNull()
    const card = screen.getByRole('region', { name: '关注公众号' })
    expect(card.textContent).toContain('北辰遴选')
    const qr = card.querySelector('img') as HTMLImageElement
    expect(qr.getAttribute('data-src')).toBe('http://localhost:3000/api/contacts/official-account-qr?v=7')
    fireEvent.click(screen.getByText('复制公众号名称'))
    await act(async () => undefined)
    expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: '北辰遴选' })
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已复制“北辰遴选”，请到微信搜索' }))
  })

  it('without an uploaded QR: the name only', async () => {
    api.route('GET /api/contacts', answers.ok({ ...CONTACTS, officialAccount: { name: '北辰遴选', qrUrl: null } }))
    const { container } = await show(<OfficialAccountFollow />)
    expect(screen.getByRole('region', { name: '关注公众号' })).toBeTruthy()
    expect(container.querySelector('img')).toBeNull()
  })

  it.each([1011, 1017, 1025, 1047, 1124])(
    'launched from scene %i: WeChat’s own follow bar, falling back to the card when it fails',
    async (scene) => {
      env.TARO_ENV = 'weapp'
      ;(Taro.getLaunchOptionsSync as jest.Mock).mockReturnValue({ scene, path: '', query: {} })
      const { container } = await show(<OfficialAccountFollow />)
      const bar = container.querySelector('[data-taro="OfficialAccount"]')
      expect(bar).not.toBeNull()
      expect(screen.queryByRole('region', { name: '关注公众号' })).toBeNull()
      act(() => void fireTaroEvent(bar as Element, 'onError', { status: 5 }))
      expect(container.querySelector('[data-taro="OfficialAccount"]')).toBeNull()
      expect(screen.getByRole('region', { name: '关注公众号' })).toBeTruthy()
      ;(Taro.getLaunchOptionsSync as jest.Mock).mockReturnValue({ scene: 1001, path: '', query: {} })
    },
  )
})

describe('下载PDF without VIP', () => {
  const taro = Taro as unknown as Record<string, jest.Mock>
  it('says PDF下载为VIP专享 before it opens 开通会员', async () => {
    const downloadFile = jest.fn(() => Promise.resolve({ statusCode: 403, tempFilePath: 'wxfile://tmp/403' }))
    const readFileSync = jest.fn(() => JSON.stringify({ error: { code: 'VIP_REQUIRED', message: 'vip' } }))
    Object.assign(taro, { downloadFile, openDocument: jest.fn(), getFileSystemManager: () => ({ readFileSync }) })
    storage.set('token', 'reader-token')
    act(() => setMe(me()))
    ;(Taro.showModal as jest.Mock).mockResolvedValueOnce({ confirm: false, cancel: true })
    render(<PdfDownload issue={{ id: 32, region: { code: 'shanxi', name: '山西' }, number: 32, title: '题' }} />)
    fireEvent.click(screen.getByRole('button', { name: '下载PDF' }))
    await act(async () => undefined)
    await act(async () => undefined)
    expect(Taro.showModal).toHaveBeenCalledWith(
      expect.objectContaining({ title: 'PDF下载为VIP专享', confirmText: '开通会员' }),
    )
    // Declined: the reader stays on the article.
    expect(Taro.navigateTo).not.toHaveBeenCalled()
  })
})
