import { fireEvent, render, screen } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { LoadFailed } from '@/components/StateView'
import { ApiError } from '@/services/api'
import { resetTaroMock } from './mocks/taro'

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
})

describe('a failed load', () => {
  it('offers to load again when trying again may help', () => {
    const onRetry = jest.fn()
    render(<LoadFailed error={new ApiError('UNAVAILABLE', '服务暂时不可用，请稍后重试', 503)} onRetry={onRetry} />)
    fireEvent.click(screen.getByText('重新加载'))
    expect(onRetry).toHaveBeenCalledTimes(1)
  })

  it('offers 返回 for what is not there, since loading again cannot bring it', async () => {
    const onRetry = jest.fn()
    render(<LoadFailed error={new ApiError('ISSUE_NOT_FOUND', '内容不存在或已下线', 404)} onRetry={onRetry} />)
    expect(screen.queryByText('重新加载')).toBeNull()
    fireEvent.click(screen.getByText('返回'))
    expect(Taro.navigateBack).toHaveBeenCalledTimes(1)
    expect(onRetry).not.toHaveBeenCalled()

    // Opened directly (nothing to go back to): home instead.
    ;(Taro.navigateBack as jest.Mock).mockRejectedValueOnce(new Error('navigateBack:fail cannot navigate back'))
    fireEvent.click(screen.getByText('返回'))
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(Taro.switchTab).toHaveBeenCalledWith({ url: '/pages/index/index' })
  })
})
