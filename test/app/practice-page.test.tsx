import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro, { useRouter } from '@tarojs/taro'
import { SectionsView } from '@/subpackages/article/components/Blocks'
import PracticeAnswersPage from '@/subpackages/practice/pages/answers'
import PracticePage from '@/subpackages/practice/pages/index'
import { AUTOSAVE_DELAY_MS, SAVE_RETRY_MS } from '@/subpackages/practice/usePractice'
import { resetPrivacy } from '@/services/privacy'
import { resetSession, setMe, startSession } from '@/store/session'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { blocks, me } from './fixtures'
import { fire, resetTaroMock, storage } from './mocks/taro'

// The shared component mocks have no Textarea: a plain <textarea> that reports input as Taro does.
jest.mock('@tarojs/components', () => {
  const actual = jest.requireActual('./mocks/taro-components')
  const { createElement } = jest.requireActual('react')
  return {
    ...actual,
    Textarea: (props: {
      value: string
      maxlength: number
      autoHeight?: boolean
      placeholder?: string
      className?: string
      onInput: (event: { detail: { value: string } }) => void
    }) =>
      createElement('textarea', {
        className: props.className,
        placeholder: props.placeholder,
        value: props.value,
        'data-maxlength': String(props.maxlength),
        'data-auto-height': String(Boolean(props.autoHeight)),
        onChange: (event: { currentTarget: { value: string } }) =>
          props.onInput({ detail: { value: event.currentTarget.value } }),
      }),
  }
})

const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)))
const flushPromises = () =>
  act(async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve()
  })
let api: FakeApi

const PATH = '/api/issues/32/practice/q1'
const question = (draft: { text: string; elapsedSeconds: number } | null = null, submission: unknown = null) => ({
  id: 'q1',
  label: '例题1',
  prompt: '例题1:请概括归纳给定材料中X市太忻经济一体化发展的做法。',
  requirements: '要求:准确全面,语言精练,条理清晰,400字左右。',
  wordLimitText: '400字左右',
  wordLimit: 400,
  draft: draft ? { ...draft, savedAt: '2026-11-27T01:00:00.000Z' } : null,
  submission,
})
const detail = (draft: { text: string; elapsedSeconds: number } | null = null) => ({
  issueId: 32,
  fullTitle: '【山西·第32期】中部城市群高质量发展',
  question: question(draft),
  reference: null,
})
const reference = [{ type: 'answer', title: '', paragraphs: ['一是完善政策体系。(389字)'], declaredWords: 389 }]
const submitted = (text: string, elapsedSeconds: number) => ({
  ...detail({ text, elapsedSeconds }),
  question: question({ text, elapsedSeconds }, { text, elapsedSeconds, submittedAt: '2026-11-27T02:03:00.000Z' }),
  reference,
})

const textarea = () => document.querySelector('textarea') as HTMLTextAreaElement
const type = (value: string) => act(() => void fireEvent.change(textarea(), { target: { value } }))

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  resetPrivacy()
  ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1001 })
  ;(useRouter as jest.Mock).mockReturnValue({ params: { id: '32', q: 'q1' }, path: '' })
  api = fakeApi()
  storage.set('token', 'tok')
  act(() => setMe(me()))
})
afterEach(() => jest.useRealTimers())

describe('练习作答', () => {
  it('shows the question without the reference, the saved draft and its count against 360–440', async () => {
    api.route(`GET ${PATH}`, answers.ok(detail({ text: '一是 完善\n政策', elapsedSeconds: 75 })))
    const { container } = render(<PracticePage />)
    await settle()
    expect(container.textContent).toContain('请概括归纳给定材料中X市太忻经济一体化发展的做法')
    // The requirements read as on the article page: one 要求： prefix.
    expect(screen.getByText('要求：准确全面,语言精练,条理清晰,400字左右。')).toBeTruthy()
    expect(container.textContent).not.toContain('参考作答：')
    expect(container.textContent).not.toContain('一是完善政策体系')
    expect(textarea().value).toBe('一是 完善\n政策')
    // Whitespace is not counted: 6 characters.
    expect(container.textContent).toContain('已写 6 字')
    expect(container.textContent).toContain('目标 360–440 字 · 字数不足')
    expect(container.textContent).toContain('用时 01:15')
    expect(container.textContent).toContain('已保存')
    // Taro's Textarea stops at 140 characters unless told otherwise.
    expect(textarea().getAttribute('data-maxlength')).toBe('3000')
    expect(textarea().getAttribute('data-auto-height')).toBe('true')
  })

  it('highlights below / within / above the range as the reader types', async () => {
    api.route(`GET ${PATH}`, answers.ok(detail()))
    const { container } = render(<PracticePage />)
    await settle()
    const count = () => container.querySelector('.pp-count') as HTMLElement
    expect(count().className).toContain('pp-count-below')
    await type('字'.repeat(359))
    expect(count().className).toContain('pp-count-below')
    await type('字'.repeat(360))
    expect(count().className).toContain('pp-count-within')
    expect(container.textContent).toContain('已写 360 字')
    await type(`${'字'.repeat(440)}\n\n   `)
    expect(count().className).toContain('pp-count-within')
    expect(container.textContent).toContain('字数合适')
    await type('字'.repeat(441))
    expect(count().className).toContain('pp-count-above')
    expect(container.textContent).toContain('字数超出')
  })

  it('says when the field is full, since it drops the rest of a long paste silently', async () => {
    api.route(`GET ${PATH}`, answers.ok(detail()))
    const { container } = render(<PracticePage />)
    await settle()
    await type('字'.repeat(2999))
    expect(container.textContent).not.toContain('超出的部分没有保留')
    // What the field hands over after a 4,000-character paste: its first 3,000.
    await type('字'.repeat(3000))
    expect(container.textContent).toContain('作答最多3000字，超出的部分没有保留')
  })

  it('autosaves the draft 2 s after typing stops, with the time spent, and again when the page hides', async () => {
    jest.useFakeTimers()
    api.route(`GET ${PATH}`, answers.ok(detail({ text: '', elapsedSeconds: 10 })))
    api.route(`PUT ${PATH}/draft`, (call) => answers.ok({ ...(call.data as object), savedAt: '2026-11-27T01:00:00Z' }))
    const { container } = render(<PracticePage />)
    await flushPromises()
    await act(async () => void jest.advanceTimersByTime(3000))
    expect(container.textContent).toContain('用时 00:13')

    await type('一是')
    await type('一是完善')
    expect(container.textContent).toContain('未保存')
    await act(async () => void jest.advanceTimersByTime(AUTOSAVE_DELAY_MS - 100))
    expect(api.count(`PUT ${PATH}/draft`)).toBe(0)
    await act(async () => void jest.advanceTimersByTime(100))
    await flushPromises()
    expect(container.textContent).toContain('已保存')
    const saves = api.calls.filter((call) => call.path === `${PATH}/draft`)
    expect(saves).toHaveLength(1)
    expect(saves[0].data).toEqual({ text: '一是完善', elapsedSeconds: 15 })

    // Hidden: the time spent is saved at once, and the timer stops.
    await act(async () => void jest.advanceTimersByTime(5000))
    await act(async () => void fire('useDidHide'))
    await flushPromises()
    expect(api.calls.filter((call) => call.path === `${PATH}/draft`).map((call) => call.data)).toEqual([
      { text: '一是完善', elapsedSeconds: 15 },
      { text: '一是完善', elapsedSeconds: 20 },
    ])
    await act(async () => void jest.advanceTimersByTime(60000))
    expect(container.textContent).toContain('用时 00:20')
    // Shown again, it resumes from there.
    await act(async () => void fire('useDidShow'))
    await act(async () => void jest.advanceTimersByTime(2000))
    expect(container.textContent).toContain('用时 00:22')
  })

  it('says when a save fails offline, and tries again', async () => {
    jest.useFakeTimers()
    api.route(`GET ${PATH}`, answers.ok(detail()))
    api.route(`PUT ${PATH}/draft`, (call) => answers.ok({ ...(call.data as object), savedAt: '2026-11-27T01:00:00Z' }))
    const { container } = render(<PracticePage />)
    await flushPromises()
    ;(Taro.request as jest.Mock).mockImplementationOnce(() =>
      Object.assign(Promise.reject({ errMsg: 'request:fail' }), { abort: jest.fn() }),
    )
    await type('草稿')
    await act(async () => void jest.advanceTimersByTime(AUTOSAVE_DELAY_MS))
    await flushPromises()
    expect(container.textContent).toContain('离线，联网后自动保存')
    await act(async () => void jest.advanceTimersByTime(SAVE_RETRY_MS))
    await flushPromises()
    expect(container.textContent).toContain('已保存')
    expect(api.calls.filter((call) => call.path === `${PATH}/draft`).map((call) => call.data)).toEqual([
      { text: '草稿', elapsedSeconds: expect.any(Number) },
    ])
  })

  it('submits: the reference answer shows beside the reader’s answer, and 重新提交 revises it', async () => {
    api.route(`GET ${PATH}`, answers.ok(detail({ text: '我的作答', elapsedSeconds: 100 })))
    api.route(`POST ${PATH}/submit`, (call) => {
      const { text, elapsedSeconds } = call.data as { text: string; elapsedSeconds: number }
      return answers.ok(submitted(text, elapsedSeconds))
    })
    const { container } = render(<PracticePage />)
    await settle()
    fireEvent.click(screen.getByText('提交作答'))
    await settle()
    const sent = api.calls.find((call) => call.path === `${PATH}/submit`)
    expect(sent?.data).toEqual({ text: '我的作答', elapsedSeconds: expect.any(Number) })
    expect(container.textContent).toContain('一是完善政策体系')
    expect(container.querySelector('.pp-mine-text')?.textContent).toBe('我的作答')
    expect(container.textContent).toContain('4字 · 用时 01:40')
    expect(screen.getByText('重新提交')).toBeTruthy()
    fireEvent.click(screen.getByText('我的作答 ›'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/practice/pages/answers?id=32' })
  })

  it('the timer waits while the reader only reviews a submitted answer, and runs again on a revision', async () => {
    jest.useFakeTimers()
    api.route(`GET ${PATH}`, answers.ok(submitted('我的作答', 100)))
    const { container } = render(<PracticePage />)
    await flushPromises()
    expect(container.textContent).toContain('参考作答')
    await act(async () => void jest.advanceTimersByTime(5000))
    expect(container.querySelector('.pp-timer')?.textContent).toBe('用时 01:40')
    await type('我的作答，再改一改')
    await act(async () => void jest.advanceTimersByTime(1000))
    expect(container.querySelector('.pp-timer')?.textContent).toBe('用时 01:41')
  })

  it('does not submit an empty answer', async () => {
    api.route(`GET ${PATH}`, answers.ok(detail({ text: ' \n ', elapsedSeconds: 1 })))
    render(<PracticePage />)
    await settle()
    const button = screen.getByText('提交作答') as HTMLButtonElement
    expect(button.disabled).toBe(true)
    fireEvent.click(button)
    await settle()
    expect(api.count(`POST ${PATH}/submit`)).toBe(0)
  })

  it('a VIP question without VIP: the paywall, and 开通VIP会员 opens the membership page', async () => {
    api.route(`GET ${PATH}`, answers.error(403, 'VIP_REQUIRED'))
    const { container } = render(<PracticePage />)
    await settle()
    expect(container.textContent).toContain('本题为VIP内容')
    expect(document.querySelector('textarea')).toBeNull()
    fireEvent.click(screen.getByText('开通VIP会员'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/vip/pages/index' })
    // Back with a membership: loaded again.
    api.route(`GET ${PATH}`, answers.ok(detail()))
    await act(async () => void fire('useDidShow'))
    await settle()
    expect(document.querySelector('textarea')).not.toBeNull()
  })

  it('signed out: asks to sign in and asks the server nothing', async () => {
    resetSession()
    storage.delete('token')
    storage.set('signedOut', '1')
    startSession()
    render(<PracticePage />)
    await settle()
    expect(screen.getByText('登录后练习作答')).toBeTruthy()
    expect(screen.getByText('微信一键登录')).toBeTruthy()
    expect(api.calls).toHaveLength(0)
  })

  it('load failures offer a retry; a bad link or unknown question says so', async () => {
    api.route(`GET ${PATH}`, answers.error(500, 'INTERNAL'), answers.ok(detail()))
    render(<PracticePage />)
    await settle()
    expect(screen.getByText('加载失败')).toBeTruthy()
    fireEvent.click(screen.getByText('重新加载'))
    await settle()
    expect(document.querySelector('textarea')).not.toBeNull()
  })

  it('an unknown question or a malformed link is not found', async () => {
    api.route(`GET ${PATH}`, answers.error(404, 'QUESTION_NOT_FOUND'))
    const { unmount } = render(<PracticePage />)
    await settle()
    expect(screen.getByText('题目不存在或已下线')).toBeTruthy()
    unmount()
    ;(useRouter as jest.Mock).mockReturnValue({ params: { id: '32', q: '<script>' }, path: '' })
    render(<PracticePage />)
    await settle()
    expect(screen.getByText('题目不存在')).toBeTruthy()
    expect(api.count(`GET ${PATH}`)).toBe(1)
  })
})

describe('我的作答', () => {
  const answer = {
    questionId: 'q1',
    label: '例题1',
    prompt: '例题1:请概括归纳给定材料中X市太忻经济一体化发展的做法。',
    wordLimitText: '400字左右',
    wordLimit: 400,
    submission: { text: '字'.repeat(380), elapsedSeconds: 905, submittedAt: '2026-11-27T02:03:00.000Z' },
    revising: true,
  }

  it('lists submitted answers with count, time and date; opens one to revise', async () => {
    api.route(
      'GET /api/practice/answers',
      answers.ok({ issueId: 32, fullTitle: '【山西·第32期】中部城市群高质量发展', items: [answer], lockedAnswers: 1 }),
    )
    const { container } = render(<PracticeAnswersPage />)
    await settle()
    expect(api.calls[0].data).toBeUndefined()
    expect((Taro.request as jest.Mock).mock.calls[0][0].url).toContain('issueId=32')
    expect(container.textContent).toContain('请概括归纳给定材料中X市太忻经济一体化发展的做法')
    expect(container.textContent).toContain('380字（400字左右，字数合适）')
    expect(container.textContent).toContain('用时 15:05')
    expect(container.textContent).toContain('2026-11-27 10:03')
    expect(container.textContent).toContain('修改未提交')
    expect(container.textContent).toContain('另有 1 份VIP例题的作答')
    fireEvent.click(screen.getByText('查看参考作答 / 修改 ›'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/practice/pages/index?id=32&q=q1' })
  })

  it('empty: says how to practise', async () => {
    api.route('GET /api/practice/answers', answers.ok({ issueId: 32, fullTitle: 't', items: [], lockedAnswers: 0 }))
    render(<PracticeAnswersPage />)
    await settle()
    expect(screen.getByText('还没有提交的作答')).toBeTruthy()
  })
})

describe('练习作答 on the article', () => {
  it('numbers questions over all sections as the server does, and opens practice and 我的作答', () => {
    const sections = [
      { id: 's1', heading: '一、背景', blocks: [blocks.paragraph] },
      { id: 's3', heading: '三、实战应用', blocks: [blocks.question, blocks.answer, blocks.question] },
    ] as Parameters<typeof SectionsView>[0]['sections']
    render(<SectionsView sections={sections} practiceIssueId={32} />)
    const buttons = screen.getAllByText('练习作答')
    expect(buttons).toHaveLength(2)
    fireEvent.click(buttons[1])
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/practice/pages/index?id=32&q=q2' })
    fireEvent.click(screen.getAllByText('我的作答 ›')[0])
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/practice/pages/answers?id=32' })
  })

  it('no entry in Moments single-page mode', () => {
    const sections = [{ id: 's3', heading: '三、实战应用', blocks: [blocks.question] }] as Parameters<
      typeof SectionsView
    >[0]['sections']
    render(<SectionsView sections={sections} practiceIssueId={null} />)
    expect(screen.queryByText('练习作答')).toBeNull()
  })
})
