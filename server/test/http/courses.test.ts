import { grantMembership } from '../../src/domain/membership'
import {
  courseId,
  importSampleCourses,
  lessonIds,
  SALE_COURSE_SLUG,
  sampleCourseFile,
  VIP_COURSE_SLUG,
} from '../course-fixtures'
import { dialects, errorOf, issueToken, startTestApp, type TestApp } from '../helpers'

// A stack per case (a simulator, migrations, the sample content and courses): slow on a busy machine.
jest.setTimeout(90000)

const DAY_MS = 86400000
const TTL_SECONDS = 120

/**
 * Video courses (docs/courses.md): who plays which lesson, the signed URLs and the API serving them
 * with byte ranges, progress per lesson. Buying a course sold alone is in course-orders.test.ts.
 */
describe.each(dialects())('courses on %s', (dialect) => {
  let t: TestApp
  let clock = Date.now()
  let vipLessons: number[] = []
  let saleLessons: number[] = []
  let vipCourse = 0
  let saleCourse = 0
  let reader = { userId: 0, token: '' }
  let member = { userId: 0, token: '' }

  const get = (url: string, token?: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'GET',
      url,
      headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    })
  const play = (lesson: number, token?: string) => get(`/api/courses/lessons/${lesson}/play`, token)
  const save = (lesson: number, payload: unknown, token?: string) =>
    t.app.inject({
      method: 'PUT',
      url: `/api/courses/lessons/${lesson}/progress`,
      payload: payload as object,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    })

  beforeAll(async () => {
    t = await startTestApp(dialect, {
      now: () => clock,
      config: { COURSE_MEDIA_URL_TTL_SECONDS: TTL_SECONDS },
    })
    await importSampleCourses(t)
    vipLessons = await lessonIds(t.db, VIP_COURSE_SLUG)
    saleLessons = await lessonIds(t.db, SALE_COURSE_SLUG)
    vipCourse = await courseId(t.db, VIP_COURSE_SLUG)
    saleCourse = await courseId(t.db, SALE_COURSE_SLUG)
    reader = await issueToken(t.db, 'course-reader')
    member = await issueToken(t.db, 'course-member')
    await grantMembership(t.db.kysely, member.userId, 30, 'test', 'test', clock)
  })
  afterAll(() => t.close())

  it('lists the courses with lessons, durations read from the clips, 试看 counts and prices', async () => {
    const response = await get('/api/courses')
    expect(response.statusCode).toBe(200)
    const { items } = response.json()
    expect(items.map((course: { slug: string }) => course.slug)).toEqual([VIP_COURSE_SLUG, SALE_COURSE_SLUG])
    const [vip, sale] = items
    expect(vip).toMatchObject({ access: 'vip', priceFen: null, lessonCount: 4, previewCount: 1, entitled: false })
    expect(vip.durationSeconds).toBe(48)
    expect(sale).toMatchObject({ access: 'sale', priceFen: 2990, originalPriceFen: 4900, lessonCount: 3 })
    expect(
      (await get('/api/courses', member.token)).json().items.map((c: { entitled: boolean }) => c.entitled),
    ).toEqual([true, false])
  })

  it('never names a lesson file in a course list or page, whoever asks', async () => {
    for (const token of [undefined, reader.token, member.token]) {
      for (const url of ['/api/courses', `/api/courses/${vipCourse}`, `/api/courses/${saleCourse}`]) {
        const body = (await get(url, token)).body
        expect(body).not.toContain('/api/media/course/')
        expect(body).not.toContain('lesson-')
        expect(body).not.toContain('sign=')
        expect(body).not.toContain('同学们好')
      }
    }
  })

  it('locks VIP lessons for anyone without VIP, 试看 aside, and says what opens them', async () => {
    const anonymous = (await get(`/api/courses/${vipCourse}`)).json()
    expect(anonymous.lessons.map((lesson: { playable: boolean }) => lesson.playable)).toEqual([
      true,
      false,
      false,
      false,
    ])
    expect(anonymous.lessons[1]).toMatchObject({ preview: false, lockedBy: 'vip', progress: null })
    expect(errorOf(await play(vipLessons[1] as number))).toEqual([403, 'LESSON_LOCKED'])
    const locked = await play(vipLessons[1] as number, reader.token)
    expect(errorOf(locked)).toEqual([403, 'LESSON_LOCKED'])
    expect(locked.json().error.message).toContain('开通会员')
    expect(locked.body).not.toContain('/api/media/course/')
    // Nor the words of its subtitles.
    expect(locked.body).not.toContain('立意要从材料的主线里来')

    const forMember = (await get(`/api/courses/${vipCourse}`, member.token)).json()
    expect(forMember.entitled).toBe(true)
    expect(forMember.lessons.every((lesson: { playable: boolean }) => lesson.playable)).toBe(true)
    expect((await play(vipLessons[3] as number, member.token)).statusCode).toBe(200)
  })

  it('keeps a course sold alone from VIP members until they buy it', async () => {
    const page = (await get(`/api/courses/${saleCourse}`, member.token)).json()
    expect(page.entitled).toBe(false)
    expect(page.lessons.map((lesson: { lockedBy: string | null }) => lesson.lockedBy)).toEqual([
      null,
      'purchase',
      'purchase',
    ])
    const locked = await play(saleLessons[1] as number, member.token)
    expect(errorOf(locked)).toEqual([403, 'LESSON_LOCKED'])
    expect(locked.json().error.message).toContain('购买')
    expect((await play(saleLessons[0] as number)).statusCode).toBe(200)
  })

  it('serves a 试看 lesson by its signed URLs, with byte ranges, to an anonymous viewer', async () => {
    const playback = (await play(vipLessons[0] as number)).json()
    expect(playback.url).toMatch(
      /^\/api\/media\/course\/course-shenlun-gaofen-xiezuo-lesson-1\.mp4\?sign=\d+-[0-9a-f]+-0-[0-9a-f]{32}$/,
    )
    expect(new Date(playback.expiresAt).getTime()).toBe((Math.floor(clock / 1000) + TTL_SECONDS) * 1000)
    const clip = sampleCourseFile(VIP_COURSE_SLUG, 'lesson-1.mp4')
    const whole = await get(playback.url)
    expect(whole.statusCode).toBe(200)
    expect(whole.headers['content-type']).toBe('video/mp4')
    expect(whole.headers['accept-ranges']).toBe('bytes')
    expect(whole.rawPayload.equals(clip)).toBe(true)

    const part = await get(playback.url, undefined, { range: 'bytes=100-1099' })
    expect(part.statusCode).toBe(206)
    expect(part.headers['content-range']).toBe(`bytes 100-1099/${clip.length}`)
    expect(part.rawPayload.equals(clip.subarray(100, 1100))).toBe(true)
    const tail = await get(playback.url, undefined, { range: 'bytes=-500' })
    expect(tail.statusCode).toBe(206)
    expect(tail.rawPayload.equals(clip.subarray(clip.length - 500))).toBe(true)
    const beyond = await get(playback.url, undefined, { range: `bytes=${clip.length + 10}-` })
    expect(errorOf(beyond)).toEqual([416, 'RANGE_NOT_SATISFIABLE'])
    expect(beyond.headers['content-range']).toBe(`bytes */${clip.length}`)

    expect((await get(playback.poster)).headers['content-type']).toBe('image/jpeg')
    expect(playback.cues).toEqual([
      { start: 0, end: 4, text: '同学们好，这一节讲审题。' },
      { start: 4, end: 8, text: '先读作答要求，圈出作答对象、身份和字数。' },
      { start: 8, end: 12, text: '再回到材料，找出与要求对应的段落。' },
    ])
    const subtitles = await get(playback.subtitles)
    expect(subtitles.headers['content-type']).toBe('text/vtt; charset=utf-8')
    expect(subtitles.body).toBe(sampleCourseFile(VIP_COURSE_SLUG, 'lesson-1.vtt').toString('utf8'))
  })

  it('refuses URLs it did not sign, signatures moved to another file, and expired ones', async () => {
    const playback = (await play(vipLessons[0] as number)).json()
    const [path, query] = playback.url.split('?')
    const signature = query.slice('sign='.length)
    const [issued, rand, uid, hash] = signature.split('-')
    const paidFile = path.replace('lesson-1.mp4', 'lesson-2.mp4')
    expect(errorOf(await get(`${paidFile}?${query}`))).toEqual([403, 'URL_SIGNATURE_INVALID'])
    const flipped = `${hash.slice(0, -1)}${hash.endsWith('0') ? '1' : '0'}`
    expect(errorOf(await get(`${path}?sign=${issued}-${rand}-${uid}-${flipped}`))).toEqual([
      403,
      'URL_SIGNATURE_INVALID',
    ])
    // A later issue time (a longer life) breaks the signature too.
    expect(errorOf(await get(`${path}?sign=${Number(issued) + 3600}-${rand}-${uid}-${hash}`))).toEqual([
      403,
      'URL_SIGNATURE_INVALID',
    ])
    expect((await get(path)).statusCode).toBe(400)
    expect(errorOf(await get(`${path}?sign=../../etc`))[0]).toBe(400)

    clock += (TTL_SECONDS + 1) * 1000
    try {
      const expired = await get(playback.url)
      expect(errorOf(expired)).toEqual([403, 'URL_EXPIRED'])
      expect(expired.json().error.message).toContain('过期')
      // Asking again gives a fresh URL that plays.
      expect((await get((await play(vipLessons[0] as number)).json().url)).statusCode).toBe(200)
    } finally {
      clock -= (TTL_SECONDS + 1) * 1000
    }
  })

  it('serves covers without a signature, and nothing else that way', async () => {
    const course = (await get(`/api/courses/${vipCourse}`)).json()
    const cover = await get(course.cover)
    expect(cover.statusCode).toBe(200)
    expect(cover.rawPayload.equals(sampleCourseFile(VIP_COURSE_SLUG, 'cover.jpg'))).toBe(true)
    for (const name of ['course-shenlun-gaofen-xiezuo-lesson-2.jpg', 'course-shenlun-gaofen-xiezuo-lesson-2.mp4'])
      expect(errorOf(await get(`/api/media/course-covers/${name}`))).toEqual([404, 'MEDIA_NOT_FOUND'])
  })

  it('ends VIP lessons with the membership, and says the membership ran out', async () => {
    const lapsed = await issueToken(t.db, 'course-lapsed')
    await grantMembership(t.db.kysely, lapsed.userId, 1, 'test', 'test', clock)
    expect((await play(vipLessons[1] as number, lapsed.token)).statusCode).toBe(200)
    clock += 2 * DAY_MS
    try {
      const refused = await play(vipLessons[1] as number, lapsed.token)
      expect(errorOf(refused)).toEqual([403, 'LESSON_LOCKED'])
      expect(refused.json().error.message).toContain('会员已到期')
    } finally {
      clock -= 2 * DAY_MS
    }
  })

  it('saves progress per lesson, within the lesson, and resumes the course there', async () => {
    const [first, second] = vipLessons as [number, number]
    expect((await save(first, { positionSeconds: 5 })).statusCode).toBe(401)
    expect((await save(first, { positionSeconds: 5 }, reader.token)).json()).toEqual({
      positionSeconds: 5,
      completed: false,
    })
    expect(errorOf(await save(second, { positionSeconds: 5 }, reader.token))).toEqual([403, 'LESSON_LOCKED'])
    const page = (await get(`/api/courses/${vipCourse}`, reader.token)).json()
    expect(page.resume).toEqual({ lessonId: first, positionSeconds: 5 })
    expect(page.lessons[0].progress).toEqual({ positionSeconds: 5, completed: false })
    expect((await play(first, reader.token)).json().startSeconds).toBe(5)

    // Past the end is the end; the end finishes the lesson, and the course resumes at the next one.
    expect((await save(first, { positionSeconds: 3600 }, reader.token)).json()).toEqual({
      positionSeconds: 12,
      completed: true,
    })
    expect((await play(first, reader.token)).json().startSeconds).toBe(0)
    expect((await get(`/api/courses/${vipCourse}`, reader.token)).json()).toMatchObject({
      completedCount: 1,
      resume: { lessonId: second, positionSeconds: 0 },
    })
    // Watching it again keeps it finished.
    expect((await save(first, { positionSeconds: 2 }, reader.token)).json()).toEqual({
      positionSeconds: 2,
      completed: true,
    })

    const mine = (await get(`/api/courses/${vipCourse}`, member.token)).json()
    expect(mine.resume).toBeNull()
    expect((await save(second, { positionSeconds: 7, ended: false }, member.token)).statusCode).toBe(200)
    expect((await get(`/api/courses/${vipCourse}`, member.token)).json().resume).toEqual({
      lessonId: second,
      positionSeconds: 7,
    })
  })

  it('refuses bad input with a 4xx, never a 500', async () => {
    const lesson = vipLessons[0] as number
    for (const payload of [
      { positionSeconds: -1 },
      { positionSeconds: 1e12 },
      { positionSeconds: 'abc' },
      { positionSeconds: 3, percent: 50 },
      {},
    ])
      expect((await save(lesson, payload, reader.token)).statusCode).toBe(400)
    for (const url of [
      '/api/courses/0',
      '/api/courses/abc',
      '/api/courses/99999999999',
      '/api/courses/lessons/1e309/play',
      '/api/courses/lessons/-1/play',
    ])
      expect((await get(url)).statusCode).toBe(400)
    expect(errorOf(await get('/api/courses/2147483647'))).toEqual([404, 'COURSE_NOT_FOUND'])
    expect(errorOf(await play(2147483647))).toEqual([404, 'LESSON_NOT_FOUND'])
    const name = 'x'.repeat(200)
    expect((await get(`/api/media/course/${name}?sign=1-a-0-${'0'.repeat(32)}`)).statusCode).toBe(400)
  })

  it('logs the path of a media request, never its signature', async () => {
    const playback = (await play(vipLessons[0] as number)).json()
    await get(playback.url)
    const signature = playback.url.split('sign=')[1]
    expect(t.logs.text()).toContain('/api/media/course/course-shenlun-gaofen-xiezuo-lesson-1.mp4')
    expect(t.logs.text()).not.toContain(signature)
  })
})
