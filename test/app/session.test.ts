import { act } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { getIssue, listPlans } from '@/services/api'
import { getSession, refreshLogin, refreshMe, resetSession, signIn, signOut, startSession } from '@/store/session'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { me } from './fixtures'
import { resetTaroMock, storage } from './mocks/taro'

const login = Taro.login as jest.Mock
const LOGIN = 'POST /api/auth/login'

/** Each sign-in gets the next code and the next token: wx-code-1 → tok-1, … */
function serveLogins(api: FakeApi, reader = me({ nickname: '读者' })) {
  let n = 0
  login.mockImplementation(() => Promise.resolve({ code: `wx-code-${++n}`, errMsg: 'login:ok' }))
  api.route(LOGIN, (call) => {
    const code = (call.data as { code: string }).code
    return answers.ok({ token: code.replace('wx-code', 'tok'), expiresAt: '2030-01-01T00:00:00.000Z', me: reader })
  })
}

/** Let every pending promise (and the timers they wait on, none here) settle. */
const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)))

let api: FakeApi

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  delete (process.env as Record<string, string | undefined>).TARO_ENV
  ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1001 })
  api = fakeApi()
})

describe('session at launch', () => {
  it('signs in silently on a first launch: wx.login code → token in storage, me in the store', async () => {
    serveLogins(api)
    startSession()
    expect(getSession().status).toBe('signing-in')
    await settle()
    expect(api.calls).toEqual([{ method: 'POST', path: '/api/auth/login', data: { code: 'wx-code-1' }, token: '' }])
    expect(storage.get('token')).toBe('tok-1')
    expect(getSession()).toMatchObject({ status: 'signed-in', me: { nickname: '读者' }, error: null })
  })

  it('keeps a stored session: checks it with GET /api/me, no sign-in', async () => {
    storage.set('token', 'kept')
    api.route('GET /api/me', answers.ok(me({ nickname: '老读者' })))
    startSession()
    await settle()
    expect(login).not.toHaveBeenCalled()
    expect(api.calls.map((call) => `${call.method} ${call.path} ${call.token}`)).toEqual(['GET /api/me kept'])
    expect(getSession()).toMatchObject({ status: 'signed-in', me: { nickname: '老读者' } })
  })

  it('signs in again when the stored token was revoked, and shows the reader', async () => {
    storage.set('token', 'revoked')
    serveLogins(api)
    api.route('GET /api/me', (call) =>
      call.token === 'tok-1' ? answers.ok(me({ nickname: '回来了' })) : answers.invalidToken(),
    )
    startSession()
    await settle()
    expect(api.calls.map((call) => `${call.method} ${call.path} ${call.token}`)).toEqual([
      'GET /api/me revoked',
      'POST /api/auth/login ',
      'GET /api/me tok-1',
    ])
    expect(getSession()).toMatchObject({ status: 'signed-in', me: { nickname: '回来了' } })
  })

  it('says why a silent sign-in failed and stays usable signed out', async () => {
    api.route(LOGIN, answers.error(503, 'WECHAT_NOT_CONFIGURED', { 'Retry-After': '3600' }))
    startSession()
    await settle()
    expect(getSession().status).toBe('signed-out')
    expect(getSession().error).toMatchObject({ code: 'WECHAT_NOT_CONFIGURED', message: '微信登录暂未开通，请稍后再试' })
    expect(storage.has('token')).toBe(false)
  })

  it('tries a fresh code once when WeChat refuses the first (codes are single-use, 5 minutes)', async () => {
    serveLogins(api)
    const ok = api.calls
    api.route(
      LOGIN,
      answers.error(401, 'WECHAT_CODE_INVALID'),
      answers.ok({ token: 'tok-2', expiresAt: '2030-01-01T00:00:00.000Z', me: me() }),
    )
    await act(() => signIn())
    expect(ok.map((call) => (call.data as { code: string }).code)).toEqual(['wx-code-1', 'wx-code-2'])
    expect(storage.get('token')).toBe('tok-2')
  })

  it('does not sign in when WeChat gives no code, and says so', async () => {
    login.mockRejectedValue({ errMsg: 'login:fail timeout' })
    startSession()
    await settle()
    expect(api.calls).toEqual([])
    expect(getSession().error).toMatchObject({ code: 'WECHAT_LOGIN_FAILED', message: '微信登录失败，请稍后重试' })
  })

  it('never signs in in Moments single-page mode (scene 1154), and sends no token there', async () => {
    process.env.TARO_ENV = 'weapp'
    ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1154 })
    storage.set('token', 'kept')
    api.route('GET /api/plans', answers.loginRequired())
    startSession()
    await expect(listPlans()).rejects.toMatchObject({ code: 'LOGIN_REQUIRED' })
    await settle()
    expect(getSession().status).toBe('preview')
    expect(login).not.toHaveBeenCalled()
    expect(api.calls.map((call) => `${call.method} ${call.path} ${call.token}`)).toEqual(['GET /api/plans '])
  })
})

describe('a refused token, in the HTTP client', () => {
  beforeEach(() => {
    serveLogins(api)
    storage.set('token', 'stale')
    startSessionQuietly()
  })

  /** A session that started with a stored token whose check is still unanswered. */
  function startSessionQuietly() {
    api.route('GET /api/me', () => new Promise(() => undefined))
    startSession()
    api.calls.length = 0
  }

  it('signs in once and retries the call once with the new token', async () => {
    api.route('GET /api/issues/1', (call) => (call.token === 'tok-1' ? answers.ok({ id: 1 }) : answers.invalidToken()))
    await expect(getIssue(1)).resolves.toEqual({ id: 1 })
    expect(api.calls.map((call) => `${call.method} ${call.path} ${call.token}`)).toEqual([
      'GET /api/issues/1 stale',
      'POST /api/auth/login ',
      'GET /api/issues/1 tok-1',
    ])
    expect(login).toHaveBeenCalledTimes(1)
    expect(getSession().status).toBe('signed-in')
  })

  it('shares one sign-in among 5 concurrent refused calls, each retried once', async () => {
    api.route('GET /api/issues/1', (call) => (call.token === 'tok-1' ? answers.ok({ id: 1 }) : answers.invalidToken()))
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => getIssue(1)))
    expect(results).toEqual(Array(5).fill({ id: 1 }))
    expect(login).toHaveBeenCalledTimes(1)
    expect(api.count(LOGIN)).toBe(1)
    expect(api.count('GET /api/issues/1')).toBe(10)
    expect(api.calls.filter((call) => call.path === '/api/issues/1' && call.token === 'tok-1')).toHaveLength(5)
  })

  it('retries only once: a second refusal is the answer', async () => {
    api.route('GET /api/me', answers.invalidToken())
    await expect(refreshMe()).rejects.toMatchObject({ code: 'INVALID_TOKEN', status: 401 })
    expect(api.count('GET /api/me')).toBe(2)
    expect(api.count(LOGIN)).toBe(1)
  })

  it('when signing in fails, retries once without the stale token so free content still loads', async () => {
    api.route(LOGIN, answers.error(503, 'WECHAT_NOT_CONFIGURED'))
    api.route('GET /api/issues/1', (call) => (call.token ? answers.invalidToken() : answers.ok({ id: 1, free: true })))
    await expect(getIssue(1)).resolves.toEqual({ id: 1, free: true })
    expect(api.calls.map((call) => `${call.method} ${call.path} ${call.token}`)).toEqual([
      'GET /api/issues/1 stale',
      'POST /api/auth/login ',
      'GET /api/issues/1 ',
    ])
    expect(storage.has('token')).toBe(false)
  })

  it('reports the sign-in failure when the call needs a reader', async () => {
    api.route(LOGIN, answers.error(503, 'WECHAT_BUSY', { 'Retry-After': '30' }))
    api.route('GET /api/me', (call) => (call.token ? answers.invalidToken() : answers.loginRequired()))
    await expect(refreshMe()).rejects.toMatchObject({
      code: 'WECHAT_BUSY',
      retryAfter: 30,
      message: '微信服务繁忙，请稍后重试',
    })
  })

  it('leaves other 401s alone (a rejected phone code is not a session problem)', async () => {
    api.route('POST /api/me/phone', answers.error(401, 'WECHAT_CODE_INVALID'))
    const { bindPhone } = await import('@/services/api')
    await expect(bindPhone('pc')).rejects.toMatchObject({ code: 'WECHAT_CODE_INVALID' })
    expect(api.count(LOGIN)).toBe(0)
  })
})

describe('anonymous calls during the launch sign-in', () => {
  it('wait for it, so they carry its token', async () => {
    let finish: (answer: ReturnType<typeof answers.ok>) => void = () => undefined
    login.mockResolvedValue({ code: 'wx-code-1', errMsg: 'login:ok' })
    api.route(LOGIN, () => new Promise((resolve) => (finish = resolve)))
    api.route('GET /api/plans', answers.ok({ items: [] }))
    startSession()
    const plans = listPlans()
    await settle()
    expect(api.count('GET /api/plans')).toBe(0)
    finish(answers.ok({ token: 'tok-1', expiresAt: '2030-01-01T00:00:00.000Z', me: me() }))
    await plans
    expect(api.calls.at(-1)).toMatchObject({ path: '/api/plans', token: 'tok-1' })
  })
})

describe('signing out', () => {
  it('ends the session on the server, forgets the token, and does not sign in silently again', async () => {
    serveLogins(api)
    startSession()
    await settle()
    api.route('POST /api/auth/logout', answers.noContent())
    await act(() => signOut())
    expect(api.calls.at(-1)).toMatchObject({ method: 'POST', path: '/api/auth/logout', token: 'tok-1' })
    expect(storage.has('token')).toBe(false)
    expect(getSession()).toEqual({ status: 'signed-out', me: null, error: null })

    // The next launch stays signed out, and a refused call does not sign in behind the reader's back.
    resetSession()
    startSession()
    api.route('GET /api/me', answers.loginRequired())
    await expect(refreshMe()).resolves.toBeNull()
    await settle()
    expect(getSession().status).toBe('signed-out')
    expect(login).toHaveBeenCalledTimes(1)

    // Until the reader taps 微信一键登录.
    await act(() => signIn())
    expect(getSession().status).toBe('signed-in')
    expect(storage.get('signedOut')).toBeUndefined()
  })

  it('signs out locally even when the server already forgot the session', async () => {
    storage.set('token', 'old')
    api.route('POST /api/auth/logout', answers.invalidToken())
    await act(() => signOut())
    expect(api.count('POST /api/auth/logout')).toBe(1)
    expect(api.count(LOGIN)).toBe(0)
    expect(storage.has('token')).toBe(false)
  })
})

describe('refreshLogin (before a virtual payment: a fresh session_key)', () => {
  it('signs in again although the token is valid, and switches to the new token', async () => {
    storage.set('token', 'kept')
    api.route('GET /api/me', answers.ok(me({ nickname: '老读者' })))
    startSession()
    await settle()
    serveLogins(api, me({ nickname: '老读者' }))
    await act(async () => void (await refreshLogin()))
    expect(login).toHaveBeenCalledTimes(1)
    expect(api.count(LOGIN)).toBe(1)
    expect(storage.get('token')).toBe('tok-1')
    expect(getSession()).toMatchObject({ status: 'signed-in', me: { nickname: '老读者' } })
  })

  it('shares a sign-in already in flight', async () => {
    serveLogins(api)
    startSession()
    const refreshed = refreshLogin()
    await settle()
    await refreshed
    expect(api.count(LOGIN)).toBe(1)
  })

  it('keeps the reader signed in when it fails (only the purchase fails)', async () => {
    storage.set('token', 'kept')
    api.route('GET /api/me', answers.ok(me({ nickname: '老读者' })))
    startSession()
    await settle()
    api.route(LOGIN, answers.error(503, 'WECHAT_LOGIN_FAILED'))
    await expect(refreshLogin()).rejects.toMatchObject({ code: 'WECHAT_LOGIN_FAILED' })
    expect(storage.get('token')).toBe('kept')
    expect(getSession()).toMatchObject({ status: 'signed-in', me: { nickname: '老读者' } })
  })

  it('is a plain sign-in without a session', async () => {
    serveLogins(api)
    await act(async () => void (await refreshLogin()))
    expect(storage.get('token')).toBe('tok-1')
    expect(getSession().status).toBe('signed-in')
  })
})
