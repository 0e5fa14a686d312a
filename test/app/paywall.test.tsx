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
    expect(screen.getByText('会员低至约¥5.7/月，全站栏目畅读')).toBeTruthy()
  })

  it('opens 开通会员 over the article (not the tab, which would close it) when the button is tapped', () => {
    render(<PaywallCard access={denied()} />)
    fireEvent.click(screen.getByRole('button', { name: '开通VIP会员' }))
    expect(Taro.navigateTo).toHaveBeenCalledTimes(1)
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/vip/pages/index' })
    expect(Taro.switchTab).not.toHaveBeenCalled()
  })

  it('shows no price on iOS', () => {
    ;(Taro.getDeviceInfo as jest.Mock).mockReturnValueOnce({ platform: 'ios' })
    const { container } = render(<PaywallCard access={denied()} />)
    expect(container.textContent).not.toMatch(/¥/)
    expect(screen.getByRole('button', { name: '开通VIP会员' })).toBeTruthy()
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
