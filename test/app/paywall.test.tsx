import { act, fireEvent, render, screen } from '@testing-library/react'
import type { ReactElement } from 'react'
import Taro from '@tarojs/taro'
import PaywallCard, { lockedLine } from '@/subpackages/article/components/PaywallCard'
import Toc from '@/subpackages/article/components/Toc'
import { resetContacts } from '@/services/api/contacts'
import type { Section } from '@/services/api'
import { fakeApi } from './fake-api'
import { denied } from './fixtures'

const SEED_SENTENCE = '抱歉哦,本篇为vip章节,需要本站VIP会员才可以继续阅读哦~'

beforeEach(() => {
  jest.clearAllMocks()
  resetContacts()
  fakeApi()
})

/** Renders and lets the service line (GET /api/contacts) arrive */
async function show(element: ReactElement) {
  const view = render(element)
  await act(async () => undefined)
  return view
}

const chip = (name: string) => screen.getByText(name).closest('[role="link"]') as HTMLElement

describe('PaywallCard', () => {
  it('shows the copy the server sent and what is locked, by titles and counts', async () => {
    await show(<PaywallCard access={denied()} />)
    expect(screen.getByText('本篇为VIP章节')).toBeTruthy()
    expect(screen.getByText(SEED_SENTENCE)).toBeTruthy()
    expect(screen.getByText('本期VIP内容：三、实战应用（续）、四、拓展阅读 · 2道例题+参考作答')).toBeTruthy()
    expect(screen.getByText('开通后立即解锁本篇')).toBeTruthy()
  })

  it('shows the three plans as chips with their prices and monthly prices, the server’s one marked', async () => {
    await show(<PaywallCard access={denied()} />)
    expect(chip('一个月').textContent).toBe('一个月¥9.9约¥9.9/月')
    expect(chip('半年').textContent).toBe('半年¥48约¥8/月')
    // ¥68 over 12 months is ¥5.67: rounded to 约¥5.7/月, never cut to ¥5.6.
    expect(chip('一年').textContent).toBe('一年¥68约¥5.7/月')
    expect(chip('半年').className).toContain('paywall-chip-on')
    expect(chip('一年').className).not.toContain('paywall-chip-on')
  })

  it('a chip opens 开通会员 with that plan preselected', async () => {
    await show(<PaywallCard access={denied()} />)
    fireEvent.click(chip('一年'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/vip/pages/index?plan=year' })
  })

  it('opens 开通会员 over the article (not the tab, which would close it) when the button is tapped', async () => {
    await show(<PaywallCard access={denied()} />)
    fireEvent.click(screen.getByRole('button', { name: '开通VIP会员' }))
    expect(Taro.navigateTo).toHaveBeenCalledTimes(1)
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/vip/pages/index' })
    expect(Taro.switchTab).not.toHaveBeenCalled()
  })

  it('offers the service line where the question arises', async () => {
    await show(<PaywallCard access={denied()} />)
    expect(screen.getByText('开通会员如有疑问，请联系客服 400-1788-950（09:00—21:30）')).toBeTruthy()
  })

  it('shows no price and no chips on iOS', async () => {
    ;(Taro.getDeviceInfo as jest.Mock).mockReturnValueOnce({ platform: 'ios' })
    const { container } = await show(<PaywallCard access={denied()} />)
    expect(container.textContent).not.toMatch(/¥/)
    expect(container.querySelector('[role="link"]')).toBeNull()
    expect(screen.getByRole('button', { name: '开通VIP会员' })).toBeTruthy()
  })

  it('tells an expired member why', async () => {
    await show(<PaywallCard access={denied('membership_expired')} />)
    expect(screen.getByText('您的VIP会员已到期，续费后可继续阅读')).toBeTruthy()
  })

  it('has no button, no chips and no navigation in Moments single-page mode', async () => {
    const { container } = await show(<PaywallCard access={denied()} singlePage />)
    expect(screen.getByText('请前往小程序使用完整服务')).toBeTruthy()
    expect(container.querySelector('button')).toBeNull()
    expect(container.querySelector('[role="link"]')).toBeNull()
    expect(Taro.switchTab).not.toHaveBeenCalled()
  })

  it('in the console’s preview, a chip buys nothing either', async () => {
    await show(<PaywallCard access={denied()} preview />)
    fireEvent.click(chip('一年'))
    expect(Taro.navigateTo).not.toHaveBeenCalled()
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '预览模式，不能开通', icon: 'none' })
  })
})

describe('lockedLine', () => {
  it.each([
    [{ sections: ['三、实战应用'], questions: 2, answers: 2 }, '本期VIP内容：三、实战应用 · 2道例题+参考作答'],
    [{ sections: ['三、实战应用（续）'], questions: 1, answers: 0 }, '本期VIP内容：三、实战应用（续） · 1道例题'],
    [{ sections: ['四、拓展阅读'], questions: 0, answers: 0 }, '本期VIP内容：四、拓展阅读'],
    [{ sections: [], questions: 0, answers: 0 }, ''],
  ])('%j → %s', (locked, line) => {
    expect(lockedLine(locked)).toBe(line)
  })
})

describe('Toc', () => {
  const sections: Section[] = [
    { id: 's1', heading: '一、背景链接', blocks: [] },
    { id: 's2', heading: '二、深度解读', blocks: [] },
  ]

  it('lists the locked sections by their real titles with a lock; tapping one jumps to the paywall', () => {
    const onJump = jest.fn()
    const { container } = render(
      <Toc sections={sections} locked={['三、实战应用（续）', '四、拓展阅读']} onJump={onJump} />,
    )
    const locked = Array.from(container.querySelectorAll('.toc-item-locked'), (item) => item.textContent)
    expect(locked).toEqual(['VIP三、实战应用（续）', 'VIP四、拓展阅读'])
    expect(container.textContent).not.toContain('VIP会员内容')
    fireEvent.click(screen.getByText('四、拓展阅读'))
    expect(onJump).toHaveBeenCalledWith(null)
    fireEvent.click(screen.getByText('二、深度解读'))
    expect(onJump).toHaveBeenLastCalledWith('s2')
  })

  it('a locked part without a heading is one untitled entry; nothing locked, none', () => {
    const { container, rerender } = render(<Toc sections={sections} locked={[]} onJump={jest.fn()} />)
    expect(container.querySelector('.toc-item-locked')?.textContent).toBe('VIP会员专享内容')
    rerender(<Toc sections={sections} locked={null} onJump={jest.fn()} />)
    expect(container.querySelector('.toc-item-locked')).toBeNull()
  })
})
