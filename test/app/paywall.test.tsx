import { fireEvent, render, screen } from '@testing-library/react'
import Taro from '@tarojs/taro'
import PaywallCard from '@/subpackages/article/components/PaywallCard'
import { denied } from './fixtures'

beforeEach(() => jest.clearAllMocks())

describe('PaywallCard', () => {
  it('shows the copy the server sent', () => {
    render(<PaywallCard access={denied()} />)
    expect(screen.getByText('本篇为VIP章节')).toBeTruthy()
    expect(screen.getByText('开通VIP会员继续阅读')).toBeTruthy()
    expect(screen.getByText('会员低至约¥5.6/月，全站栏目畅读')).toBeTruthy()
  })

  it('opens the 会员 tab when the button is tapped', () => {
    render(<PaywallCard access={denied()} />)
    fireEvent.click(screen.getByRole('button', { name: '开通VIP会员' }))
    expect(Taro.switchTab).toHaveBeenCalledTimes(1)
    expect(Taro.switchTab).toHaveBeenCalledWith({ url: '/pages/vip/index' })
  })

  it('tells an expired member why', () => {
    render(<PaywallCard access={denied('membership_expired')} />)
    expect(screen.getByText('您的VIP会员已到期，续费后可继续阅读')).toBeTruthy()
  })

  it('has no button and no navigation in Moments single-page mode', () => {
    const { container } = render(<PaywallCard access={denied()} singlePage />)
    expect(screen.getByText('请前往小程序使用完整服务')).toBeTruthy()
    expect(container.querySelector('button')).toBeNull()
    expect(Taro.switchTab).not.toHaveBeenCalled()
  })
})
