import { act, renderHook, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { useIssueFeed } from '@/hooks/useIssueFeed'
import type { IssuePage } from '@/services/api'
import { summary } from './fixtures'

const request = Taro.request as jest.Mock

interface Pending {
  url: string
  resolve: (page: IssuePage) => void
  fail: (statusCode: number) => void
}

/** Every Taro.request stays pending until the test answers it. */
let pending: Pending[] = []
beforeEach(() => {
  pending = []
  request.mockReset().mockImplementation(({ url }: { url: string }) => {
    let settle!: (value: unknown) => void
    const promise = new Promise((resolve) => (settle = resolve))
    pending.push({
      url,
      resolve: (page) => settle({ statusCode: 200, data: page }),
      fail: (statusCode) => settle({ statusCode, data: { error: { code: 'X', message: 'x' } } }),
    })
    return Object.assign(promise, { abort: jest.fn() })
  })
})

const page = (ids: number[], nextCursor: string | null): IssuePage => ({
  items: ids.map((id) => summary(id)),
  nextCursor,
})

async function answer(index: number, result: IssuePage) {
  await act(async () => pending[index].resolve(result))
}

describe('useIssueFeed', () => {
  it('loads the first page, then sends one request however often the bottom is reached', async () => {
    const { result } = renderHook(() => useIssueFeed())
    expect(result.current.state.loading).toBe('initial')
    await answer(0, page([5, 4], 'c1'))
    expect(result.current.state.items.map((item) => item.id)).toEqual([5, 4])

    act(() => {
      for (let i = 0; i < 5; i++) result.current.loadMore()
    })
    expect(pending).toHaveLength(2)
    expect(pending[1].url).toContain('cursor=c1')

    await answer(1, page([3, 2], null))
    expect(result.current.state.items.map((item) => item.id)).toEqual([5, 4, 3, 2])

    act(() => result.current.loadMore())
    expect(pending).toHaveLength(2) // last page: nothing more to ask for
  })

  it('drops the late answer of a region that is no longer selected', async () => {
    const { result } = renderHook(() => useIssueFeed())
    act(() => result.current.selectRegion('jiangsu'))
    expect(pending[1].url).toContain('region=jiangsu')

    await answer(1, page([9], null))
    await answer(0, page([1, 2], 'stale'))
    expect(result.current.state.region).toBe('jiangsu')
    expect(result.current.state.items.map((item) => item.id)).toEqual([9])
  })

  it('keeps the list when a pull-down refresh fails, and offers a retry when a later page fails', async () => {
    const { result } = renderHook(() => useIssueFeed())
    await answer(0, page([2, 1], 'c1'))

    let refreshed!: Promise<unknown>
    act(() => {
      refreshed = result.current.refresh().then(
        () => 'resolved',
        (error: unknown) => error,
      )
    })
    await act(async () => pending[1].fail(500))
    await expect(refreshed).resolves.toMatchObject({ status: 500 })
    expect(result.current.state.items).toHaveLength(2)
    expect(result.current.state.error).toBeNull()

    act(() => result.current.loadMore())
    await act(async () => pending[2].fail(503))
    expect(result.current.state.moreError?.status).toBe(503)
    act(() => result.current.loadMore())
    expect(pending).toHaveLength(3) // no automatic hammering after a failure

    act(() => result.current.retry())
    expect(pending[3].url).toContain('cursor=c1')
    await answer(3, page([0], null))
    await waitFor(() => expect(result.current.state.items.map((item) => item.id)).toEqual([2, 1, 0]))
  })

  it('shows the error state when the first page fails, and retries it', async () => {
    const { result } = renderHook(() => useIssueFeed())
    await act(async () => pending[0].fail(500))
    expect(result.current.state.error?.message).toBe('服务暂时不可用，请稍后重试')
    act(() => result.current.retry())
    await answer(1, page([1], null))
    expect(result.current.state.loaded).toBe(true)
    expect(result.current.state.error).toBeNull()
  })
})
