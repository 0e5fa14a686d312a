import Taro from '@tarojs/taro'
import { ApiError, getIssue, listIssues, listPlans } from '@/services/api'

const request = Taro.request as jest.Mock
const getStorageSync = Taro.getStorageSync as jest.Mock

/** Answers the next Taro.request like the platform would: a promise with abort(). */
function answer(result: Promise<unknown>) {
  const abort = jest.fn()
  request.mockImplementationOnce(() => Object.assign(result, { abort }))
  return abort
}
const ok = (data: unknown, statusCode = 200) => Promise.resolve({ statusCode, data, header: {}, errMsg: 'request:ok' })

beforeEach(() => {
  request.mockReset()
  getStorageSync.mockReset().mockReturnValue('')
})

describe('API client', () => {
  it('calls the base URL with the query, leaving out empty parameters', async () => {
    answer(ok({ items: [], nextCursor: null }))
    await expect(listIssues({ region: 'shanxi', cursor: undefined, limit: 20 })).resolves.toEqual({
      items: [],
      nextCursor: null,
    })
    const [options] = request.mock.calls[0]
    expect(options.url).toBe('http://localhost:3000/api/issues?region=shanxi&limit=20')
    expect(options.method).toBe('GET')
    expect(options.header.Authorization).toBeUndefined()
  })

  it('encodes an opaque cursor', async () => {
    answer(ok({ items: [], nextCursor: null }))
    await listIssues({ cursor: 'a+b/c=' })
    expect(request.mock.calls[0][0].url).toBe('http://localhost:3000/api/issues?cursor=a%2Bb%2Fc%3D')
  })

  it('sends the stored token as a bearer token', async () => {
    getStorageSync.mockImplementation((key: string) => (key === 'token' ? 'tok_123' : ''))
    answer(ok({ items: [] }))
    await listPlans()
    expect(request.mock.calls[0][0].header.Authorization).toBe('Bearer tok_123')
  })

  it("turns the server's error body into {code, message} with a reader-facing message", async () => {
    answer(ok({ error: { code: 'ISSUE_NOT_FOUND', message: 'there is no published issue 999' } }, 404))
    const error = (await getIssue(999).then(
      () => null,
      (e: unknown) => e,
    )) as ApiError
    expect(error).toBeInstanceOf(ApiError)
    expect(error.code).toBe('ISSUE_NOT_FOUND')
    expect(error.status).toBe(404)
    expect(error.isNotFound).toBe(true)
    expect(error.message).toBe('内容不存在或已下线')
    expect(error.detail).toBe('there is no published issue 999')
  })

  it('keeps a Chinese server message and names unknown error bodies by status', async () => {
    answer(ok({ error: { code: 'RATE_LIMITED', message: '请求太频繁' } }, 429))
    await expect(listPlans()).rejects.toMatchObject({ code: 'RATE_LIMITED', message: '请求太频繁' })
    answer(ok('<html>Bad gateway</html>', 502))
    await expect(listPlans()).rejects.toMatchObject({
      code: 'HTTP_502',
      status: 502,
      message: '服务暂时不可用，请稍后重试',
    })
  })

  it('rejects a 2xx answer that is not JSON', async () => {
    answer(ok('not json'))
    await expect(listPlans()).rejects.toMatchObject({ code: 'BAD_RESPONSE' })
  })

  it('maps platform failures to NETWORK_ERROR and TIMEOUT', async () => {
    answer(Promise.reject({ errMsg: 'request:fail ' }))
    await expect(listPlans()).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
      message: '网络连接失败，请检查网络后重试',
    })
    answer(Promise.reject({ errMsg: 'request:fail timeout' }))
    await expect(listPlans()).rejects.toMatchObject({ code: 'TIMEOUT', message: '请求超时，请稍后重试' })
  })

  it('times out by its own clock and aborts the request', async () => {
    jest.useFakeTimers()
    try {
      const abort = answer(new Promise(() => undefined))
      const pending = listPlans()
      jest.advanceTimersByTime(10_000)
      await expect(pending).rejects.toMatchObject({ code: 'TIMEOUT', isOffline: true })
      expect(abort).toHaveBeenCalled()
    } finally {
      jest.useRealTimers()
    }
  })
})
