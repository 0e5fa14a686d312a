import type { Page } from 'playwright-core'
import { recordResponses, useStackAndBrowser, withPage } from './harness'

/**
 * 视频课程 on the H5 build, the real API (with its sample courses) and Chromium, which decodes the
 * lessons' H.264 clips: a reader without VIP opens 课程 from 首页 and 申论高分写作课, the 试看 lesson
 * really plays (its signed URL, answered in byte ranges), lesson 2 shows the VIP paywall, and no URL
 * of a paid lesson reaches the browser, in any response or in the page. A VIP reader plays lesson 2
 * for a few seconds, and after a reload the page opens there: 上次学到 第2节 and the player at the
 * saved place.
 */
jest.setTimeout(180_000)

const VIP_COURSE = '申论高分写作课'
/** A media URL of lessons 2–4 (paid in the VIP course; in the course sold alone too) */
const PAID_MEDIA = /\/api\/media\/course\/[^"'\s<>?]*lesson-[234]\.(mp4|jpg|vtt)/
/** A line of lesson 2's subtitles (content/courses/shenlun-gaofen-xiezuo/lesson-2.vtt): paid words */
const PAID_SUBTITLE = '立意要从材料的主线里来'

const env = useStackAndBrowser()

async function waitForText(page: Page, text: string | RegExp, timeout = 30_000): Promise<void> {
  await page.getByText(text).filter({ visible: true }).first().waitFor({ state: 'visible', timeout })
}

/** The player's <video> (Taro's H5 Video renders one inside its web component) */
const player = (page: Page) => page.locator('taro-video-core video').filter({ visible: true }).first()

/** Waits until the player's source is a URL that matches `pattern`; answers it */
async function waitForSource(page: Page, pattern: RegExp): Promise<string> {
  const found = await page.waitForFunction((source) => {
    const video = document.querySelector('taro-video-core video') as HTMLVideoElement | null
    return video && new RegExp(source).test(video.src) ? video.src : null
  }, pattern.source)
  return (await found.jsonValue()) as string
}

/** Plays the video on the page (muted, as a headless browser allows without a gesture) until `seconds` */
async function playUntil(page: Page, seconds: number): Promise<void> {
  await player(page).evaluate((video: HTMLVideoElement) => {
    video.muted = true
    return video.play()
  })
  await page.waitForFunction(
    (at) => {
      const video = document.querySelector('taro-video-core video') as HTMLVideoElement | null
      return video !== null && video.readyState >= 2 && video.currentTime >= at
    },
    seconds,
    { timeout: 30_000 },
  )
}

const lesson = (page: Page, position: number) =>
  page
    .getByRole('button', { name: new RegExp(`^第${position}节 `) })
    .filter({ visible: true })
    .first()

test('a reader without VIP watches the 试看 lesson and meets the paywall on lesson 2; no paid URL arrives', async () => {
  const { stack, browser } = env
  await withPage(browser, 'courses-preview', async (page) => {
    page.setDefaultTimeout(30_000)
    const recorded = recordResponses(page)
    const requested: string[] = []
    page.on('request', (request) => requested.push(request.url()))

    await page.goto(`${stack.origin}/?wxuser=course-reader`)
    await page.getByText('课程 ›', { exact: true }).filter({ visible: true }).click()
    await waitForText(page, VIP_COURSE)
    const row = page.locator('.course').filter({ hasText: VIP_COURSE }).filter({ visible: true }).first()
    expect(await row.innerText()).toMatch(/4节 · 共48秒 · 1节试看[\s\S]*VIP免费/)
    await row.click()

    await waitForText(page, '课程目录 · 共4节')
    await waitForSource(page, /\/api\/media\/course\/[^?]+lesson-1\.mp4\?sign=/)
    // H5's video is absolutely positioned: its box must keep it above the lesson's line, not over it.
    const box = await page.locator('.lesson-player').filter({ visible: true }).boundingBox()
    const under = await page.locator('.course-now').filter({ visible: true }).boundingBox()
    expect(box!.height).toBeGreaterThan(150)
    expect(under!.y).toBeGreaterThanOrEqual(box!.y + box!.height - 1)
    await playUntil(page, 1)
    const media = await recorded
      .settle()
      .then(() =>
        recorded.responses.filter((response) => /\/api\/media\/course\/[^?]+lesson-1\.mp4/.test(response.url)),
      )
    expect(media.length).toBeGreaterThan(0)
    expect(media.every((response) => response.status === 200 || response.status === 206)).toBe(true)
    // Its subtitles, drawn under the player (WeChat's player takes no track).
    await page.locator('.lesson-caption').filter({ hasText: '同学们好，这一节讲审题。' }).first().waitFor()

    await lesson(page, 2).click()
    const paywall = page.locator('#paywall').filter({ visible: true })
    await paywall.getByText('本课为VIP专享').waitFor()
    expect(await paywall.innerText()).toMatch(/第2节[\s\S]*开通会员/)
    expect(await player(page).count()).toBe(0)

    await recorded.settle()
    const leaks = recorded.responses.filter((response) => PAID_MEDIA.test(response.body))
    expect(leaks.map((response) => response.url)).toEqual([])
    expect(requested.filter((url) => PAID_MEDIA.test(url))).toEqual([])
    expect(PAID_MEDIA.test(await page.content())).toBe(false)
    // Nor the words of lesson 2's subtitles.
    expect(recorded.responses.filter((response) => response.body.includes(PAID_SUBTITLE)).map((r) => r.url)).toEqual([])
  })
})

test('a VIP reader plays lesson 2; after a reload the page opens there, at the saved place', async () => {
  const { stack, browser } = env
  const token = await stack.vipToken('course-vip')
  const courses = (await (await fetch(`${stack.apiOrigin}/api/courses`)).json()) as {
    items: { id: number; title: string }[]
  }
  const course = courses.items.find((item) => item.title === VIP_COURSE)
  if (!course) throw new Error(`the sample course ${VIP_COURSE} is not on the shelf`)

  await withPage(
    browser,
    'courses-resume',
    async (page) => {
      page.setDefaultTimeout(30_000)
      await page.goto(`${stack.origin}/#/subpackages/courses/pages/detail?id=${course.id}`)
      await waitForText(page, '课程目录 · 共4节')
      await lesson(page, 2).click()
      await waitForSource(page, /lesson-2\.mp4\?sign=/)
      await playUntil(page, 3)
      // Pausing saves the place at once.
      const saved = page.waitForResponse((response) => /\/api\/courses\/lessons\/\d+\/progress$/.test(response.url()))
      const pausedAt = await player(page).evaluate((video: HTMLVideoElement) => {
        video.pause()
        return video.currentTime
      })
      const progress = (await (await saved).json()) as { positionSeconds: number; completed: boolean }
      // The place of the player's last time update (they come every 250 ms), in whole seconds.
      expect(progress.positionSeconds).toBeGreaterThanOrEqual(Math.floor(pausedAt) - 1)
      expect(progress.positionSeconds).toBeLessThanOrEqual(Math.floor(pausedAt))
      expect(progress.completed).toBe(false)

      const played = page.waitForResponse((response) => /\/api\/courses\/lessons\/\d+\/play$/.test(response.url()))
      await page.reload()
      const playback = (await (await played).json()) as { url: string; startSeconds: number }
      expect(playback.url).toMatch(/lesson-2\.mp4\?sign=/)
      expect(playback.startSeconds).toBeGreaterThan(0)
      const place = `00:${String(progress.positionSeconds).padStart(2, '0')}`
      await waitForText(page, `上次学到 第2节 ${place}`)
      expect(await lesson(page, 2).innerText()).toContain(`学到 ${place}`)
      await waitForSource(page, /lesson-2\.mp4\?sign=/)
      // The player starts at the saved place once the video's metadata is in.
      await page.waitForFunction(
        (at) => {
          const video = document.querySelector('taro-video-core video') as HTMLVideoElement | null
          return video !== null && video.readyState >= 1 && Math.abs(video.currentTime - at) < 1
        },
        playback.startSeconds,
        { timeout: 30_000 },
      )
    },
    { token },
  )
})
