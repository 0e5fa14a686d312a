import Taro from '@tarojs/taro'
import {
  ApiError,
  addFavorite,
  clearHistory,
  getProgress,
  getSettings,
  listFavorites,
  listHistory,
  recordProgress,
  removeFavorite,
  updateSettings,
} from '@/services/api'

const request = Taro.request as jest.Mock
const getStorageSync = Taro.getStorageSync as jest.Mock

function answer(statusCode: number, data: unknown) {
  request.mockImplementationOnce(() =>
    Object.assign(Promise.resolve({ statusCode, data, header: {}, errMsg: 'request:ok' }), { abort: jest.fn() }),
  )
}
const lastCall = () => request.mock.calls[request.mock.calls.length - 1][0]

beforeEach(() => {
  request.mockReset()
  getStorageSync.mockReset().mockImplementation((key: string) => (key === 'token' ? 'tok_1' : ''))
})

describe('study tools API client', () => {
  it('favorites: PUT and DELETE by issue id, a paged list with the token', async () => {
    answer(200, { issueId: 7, favorited: true, favoritedAt: '2026-01-01T00:00:00.000Z' })
    await expect(addFavorite(7)).resolves.toEqual({
      issueId: 7,
      favorited: true,
      favoritedAt: '2026-01-01T00:00:00.000Z',
    })
    expect([lastCall().method, lastCall().url]).toEqual(['PUT', 'http://localhost:3000/api/favorites/7'])
    expect(lastCall().header.Authorization).toBe('Bearer tok_1')

    answer(204, '')
    await expect(removeFavorite(7)).resolves.toBeUndefined()
    expect([lastCall().method, lastCall().url]).toEqual(['DELETE', 'http://localhost:3000/api/favorites/7'])

    answer(200, { items: [], nextCursor: null })
    await listFavorites({ cursor: 'MTIz', limit: 10 })
    expect(lastCall().url).toBe('http://localhost:3000/api/favorites?cursor=MTIz&limit=10')
  })

  it('history: records a section, resumes (null when not read), lists and clears', async () => {
    answer(200, { sectionId: 's2', readAt: '2026-01-01T00:00:00.000Z' })
    await recordProgress(3, 's2')
    expect([lastCall().method, lastCall().url, lastCall().data]).toEqual([
      'PUT',
      'http://localhost:3000/api/history/3',
      { sectionId: 's2' },
    ])

    answer(200, { sectionId: 's2', readAt: '2026-01-01T00:00:00.000Z' })
    await expect(getProgress(3)).resolves.toEqual({ sectionId: 's2', readAt: '2026-01-01T00:00:00.000Z' })
    answer(204, '')
    await expect(getProgress(4)).resolves.toBeNull()
    answer(404, { error: { code: 'ISSUE_NOT_FOUND', message: 'there is no published issue 5' } })
    await expect(getProgress(5)).rejects.toBeInstanceOf(ApiError)

    answer(200, { items: [], nextCursor: null })
    await listHistory()
    expect(lastCall().url).toBe('http://localhost:3000/api/history')
    answer(204, '')
    await expect(clearHistory()).resolves.toBeUndefined()
    expect([lastCall().method, lastCall().url]).toEqual(['DELETE', 'http://localhost:3000/api/history'])
  })

  it('settings: read, and a partial update sends only what changed', async () => {
    answer(200, { fontSize: 'medium', theme: 'system' })
    await expect(getSettings()).resolves.toEqual({ fontSize: 'medium', theme: 'system' })
    answer(200, { fontSize: 'medium', theme: 'dark' })
    await expect(updateSettings({ theme: 'dark' })).resolves.toEqual({ fontSize: 'medium', theme: 'dark' })
    expect([lastCall().method, lastCall().data]).toEqual(['PUT', { theme: 'dark' }])
  })
})
