/**
 * 课程 (subpackages/courses) of the real weapp build, on miniprogram-simulate, against the real API
 * server with its sample courses: the list and a course page render within the node budget (< 1000
 * WXML nodes) and the setData budget (each payload ≤ 64 KB); the player gets the 试看 lesson's signed
 * URL and a locked lesson its paywall; a VIP reader's place is saved when the player pauses. The
 * reader is signed in at launch with a stored token (no WeChat here for a fresh sign-in).
 * Build first: npm run build:weapp.
 */
import {
  assertWeappBuilt,
  bootWeapp,
  startApiServer,
  treeStats,
  type ApiServer,
  type PageHandle,
  type Weapp,
} from './harness'

jest.setTimeout(180_000)

const LIST_PAGE = 'subpackages/courses/pages/index'
const COURSE_PAGE = 'subpackages/courses/pages/detail'
const SET_DATA_BUDGET = 64 * 1024
const VIP_COURSE = '申论高分写作课'
const SALE_COURSE = '结构化面试精讲'

let api: ApiServer | undefined
let weapp: Weapp
let courseId: number
let lessonIds: number[]
let readerToken: string

beforeAll(async () => {
  assertWeappBuilt()
  api = await startApiServer()
  const list = (await (await fetch(`${api.origin}/api/courses`)).json()) as { items: { id: number; title: string }[] }
  const course = list.items.find((item) => item.title === VIP_COURSE)
  if (!course) throw new Error(`the sample course ${VIP_COURSE} is not on the shelf`)
  courseId = course.id
  const detail = (await (await fetch(`${api.origin}/api/courses/${courseId}`)).json()) as { lessons: { id: number }[] }
  lessonIds = detail.lessons.map((lesson) => lesson.id)
  // Signed in at launch as a reader without VIP (the API here has no WeChat for a fresh sign-in).
  const issued = await api.admin('token', 'weapp-course-reader')
  const reader = /^token (\S+)$/m.exec(issued)?.[1]
  if (!reader) throw new Error(`admin token printed no token:\n${issued}`)
  readerToken = reader
  weapp = bootWeapp({ apiOrigin: api.origin, storage: { token: reader } })
})

afterAll(async () => {
  await api?.stop()
})

beforeEach(() => weapp.clearLogs())

/** The signed video URLs in the page's data (the player's src: miniprogram-simulate keeps no attributes on it) */
const videoUrls = (page: PageHandle) =>
  JSON.stringify(page.component.instance.data).match(/[^"]*\/api\/media\/course\/[^"]+\.mp4\?sign=[^"]+/g) ?? []

const largestSetData = () => Math.max(0, ...weapp.setDataLog.map((record) => record.bytes))

describe('课程 (weapp runtime)', () => {
  it('the list: both sample courses, VIP免费 and the price with 原价, within the budgets', async () => {
    weapp.storage.set('token', readerToken)
    const page = await weapp.open(LIST_PAGE)
    await page.waitFor([VIP_COURSE, SALE_COURSE, 'VIP免费', '¥29.9', '¥49', '4节 · 共', '1节试看'])
    expect(weapp.requests).toContain('GET /api/courses')
    expect(treeStats(page.component.dom).nodes).toBeLessThan(1000)
    expect(largestSetData()).toBeLessThanOrEqual(SET_DATA_BUDGET)

    page.tap('.course')
    expect((await weapp.waitForCall('navigateTo')).options.url).toBe(`/subpackages/courses/pages/detail?id=${courseId}`)
    page.unload()
  })

  it('a course: the 试看 lesson on the player, a VIP lesson’s paywall in its place, within the budgets', async () => {
    weapp.storage.set('token', readerToken)
    const page = await weapp.open(COURSE_PAGE, { id: String(courseId) })
    await page.waitFor(['课程目录 · 共4节', '课程简介', '试看', '第1节 · '])
    await page.waitFor(() => page.has('.lesson-video'))
    expect(videoUrls(page)).toEqual([expect.stringMatching(/\/api\/media\/course\/[^?]+-lesson-1\.mp4\?sign=/)])
    // Only the 试看 lesson was asked for: the paid ones were never requested.
    const plays = weapp.requests.filter((request) => /\/play$/.test(request))
    expect(plays).toEqual([`GET /api/courses/lessons/${lessonIds[0]}/play`])
    expect(treeStats(page.component.dom).nodes).toBeLessThan(1000)
    expect(largestSetData()).toBeLessThanOrEqual(SET_DATA_BUDGET)

    page.component.querySelectorAll('.lesson')[1].dispatchEvent('tap')
    await page.waitFor(['本课为VIP专享', '开通会员'])
    expect(page.has('.lesson-video')).toBe(false)
    expect(weapp.requests.filter((request) => /\/play$/.test(request))).toHaveLength(1)
    expect(treeStats(page.component.dom).nodes).toBeLessThan(1000)
    expect(largestSetData()).toBeLessThanOrEqual(SET_DATA_BUDGET)
    page.unload()
  })

  it('a VIP reader plays lesson 2; pausing saves the place', async () => {
    weapp.storage.set('token', await api!.vipToken())
    const page = await weapp.open(COURSE_PAGE, { id: String(courseId) })
    await page.waitFor(['课程目录 · 共4节'])
    await page.waitFor(() => page.has('.lesson-video'))
    page.component.querySelectorAll('.lesson')[1].dispatchEvent('tap')
    await page.waitFor(() => weapp.requests.includes(`GET /api/courses/lessons/${lessonIds[1]}/play`))
    await page.waitFor(() => videoUrls(page).some((url) => /-lesson-2\.mp4\?sign=/.test(url)))
    const player = page.component.querySelector('.lesson-video')!
    player.dispatchEvent('play')
    player.dispatchEvent('timeupdate', { detail: { currentTime: 6.4, duration: 12 } })
    player.dispatchEvent('pause')
    await page.waitFor(() => weapp.requests.includes(`PUT /api/courses/lessons/${lessonIds[1]}/progress`))
    await page.waitFor('学到 00:06')
    expect(largestSetData()).toBeLessThanOrEqual(SET_DATA_BUDGET)
    page.unload()
  })
})
