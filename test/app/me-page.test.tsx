import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro from '@tarojs/taro'
import MePage, { avatarProblem } from '@/pages/me/index'
import { watchPrivacyAuthorization, resetPrivacy } from '@/services/privacy'
import { getSession, resetSession, setMe, startSession } from '@/store/session'
import { answers, CONTACTS, fakeApi, type FakeApi } from './fake-api'
import { me } from './fixtures'
import { fireTaroEvent } from './mocks/taro-components'
import { fire, resetTaroMock, storage } from './mocks/taro'
import type { Me } from '@/services/api'

const showToast = Taro.showToast as jest.Mock
const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)))

let api: FakeApi

/** Opens 我的 for a reader with a stored session, or signed out when `reader` is null. */
async function openAs(reader: Me | null) {
  if (reader) {
    storage.set('token', 'tok')
    api.route('GET /api/me', answers.ok(reader))
  } else {
    storage.set('signedOut', '1')
  }
  startSession()
  const view = render(<MePage />)
  await settle()
  return view
}

const text = (container: HTMLElement) => container.textContent ?? ''
const lastToast = () => (showToast.mock.calls.at(-1)?.[0] as { title?: string } | undefined)?.title

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  resetPrivacy()
  delete (process.env as Record<string, string | undefined>).TARO_ENV
  ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1001 })
  api = fakeApi()
})

describe('我的: what a reader sees', () => {
  it('signed out: 未登录 and a 微信一键登录 button that signs in', async () => {
    const { container } = await openAs(null)
    expect(text(container)).toContain('未登录')
    expect(text(container)).not.toContain('退出登录')
    expect(text(container)).toContain('查看会员方案')
    // What signing in agrees to, beside the button, each document a tap away.
    expect(container.querySelector('.login-consent')?.textContent).toBe('登录即同意《用户协议》和《隐私政策》')
    fireEvent.click(screen.getAllByText('《隐私政策》')[0])
    expect(Taro.navigateTo).toHaveBeenLastCalledWith({ url: '/subpackages/legal/pages/privacy' })

    api.route(
      'POST /api/auth/login',
      answers.ok({ token: 'tok-new', expiresAt: '2030-01-01T00:00:00Z', me: me({ nickname: '新读者' }) }),
    )
    fireEvent.click(screen.getByText('微信一键登录'))
    await settle()
    expect(Taro.login).toHaveBeenCalledTimes(1)
    expect(text(container)).toContain('新读者')
    expect(text(container)).toContain('退出登录')
    expect(storage.get('token')).toBe('tok-new')
  })

  it('signed in without VIP or phone: the default name, 未开通, a bind button and the service line', async () => {
    const { container } = await openAs(me())
    expect(text(container)).toContain('微信用户')
    expect(text(container)).toContain('未开通')
    expect(screen.getByText('绑定手机号')).toBeTruthy()
    expect(text(container)).toContain('绑定手机号后，可同步北辰遴选网站的会员权益')
    expect(text(container)).toContain('400-1788-950（09:00—21:30）')
    // A browser cannot dial: the H5 preview copies the number.
    fireEvent.click(screen.getByText('客服电话'))
    expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: '400-1788-950' })
    expect(Taro.makePhoneCall).not.toHaveBeenCalled()
  })

  it('ends with the publisher’s taglines and the version', async () => {
    process.env.TARO_APP_VERSION = '1.2.3'
    try {
      const { container } = await openAs(null)
      expect(container.querySelector('.me-about')?.textContent).toBe(
        '北辰遴选做中国遴选学习平台 · 专注于遴选考试培训漫漫遴选路，北辰永相随版本 1.2.3',
      )
    } finally {
      delete (process.env as Record<string, string | undefined>).TARO_APP_VERSION
    }
  })

  it('联系我们 as the server lists it: calls, names copied with where to search, the 视频号 opened in WeChat', async () => {
    api.route(
      'GET /api/contacts',
      answers.ok({ ...CONTACTS, channels: { name: '北辰遴选', finderUserName: 'sphAbc' } }),
    )
    await openAs(me())
    fireEvent.click(screen.getByText('商务合作'))
    expect(Taro.setClipboardData).toHaveBeenLastCalledWith({ data: '18674025063' })
    fireEvent.click(screen.getByText('微信公众号'))
    await settle()
    expect(Taro.setClipboardData).toHaveBeenLastCalledWith({ data: '北辰遴选' })
    expect(lastToast()).toBe('已复制“北辰遴选”，请到微信搜索')
    fireEvent.click(screen.getByText('视频号'))
    await settle()
    // Not in the mini-program: the name is copied instead.
    expect(Taro.openChannelsUserProfile).not.toHaveBeenCalled()
    expect(lastToast()).toBe('已复制“北辰遴选”，请到微信视频号搜索')

    process.env.TARO_ENV = 'weapp'
    fireEvent.click(screen.getByText('视频号'))
    expect(Taro.openChannelsUserProfile).toHaveBeenCalledWith({ finderUserName: 'sphAbc' })
    fireEvent.click(screen.getByText('商务合作'))
    expect(Taro.makePhoneCall).toHaveBeenLastCalledWith({ phoneNumber: '18674025063' })
  })

  it('a VIP member: the badge and the expiry as a Beijing date', async () => {
    // 2027-06-30 23:59:59 in Beijing is 15:59:59 UTC
    const { container } = await openAs(
      me({ nickname: '苏同学', membership: { active: true, expiresAt: '2027-06-30T15:59:59.999Z' } }),
    )
    expect(text(container)).toContain('苏同学')
    expect(text(container)).toContain('有效期至 2027-06-30')
    expect(container.querySelector('.me-vip')?.textContent).toBe('VIP')
  })

  it('an expired member: when it ended', async () => {
    const { container } = await openAs(me({ membership: { active: false, expiresAt: '2025-01-01T03:00:00.000Z' } }))
    expect(text(container)).toContain('已于 2025-01-01 到期')
  })

  it('after a purchase (elsewhere): the new expiry at once, and reloaded on every return to the tab', async () => {
    const { container } = await openAs(me())
    expect(text(container)).toContain('未开通')
    // usePurchase reloads `me` once the order is fulfilled: the page follows the session.
    act(() => setMe(me({ membership: { active: true, expiresAt: '2027-06-30T15:59:59.999Z' } })))
    expect(text(container)).toContain('有效期至 2027-06-30')

    api.route('GET /api/me', answers.ok(me({ membership: { active: true, expiresAt: '2028-06-30T15:59:59.999Z' } })))
    act(() => void fire('useDidShow'))
    act(() => void fire('useDidShow'))
    await settle()
    expect(text(container)).toContain('有效期至 2028-06-30')
  })

  it('a bound phone: the masked number once, in a row called 手机号, and no bind button', async () => {
    const { container } = await openAs(me({ phone: '138****8000' }))
    expect(text(container)).toContain('手机号已绑定 138****8000')
    expect(text(container).split('138****8000')).toHaveLength(2)
    expect(text(container)).not.toContain('完善用户信息')
    expect(screen.queryByText('绑定手机号')).toBeNull()
  })

  it('the avatar from the API base, and the links to orders and the legal pages', async () => {
    const { container } = await openAs(me({ avatarUrl: '/api/media/avatars/7-0123456789abcdef.png' }))
    expect(container.querySelector('img.me-avatar-image')?.getAttribute('data-src')).toBe(
      'http://localhost:3000/api/media/avatars/7-0123456789abcdef.png',
    )
    fireEvent.click(screen.getByText('我的订单'))
    fireEvent.click(screen.getByText('用户协议'))
    fireEvent.click(screen.getByText('隐私政策'))
    expect((Taro.navigateTo as jest.Mock).mock.calls.map(([options]) => options.url)).toEqual([
      '/subpackages/orders/pages/index',
      '/subpackages/legal/pages/agreement',
      '/subpackages/legal/pages/privacy',
    ])
  })

  it('in the mini-program: open-type contact; WeChat’s follow bar after a scanned code, else the 关注公众号 card', async () => {
    const follow = (container: HTMLElement) => container.querySelector('[aria-label="关注公众号"]')
    const h5 = await openAs(me())
    expect(h5.container.querySelector('[data-open-type="contact"]')).toBeNull()
    expect(h5.container.querySelector('[data-taro="OfficialAccount"]')).toBeNull()
    expect(follow(h5.container)).not.toBeNull()
    h5.unmount()

    resetSession()
    process.env.TARO_ENV = 'weapp'
    const chat = await openAs(me())
    expect(chat.container.querySelector('[data-open-type="contact"]')?.textContent).toContain('在线客服')
    expect(chat.container.querySelector('[data-taro="OfficialAccount"]')).toBeNull()
    expect(follow(chat.container)).not.toBeNull()
    chat.unmount()

    resetSession()
    ;(Taro.getLaunchOptionsSync as jest.Mock).mockReturnValue({ scene: 1047, path: '', query: {} })
    try {
      const scanned = await openAs(me())
      expect(scanned.container.querySelector('[data-taro="OfficialAccount"]')).not.toBeNull()
      expect(follow(scanned.container)).toBeNull()
    } finally {
      ;(Taro.getLaunchOptionsSync as jest.Mock).mockReturnValue({ scene: 1001, path: '', query: {} })
    }
  })
})

describe('我的: profile', () => {
  it('saves the nickname from the form on submit', async () => {
    const { container } = await openAs(me())
    api.route('PATCH /api/me', answers.ok(me({ nickname: '备考人' })))
    const input = container.querySelector('input[name="nickname"]') as HTMLInputElement
    expect(input.getAttribute('data-type')).toBe('nickname')
    fireEvent.change(input, { target: { value: ' 备考人 ' } })
    fireEvent.click(screen.getByText('保存'))
    await settle()
    expect(api.calls.at(-1)).toMatchObject({ method: 'PATCH', path: '/api/me', data: { nickname: '备考人' } })
    expect(container.querySelector('.me-name')?.textContent).toBe('备考人')
    expect(lastToast()).toBe('昵称已保存')
  })

  it('in the mini-program, submits the form and trusts its value: WeChat may clear a nickname on blur', async () => {
    process.env.TARO_ENV = 'weapp'
    const { container } = await openAs(me())
    const input = container.querySelector('input[name="nickname"]') as HTMLInputElement
    expect(screen.getByText('保存').getAttribute('type')).toBe('submit')
    fireEvent.change(input, { target: { value: '违规昵称' } })
    input.value = '' // WeChat's check failed and emptied the field, without an input event
    fireEvent.click(screen.getByText('保存'))
    await settle()
    expect(api.count('PATCH /api/me')).toBe(0)
    expect(lastToast()).toBe('请输入昵称')

    api.route('PATCH /api/me', answers.ok(me({ nickname: '微信昵称' })))
    input.value = '微信昵称' // picked from WeChat's nickname suggestion, again without an input event
    fireEvent.click(screen.getByText('保存'))
    await settle()
    expect(api.calls.at(-1)).toMatchObject({ method: 'PATCH', data: { nickname: '微信昵称' } })
  })

  it('says when WeChat rejected the nickname', async () => {
    const { container } = await openAs(me())
    api.route('PATCH /api/me', answers.error(400, 'NICKNAME_REJECTED'))
    fireEvent.change(container.querySelector('input[name="nickname"]')!, { target: { value: '违禁词' } })
    fireEvent.click(screen.getByText('保存'))
    await settle()
    expect(lastToast()).toBe('该昵称未通过微信内容安全检测，请换一个')
    expect(container.querySelector('.me-name')?.textContent).toBe('微信用户')
  })

  it('offers 保存 only once the nickname changed, and never sends an empty one', async () => {
    const { container } = await openAs(me({ nickname: '苏同学' }))
    const save = screen.getByText('保存')
    const input = container.querySelector('input[name="nickname"]')!
    expect(save.hasAttribute('disabled')).toBe(true)
    fireEvent.change(input, { target: { value: ' 苏同学 ' } })
    expect(save.hasAttribute('disabled')).toBe(true)
    fireEvent.change(input, { target: { value: '苏同学2' } })
    expect(save.hasAttribute('disabled')).toBe(false)

    fireEvent.change(input, { target: { value: '   ' } })
    fireEvent.click(save)
    await settle()
    expect(api.count('PATCH /api/me')).toBe(0)
    expect(lastToast()).toBe('请输入昵称')
  })

  it('uploads the chosen avatar with uploadFile (POST) and shows it', async () => {
    const { container } = await openAs(me())
    api.route('POST /api/me/avatar', answers.ok(me({ avatarUrl: '/api/media/avatars/7-aaaaaaaaaaaaaaaa.jpg' })))
    const button = container.querySelector('[data-open-type="chooseAvatar"]')!
    await act(async () => void fireTaroEvent(button, 'onChooseAvatar', { avatarUrl: 'wxfile://tmp/avatar.jpg' }))
    await settle()
    const [options] = (Taro.uploadFile as jest.Mock).mock.calls[0]
    expect(options).toMatchObject({
      url: 'http://localhost:3000/api/me/avatar',
      filePath: 'wxfile://tmp/avatar.jpg',
      name: 'file',
      header: { Authorization: 'Bearer tok' },
    })
    expect(container.querySelector('img.me-avatar-image')?.getAttribute('data-src')).toBe(
      'http://localhost:3000/api/media/avatars/7-aaaaaaaaaaaaaaaa.jpg',
    )
  })

  it('refuses a file that is no image, or over 2 MB, before uploading it', async () => {
    const { container } = await openAs(me())
    const button = container.querySelector('[data-open-type="chooseAvatar"]')!
    const sizes = new Map([
      ['wxfile://tmp/notes.pdf', 1000],
      ['wxfile://tmp/huge.png', 3 * 1024 * 1024],
    ])
    ;(Taro as { getFileSystemManager?: unknown }).getFileSystemManager = () => ({
      getFileInfo: ({ filePath, success }: { filePath: string; success: (info: { size: number }) => void }) =>
        success({ size: sizes.get(filePath) ?? 1000 }),
    })
    try {
      await act(async () => void fireTaroEvent(button, 'onChooseAvatar', { avatarUrl: 'wxfile://tmp/notes.pdf' }))
      expect(lastToast()).toBe('仅支持JPG、PNG或WebP格式的图片')
      await act(async () => void fireTaroEvent(button, 'onChooseAvatar', { avatarUrl: 'wxfile://tmp/huge.png' }))
      expect(lastToast()).toBe('图片不能超过2MB，请换一张')
      expect(Taro.uploadFile).not.toHaveBeenCalled()
    } finally {
      delete (Taro as { getFileSystemManager?: unknown }).getFileSystemManager
    }
    expect(avatarProblem('blob:http://localhost/1', { size: 10, type: 'application/pdf' })).toBe(
      '仅支持JPG、PNG或WebP格式的图片',
    )
    expect(avatarProblem('blob:http://localhost/1', { size: 10, type: 'image/webp' })).toBeNull()
    expect(avatarProblem('wxfile://tmp/tmp_abc', {})).toBeNull()
  })

  it('explains an avatar the server refused', async () => {
    const { container } = await openAs(me())
    api.route('POST /api/me/avatar', answers.error(413, 'FILE_TOO_LARGE'))
    const button = container.querySelector('[data-open-type="chooseAvatar"]')!
    await act(async () => void fireTaroEvent(button, 'onChooseAvatar', { avatarUrl: 'wxfile://tmp/big.jpg' }))
    await settle()
    expect(lastToast()).toBe('图片不能超过2MB，请换一张')
  })
})

describe('我的: binding the phone', () => {
  async function bindWith(detail: Record<string, unknown>) {
    const view = await openAs(me())
    const button = view.container.querySelector('[data-open-type="getPhoneNumber"]')!
    await act(async () => void fireTaroEvent(button, 'onGetPhoneNumber', detail))
    await settle()
    return view
  }

  it('sends the code only after the reader allowed it, then shows the masked phone', async () => {
    api.route('POST /api/me/phone', answers.ok({ me: me({ phone: '139****5678' }), linkedMember: false }))
    const { container } = await bindWith({ errMsg: 'getPhoneNumber:ok', code: 'phone-code-1' })
    expect(api.calls.at(-1)).toMatchObject({ path: '/api/me/phone', data: { code: 'phone-code-1' }, token: 'tok' })
    expect(text(container)).toContain('已绑定 139****5678')
    expect(text(container)).not.toContain('已同步网站会员权益')
    expect(showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '手机号已绑定' }))
  })

  it('a member of the web site: 已同步网站会员权益 and the carried-over VIP', async () => {
    api.route(
      'POST /api/me/phone',
      answers.ok({
        me: me({ phone: '139****5678', membership: { active: true, expiresAt: '2030-06-30T15:59:59.999Z' } }),
        linkedMember: true,
      }),
    )
    const { container } = await bindWith({ errMsg: 'getPhoneNumber:ok', code: 'phone-code-1' })
    expect(text(container)).toContain('已同步网站会员权益')
    expect(text(container)).toContain('有效期至 2030-06-30')
    // Said once, under the row: no toast repeating it.
    expect(showToast).not.toHaveBeenCalled()
  })

  it('a declined sheet sends nothing and says nothing', async () => {
    await bindWith({ errMsg: 'getPhoneNumber:fail user deny' })
    expect(api.count('POST /api/me/phone')).toBe(0)
    expect(showToast).not.toHaveBeenCalled()
  })

  it('no quota left at WeChat: a plain message, no request', async () => {
    await bindWith({ errMsg: 'getPhoneNumber:fail no permission', errno: 1400001 })
    expect(api.count('POST /api/me/phone')).toBe(0)
    expect(lastToast()).toBe('手机号验证服务暂不可用，请稍后再试')
  })

  it('any other failure: try again', async () => {
    await bindWith({ errMsg: 'getPhoneNumber:fail system error' })
    expect(lastToast()).toBe('未能获取手机号，请重试')
  })

  it.each([
    ['PHONE_LINKED_ELSEWHERE', 409, '该手机号已绑定其他微信账号，请联系客服处理'],
    ['PHONE_CODE_REJECTED', 400, '手机号验证未通过，请重试'],
    ['WECHAT_CODE_INVALID', 401, '微信授权已失效，请重试'],
    ['WECHAT_BUSY', 503, '微信服务繁忙，请稍后重试'],
  ])('%s: the reader reads why', async (code, status, message) => {
    api.route('POST /api/me/phone', answers.error(status, code))
    const { container } = await bindWith({ errMsg: 'getPhoneNumber:ok', code: 'phone-code-1' })
    const alert = container.querySelector('[role="alert"]')
    expect(alert?.textContent).toContain(message)
    // The code was spent: the reader may tap again; no sign-in was attempted for a phone-code 401.
    expect(screen.getByText('绑定手机号')).toBeTruthy()
    expect(api.count('POST /api/auth/login')).toBe(0)
  })

  it('a phone linked to another WeChat account: the way to customer service', async () => {
    api.route('POST /api/me/phone', answers.error(409, 'PHONE_LINKED_ELSEWHERE'))
    await bindWith({ errMsg: 'getPhoneNumber:ok', code: 'phone-code-1' })
    fireEvent.click(screen.getByText('联系客服 400-1788-950'))
    expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: '400-1788-950' })
  })
})

describe('我的: pull down to refresh', () => {
  it('reloads the reader, then stops the spinner', async () => {
    const { container } = await openAs(me())
    api.route(
      'GET /api/me',
      answers.ok(me({ nickname: '刷新后', membership: { active: true, expiresAt: '2028-06-30T15:59:59.999Z' } })),
    )
    await act(async () => void fire('usePullDownRefresh'))
    await settle()
    expect(api.count('GET /api/me')).toBe(2)
    expect(container.querySelector('.me-name')?.textContent).toBe('刷新后')
    expect(Taro.stopPullDownRefresh).toHaveBeenCalledTimes(1)
  })
})

describe('我的: 注销账号', () => {
  it('warns what goes, deletes the account on the server, and stays signed out', async () => {
    const { container } = await openAs(me({ nickname: '要走的人' }))
    api.route('DELETE /api/me', answers.noContent())
    fireEvent.click(screen.getByText('注销账号'))
    await settle()
    const [warning] = (Taro.showModal as jest.Mock).mock.calls.at(-1) as [{ title: string; content: string }]
    expect(warning.title).toBe('注销账号')
    expect(warning.content).toContain('会员权益一并作废')
    expect(warning.content).toContain('订单记录依法保留')
    expect(api.calls.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/me', token: 'tok' })
    expect(text(container)).toContain('未登录')
    expect(storage.has('token')).toBe(false)
    expect(storage.get('signedOut')).toBeTruthy()
    expect(lastToast()).toBe('账号已注销')
  })

  it('keeps the account when the reader changes their mind, or while an order is open', async () => {
    const { container } = await openAs(me({ nickname: '再想想' }))
    ;(Taro.showModal as jest.Mock).mockResolvedValueOnce({ confirm: false, cancel: true })
    fireEvent.click(screen.getByText('注销账号'))
    await settle()
    expect(api.count('DELETE /api/me')).toBe(0)

    api.route('DELETE /api/me', answers.error(409, 'ORDER_IN_PROGRESS'))
    fireEvent.click(screen.getByText('注销账号'))
    await settle()
    expect(lastToast()).toBe('你有订单尚未完成（待支付、处理中或退款中），请在订单结束后再注销')
    expect(text(container)).toContain('再想想')
    expect(storage.get('token')).toBe('tok')
  })
})

describe('我的: signing out', () => {
  it('asks first, then calls logout, forgets the token and shows 未登录', async () => {
    const { container } = await openAs(me({ nickname: '苏同学' }))
    api.route('POST /api/auth/logout', answers.noContent())
    fireEvent.click(screen.getByText('退出登录'))
    await settle()
    expect(Taro.showModal).toHaveBeenCalledTimes(1)
    expect(api.calls.at(-1)).toMatchObject({ method: 'POST', path: '/api/auth/logout', token: 'tok' })
    expect(text(container)).toContain('未登录')
    expect(text(container)).toContain('微信一键登录')
    expect(storage.has('token')).toBe(false)
    expect(getSession().status).toBe('signed-out')
    expect(Taro.pageScrollTo).toHaveBeenCalledWith({ scrollTop: 0, duration: 0 })
  })

  it('stays signed in when the reader changes their mind', async () => {
    ;(Taro.showModal as jest.Mock).mockResolvedValueOnce({ confirm: false, cancel: true })
    const { container } = await openAs(me({ nickname: '苏同学' }))
    fireEvent.click(screen.getByText('退出登录'))
    await settle()
    expect(api.count('POST /api/auth/logout')).toBe(0)
    expect(text(container)).toContain('苏同学')
  })
})

describe('我的: WeChat privacy consent', () => {
  beforeEach(() => {
    process.env.TARO_ENV = 'weapp'
    watchPrivacyAuthorization()
  })

  const listener = () =>
    (Taro.onNeedPrivacyAuthorization as jest.Mock).mock.calls[0][0] as (
      resolve: (option: unknown) => void,
      info: { referrer: string },
    ) => void

  it('shows our popup when a privacy API waits, and resolves it with the agree button', async () => {
    const { container } = await openAs(me())
    const resolve = jest.fn()
    await act(async () => listener()(resolve, { referrer: 'button.chooseAvatar' }))
    expect(text(container)).toContain('用户隐私保护提示')
    expect(resolve).toHaveBeenCalledWith({ event: 'exposureAuthorization' })

    const agree = container.querySelector('[data-open-type="agreePrivacyAuthorization"]')!
    expect(agree.id).toBe('privacy-agree')
    await act(async () => void fireTaroEvent(agree, 'onAgreePrivacyAuthorization', {}))
    expect(resolve).toHaveBeenLastCalledWith({ event: 'agree', buttonId: 'privacy-agree' })
    expect(text(container)).not.toContain('用户隐私保护提示')
  })

  it('declines, and opens the privacy guide from the popup', async () => {
    const { container } = await openAs(me())
    const resolve = jest.fn()
    await act(async () => listener()(resolve, { referrer: 'button.getPhoneNumber' }))
    fireEvent.click(screen.getByText('《北辰遴选隐私保护指引》'))
    expect(Taro.openPrivacyContract).toHaveBeenCalledTimes(1)
    fireEvent.click(screen.getByText('不同意'))
    expect(resolve).toHaveBeenLastCalledWith({ event: 'disagree' })
    expect(text(container)).not.toContain('用户隐私保护提示')
  })

  it('asks for consent before the nickname input is used', async () => {
    const { container } = await openAs(me())
    fireTaroEvent(container.querySelector('input[name="nickname"]')!, 'onFocus', {})
    expect(Taro.requirePrivacyAuthorize).toHaveBeenCalledTimes(1)
  })

  it('fails a request at once when no page can show the popup', () => {
    const resolve = jest.fn()
    listener()(resolve, { referrer: 'button.chooseAvatar' })
    expect(resolve).toHaveBeenCalledWith({ event: 'disagree' })
  })
})
