import { act, fireEvent, render, screen, within } from '@testing-library/react'
import Taro from '@tarojs/taro'
import type { CourseDetail, LessonPlayback } from '@/services/api'
import { resetSession, setMe } from '@/store/session'
import IssueListPage from '@/pages/index/index'
import CoursesPage from '@/subpackages/courses/pages/index'
import CoursePage from '@/subpackages/courses/pages/detail'
import { SAVE_EVERY_MS } from '@/subpackages/courses/useProgressSaver'
import { answers, type FakeApi } from './fake-api'
import { settle, withSignedInReader } from './signed-in'
import { courseDetail, courseOrder, lesson, playback, saleCourse, vipCourse } from './course-fixtures'
import { me, plans } from './fixtures'
import { fire, storage, useRouter } from './mocks/taro'
import { fireTaroEvent } from './mocks/taro-components'

const API = 'http://localhost:3000'
const VIP_UNTIL = '2027-06-30T15:59:59.999Z'
const XPAY = { mode: 'short_series_goods', signData: '{"goodsPrice":2990}', paySig: 'ps', signature: 'sig' }

let api: FakeApi
let now: number

withSignedInReader((fresh) => (api = fresh))

beforeEach(() => {
  now = Date.parse('2026-12-07T02:00:00.000Z')
  jest.spyOn(Date, 'now').mockImplementation(() => now)
})

afterEach(() => {
  jest.restoreAllMocks()
  delete (globalThis as { wx?: unknown }).wx
})

const playCalls = () => api.calls.filter((call) => /^\/api\/courses\/lessons\/\d+\/play$/.test(call.path))
const progressCalls = () => api.calls.filter((call) => call.method === 'PUT')
const video = (container: HTMLElement) => container.querySelector('video')

/** The player's event, as WeChat sends it */
const playerEvent = (container: HTMLElement, name: string, detail: unknown = {}) =>
  act(async () => {
    const element = video(container)
    if (!element) throw new Error('no player on the page')
    await fireTaroEvent(element, name, detail)
    await new Promise((resolve) => setTimeout(resolve, 0))
  })

/** Opens the course page on `detail`, with each lesson's playback as the server would sign it (and `extra`) */
async function openCourse(detail: CourseDetail, extra: Partial<LessonPlayback> = {}) {
  useRouter.mockReturnValue({ params: { id: String(detail.id) }, path: '' })
  api.route(`GET /api/courses/${detail.id}`, answers.ok(detail))
  for (const item of detail.lessons) {
    const start = detail.resume?.lessonId === item.id ? detail.resume.positionSeconds : 0
    api.route(`GET /api/courses/lessons/${item.id}/play`, () =>
      answers.ok({ ...playback(item.id, start, now), ...extra }),
    )
    api.route(`PUT /api/courses/lessons/${item.id}/progress`, (call) => {
      const body = call.data as { positionSeconds: number; ended?: boolean }
      return answers.ok({ positionSeconds: body.positionSeconds, completed: body.ended === true })
    })
  }
  const view = render(<CoursePage />)
  await settle()
  await settle()
  return view
}

const lessonRow = (position: number) => screen.getByRole('button', { name: new RegExp(`^第${position}节 `) })

describe('课程 list', () => {
  it('首页 has 课程 › beside 图书 ›, which opens the list', async () => {
    render(<IssueListPage />)
    await settle()
    const store = screen.getByText('图书 ›').parentElement as HTMLElement
    expect(store.nextElementSibling?.textContent).toBe('课程 ›')
    fireEvent.click(screen.getByText('课程 ›'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/courses/pages/index' })
  })

  it('shows each course: cover, teacher, N节 · 时长 · 试看, VIP免费 / price with 原价 / 已购, 已学 N/M', async () => {
    api.route(
      'GET /api/courses',
      answers.ok({
        items: [
          vipCourse({ completedCount: 2 }),
          saleCourse(),
          saleCourse({ id: 3, title: '面试真题串讲', entitled: true, completedCount: 3 }),
        ],
      }),
    )
    const { container } = render(<CoursesPage />)
    expect(container.querySelector('.courses-loading')).not.toBeNull()
    await settle()
    const rows = Array.from(container.querySelectorAll('.course')).map((row) => row.textContent)
    expect(rows).toEqual([
      '4节申论高分写作课从审题到成文，四节课练出高分申论主讲：李明4节 · 共8分钟 · 1节试看VIP免费已学 2/4',
      '3节结构化面试精讲六类题型的答题框架与真题示范主讲：王芳3节 · 共1小时5分钟 · 1节试看¥29.9¥49',
      '3节面试真题串讲六类题型的答题框架与真题示范主讲：王芳3节 · 共1小时5分钟已购已学 3/3',
    ])
    expect(container.querySelector('.course-original')?.textContent).toBe('¥49')
    expect(container.querySelector('.course-cover-image')?.getAttribute('data-src')).toBe(
      `${API}/api/media/course-covers/shenlun-gaofen-xiezuo.jpg`,
    )
    fireEvent.click(screen.getByText('结构化面试精讲'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/courses/pages/detail?id=2' })
  })

  it('an empty list says so; a failed load can be retried; back from a course it is asked again', async () => {
    api.route('GET /api/courses', answers.error(503, 'UNAVAILABLE'), answers.ok({ items: [] }))
    render(<CoursesPage />)
    await settle()
    expect(screen.getByText('课程加载失败')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: '重新加载' }))
    await settle()
    expect(screen.getByText('暂无课程')).toBeTruthy()
    fire('useDidShow')
    fire('useDidShow')
    await settle()
    expect(api.count('GET /api/courses')).toBe(3)
    expect(fire('useShareAppMessage')).toEqual({ title: '北辰遴选·视频课程', path: '/subpackages/courses/pages/index' })
  })
})

describe('course page', () => {
  it('opens on the 试看 lesson, not playing; the lessons say 试看, 🔒 VIP, duration; no URL of a locked lesson is asked for', async () => {
    const { container } = await openCourse(courseDetail(vipCourse()))
    expect(playCalls().map((call) => call.path)).toEqual(['/api/courses/lessons/11/play'])
    const player = video(container)!
    expect(player.getAttribute('data-src')).toMatch(new RegExp(`^${API}/api/media/course/lesson-11\\.mp4\\?sign=`))
    expect(player.getAttribute('data-poster')).toMatch(/lesson-11\.jpg\?sign=/)
    expect(player.getAttribute('data-initial-time')).toBe('0')
    expect(player.getAttribute('data-autoplay')).toBe('false')
    expect(lessonRow(1).textContent).toBe('01第1讲标题第1讲讲什么02:00试看当前')
    expect(lessonRow(2).textContent).toBe('02第2讲标题第2讲讲什么02:00🔒VIP')
    expect(container.querySelector('.course-now')?.textContent).toBe('第1节 · 第1讲标题')
    expect(screen.getByText('课程简介')).toBeTruthy()
    expect(screen.getByText('第二段简介。')).toBeTruthy()
    expect(screen.getByText('课程目录 · 共4节')).toBeTruthy()
    expect(Taro.setNavigationBarTitle).toHaveBeenCalledWith({ title: '申论高分写作课' })
    expect(fire('useShareAppMessage')).toEqual({
      title: '申论高分写作课',
      path: '/subpackages/courses/pages/detail?id=1',
    })
  })

  it('a VIP lesson shows its paywall in place of the player; 开通会员, and back with VIP it plays', async () => {
    const course = vipCourse()
    const { container } = await openCourse(courseDetail(course))
    fireEvent.click(lessonRow(2))
    await settle()
    expect(video(container)).toBeNull()
    expect(playCalls()).toHaveLength(1)
    const paywall = container.querySelector('#paywall') as HTMLElement
    expect(within(paywall).getByText('本课为VIP专享')).toBeTruthy()
    expect(paywall.textContent).toContain('第2节 · 第2讲标题')
    // Customer service under the card, as on the article's paywall
    expect(paywall.querySelector('.service-contact-line')?.textContent).toBe(
      '开通会员如有疑问，请联系客服 400-1788-950（09:00—21:30）',
    )
    fireEvent.click(within(paywall).getByRole('button', { name: '开通会员' }))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/vip/pages/index?from=course' })

    // Bought on 开通会员; back here, the course is asked again and lesson 2 plays at once.
    const vip = { ...course, entitled: true }
    api.route('GET /api/courses/1', answers.ok(courseDetail(vip)))
    act(() => setMe(me({ membership: { active: true, expiresAt: VIP_UNTIL } })))
    fire('useDidShow')
    await settle()
    await settle()
    expect(api.count('GET /api/courses/1')).toBe(2)
    expect(playCalls().map((call) => call.path)).toEqual([
      '/api/courses/lessons/11/play',
      '/api/courses/lessons/12/play',
    ])
    expect(video(container)?.getAttribute('data-src')).toMatch(/lesson-12\.mp4/)
    expect(video(container)?.getAttribute('data-autoplay')).toBe('true')
    expect(lessonRow(2).textContent).not.toContain('🔒')
  })

  it('a course sold alone: 购买本课程 ¥29.9 with 原价, paid on the VIP rail, then the course plays unlocked', async () => {
    ;(globalThis as { wx?: unknown }).wx = {
      requestVirtualPayment: (options: { success: (res: unknown) => void }) =>
        options.success({ errMsg: 'requestVirtualPayment:ok' }),
    }
    api.route(
      'GET /api/plans',
      answers.ok({ items: plans, preselected: 'year', purchase: { rail: 'xpay', available: true, notice: '' } }),
    )
    api.route('POST /api/auth/login', answers.ok({ token: 'tok-1', expiresAt: '2030-01-01T00:00:00.000Z', me: me() }))
    api.route(
      'POST /api/courses/2/orders',
      answers.ok({ order: courseOrder(5, 'pending'), payment: { rail: 'xpay', xpay: XPAY } }),
    )
    api.route('GET /api/orders/5', answers.ok(courseOrder(5, 'fulfilled')))
    api.route('GET /api/me', answers.ok(me()))
    const course = saleCourse()
    const { container } = await openCourse(courseDetail(course))
    expect(container.querySelector('.course-page .course-price')?.textContent).toBe('¥29.9')

    fireEvent.click(lessonRow(3))
    await settle()
    const paywall = container.querySelector('#paywall') as HTMLElement
    expect(within(paywall).getByText('购买后即可观看本课')).toBeTruthy()
    expect(paywall.querySelector('.course-paywall-original')?.textContent).toBe('原价¥49')
    expect(api.count('GET /api/plans')).toBe(1)

    api.route('GET /api/courses/2', answers.ok(courseDetail({ ...course, entitled: true })))
    fireEvent.click(within(paywall).getByRole('button', { name: '购买本课程 ¥29.9' }))
    for (let round = 0; round < 6; round++) await settle()

    const sequence = api.calls.map((call) => `${call.method} ${call.path}`)
    // xpay signs with the session_key of the latest wx.login: a sign-in just before the order.
    expect(sequence.indexOf('POST /api/auth/login')).toBeLessThan(sequence.indexOf('POST /api/courses/2/orders'))
    const order = api.calls.find((call) => call.path === '/api/courses/2/orders')
    expect(order?.data).toEqual({ platform: 'android', requestKey: expect.stringMatching(/^rk_/) })
    expect(JSON.stringify(order?.data)).not.toMatch(/price|amount|fen/i)
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '购买成功' }))
    expect(api.count('GET /api/courses/2')).toBe(2)
    expect(video(container)?.getAttribute('data-src')).toMatch(/lesson-23\.mp4/)
    expect(container.querySelector('.course-page .course-price')?.textContent).toBe('已购')
  })

  it('COURSE_OWNED (bought already): the course reloads unlocked and plays', async () => {
    api.route(
      'GET /api/plans',
      answers.ok({ items: plans, preselected: 'year', purchase: { rail: 'wechatpay', available: true, notice: '' } }),
    )
    api.route('POST /api/courses/2/orders', {
      status: 409,
      body: { error: { code: 'COURSE_OWNED', message: '您已购买本课程，无需重复购买' } },
    })
    const course = saleCourse()
    const { container } = await openCourse(courseDetail(course))
    fireEvent.click(lessonRow(2))
    await settle()
    api.route('GET /api/courses/2', answers.ok(courseDetail({ ...course, entitled: true })))
    fireEvent.click(screen.getByRole('button', { name: '购买本课程 ¥29.9' }))
    for (let round = 0; round < 4; round++) await settle()
    expect(api.count('GET /api/courses/2')).toBe(2)
    expect(video(container)?.getAttribute('data-src')).toMatch(/lesson-22\.mp4/)
  })

  it('where the platform may not buy: no price and no button, the server’s notice', async () => {
    const notice = '由于相关规范，iOS功能暂不可用'
    api.route(
      'GET /api/plans',
      answers.ok({ items: [], preselected: 'year', purchase: { rail: 'wechatpay', available: false, notice } }),
    )
    const { container } = await openCourse(courseDetail(saleCourse()))
    fireEvent.click(lessonRow(2))
    await settle()
    const paywall = container.querySelector('#paywall') as HTMLElement
    expect(paywall.textContent).toContain(notice)
    expect(within(paywall).queryByRole('button', { name: /购买本课程/ })).toBeNull()
    expect(paywall.textContent).not.toContain('¥')
  })

  it('saves the place at most every 10 s while playing, at once on pause and when the page hides', async () => {
    const { container } = await openCourse(courseDetail(vipCourse()))
    await playerEvent(container, 'onPlay')
    for (let second = 1; second <= 25; second++) {
      now += 1000
      await playerEvent(container, 'onTimeUpdate', { currentTime: second, duration: 120 })
    }
    // 10 s and 20 s after the player started: two saves, not one per update.
    expect(progressCalls().map((call) => call.data)).toEqual([{ positionSeconds: 10 }, { positionSeconds: 20 }])
    expect(progressCalls()[0].path).toBe('/api/courses/lessons/11/progress')
    expect(progressCalls()[0].token).toBe('tok')

    await playerEvent(container, 'onPause')
    expect(progressCalls().map((call) => call.data)).toContainEqual({ positionSeconds: 25 })
    expect(lessonRow(1).textContent).toContain('学到 00:25')
    // Nothing moved since: a hide saves nothing more.
    fire('useDidHide')
    await settle()
    expect(progressCalls()).toHaveLength(3)
    now += 2000
    await playerEvent(container, 'onTimeUpdate', { currentTime: 27, duration: 120 })
    fire('useDidHide')
    await settle()
    expect(progressCalls().at(-1)?.data).toEqual({ positionSeconds: 27 })
  })

  it('draws the subtitles under the player, one cue at a time, and hides them on 字幕 关', async () => {
    const cues = [
      { start: 0, end: 4, text: '同学们好，这一节讲审题。' },
      { start: 4, end: 8, text: '先读作答要求。' },
    ]
    const { container } = await openCourse(courseDetail(vipCourse()), { cues })
    const caption = () => container.querySelector('.lesson-caption')?.textContent
    expect(caption()).toBe('同学们好，这一节讲审题。')
    await playerEvent(container, 'onTimeUpdate', { currentTime: 5.2, duration: 120 })
    expect(caption()).toBe('先读作答要求。')
    await playerEvent(container, 'onTimeUpdate', { currentTime: 9, duration: 120 })
    expect(caption()).toBe('')
    await playerEvent(container, 'onTimeUpdate', { currentTime: 1, duration: 120 })
    fireEvent.click(screen.getByRole('button', { name: '字幕 开' }))
    await settle()
    expect(caption()).toBe('')
    expect(screen.getByRole('button', { name: '字幕 关' })).toBeTruthy()
  })

  it('shows no subtitle line for a lesson without subtitles', async () => {
    const { container } = await openCourse(courseDetail(vipCourse()))
    expect(video(container)).not.toBeNull()
    expect(container.querySelector('.lesson-captions')).toBeNull()
  })

  it('ended: the lesson is done (✓ 已学完) and the next one is offered; it may be locked', async () => {
    const { container } = await openCourse(courseDetail(vipCourse()))
    await playerEvent(container, 'onPlay')
    now += 3000
    await playerEvent(container, 'onTimeUpdate', { currentTime: 119.6, duration: 120 })
    await playerEvent(container, 'onEnded')
    expect(progressCalls().at(-1)?.data).toEqual({ positionSeconds: 119, ended: true })
    expect(lessonRow(1).textContent).toContain('✓ 已学完')
    expect(container.querySelector('.course-ended')?.textContent).toBe('✓ 本节已学完下一节：第2节 第2讲标题 ›')
    fireEvent.click(screen.getByRole('button', { name: '下一节：第2节 第2讲标题 ›' }))
    await settle()
    expect(screen.getByText('本课为VIP专享')).toBeTruthy()
    expect(playCalls()).toHaveLength(1)
  })

  it('resumes where the reader stopped: that lesson at its place, 上次学到 第2节 01:05 with 继续学习', async () => {
    const course = vipCourse({ entitled: true })
    const lessons = [1, 2, 3, 4].map((position) =>
      lesson(course, position, position === 2 ? { progress: { positionSeconds: 65, completed: false } } : {}),
    )
    const { container } = await openCourse(
      courseDetail(course, { resume: { lessonId: 12, positionSeconds: 65 } }, lessons),
    )
    expect(playCalls().map((call) => call.path)).toEqual(['/api/courses/lessons/12/play'])
    expect(video(container)?.getAttribute('data-initial-time')).toBe('65')
    expect(video(container)?.getAttribute('data-autoplay')).toBe('false')
    expect(container.querySelector('.course-resume')?.textContent).toBe('上次学到 第2节 01:05继续学习 ›')
    expect(lessonRow(2).textContent).toContain('学到 01:05')
    expect(lessonRow(2).getAttribute('aria-current')).toBe('true')

    fireEvent.click(screen.getByText('继续学习 ›'))
    await settle()
    expect(playCalls()).toHaveLength(2)
    expect(video(container)?.getAttribute('data-autoplay')).toBe('true')
    await playerEvent(container, 'onPlay')
    expect(container.querySelector('.course-resume')).toBeNull()
    // The lesson playing is not asked for again when tapped.
    fireEvent.click(lessonRow(2))
    await settle()
    expect(playCalls()).toHaveLength(2)
    expect(Taro.pageScrollTo).toHaveBeenCalledWith({ scrollTop: 0, duration: 200 })
  })

  it('a player error past expiresAt asks for fresh URLs and goes on where it was; before it, 重新加载', async () => {
    const { container } = await openCourse(courseDetail(vipCourse()))
    await playerEvent(container, 'onPlay')
    now += 2000
    await playerEvent(container, 'onTimeUpdate', { currentTime: 42, duration: 120 })
    const first = video(container)?.getAttribute('data-src')

    // Not expired yet: the reader is told, and 重新加载 asks again.
    await playerEvent(container, 'onError', { errMsg: 'MEDIA_ERR_NETWORK' })
    expect(video(container)).toBeNull()
    expect(screen.getByRole('alert').textContent).toContain('视频播放失败，请重试')
    fireEvent.click(screen.getByRole('button', { name: '重新加载' }))
    await settle()
    expect(playCalls()).toHaveLength(2)

    // Expired: fresh URLs at once, starting where it stopped, playing.
    await playerEvent(container, 'onTimeUpdate', { currentTime: 42, duration: 120 })
    now += 11 * 60_000
    await playerEvent(container, 'onError', { errMsg: 'MEDIA_ERR_SRC_NOT_SUPPORTED' })
    expect(playCalls()).toHaveLength(3)
    const fresh = video(container)!
    expect(fresh.getAttribute('data-src')).not.toBe(first)
    expect(fresh.getAttribute('data-initial-time')).toBe('42')
    expect(fresh.getAttribute('data-autoplay')).toBe('true')
  })

  it('LESSON_LOCKED from …/play: the paywall with the server’s words, and the course asked again', async () => {
    const course = vipCourse({ entitled: true })
    const { container } = await openCourse(courseDetail(course))
    api.route('GET /api/courses/lessons/13/play', {
      status: 403,
      body: { error: { code: 'LESSON_LOCKED', message: '您的VIP会员已到期，续费后可继续学习' } },
    })
    api.route('GET /api/courses/1', answers.ok(courseDetail(vipCourse())))
    fireEvent.click(lessonRow(3))
    await settle()
    await settle()
    expect(video(container)).toBeNull()
    expect(screen.getByText('您的VIP会员已到期，续费后可继续学习')).toBeTruthy()
    expect(api.count('GET /api/courses/1')).toBe(2)
  })

  it('a reader not signed in watches 试看 with nothing saved', async () => {
    resetSession()
    storage.delete('token')
    const { container } = await openCourse(courseDetail(vipCourse()))
    await playerEvent(container, 'onPlay')
    now += SAVE_EVERY_MS * 2
    await playerEvent(container, 'onTimeUpdate', { currentTime: 20, duration: 120 })
    await playerEvent(container, 'onPause')
    expect(progressCalls()).toHaveLength(0)
  })

  it('a course without lessons shows no player', async () => {
    const { container } = await openCourse(courseDetail(vipCourse({ lessonCount: 0 }), {}, []))
    expect(container.querySelector('.course-stage')).toBeNull()
    expect(video(container)).toBeNull()
    expect(screen.getByText('课程目录 · 共0节')).toBeTruthy()
  })

  it('an unknown course says so', async () => {
    useRouter.mockReturnValue({ params: { id: '99' }, path: '' })
    api.route('GET /api/courses/99', answers.error(404, 'COURSE_NOT_FOUND'))
    render(<CoursePage />)
    await settle()
    expect(screen.getByText('课程不存在或已下线')).toBeTruthy()
  })
})
