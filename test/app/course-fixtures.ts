import type { CourseDetail, CourseSummary, Lesson, LessonPlayback, Order } from '@/services/api'

/** 申论高分写作课: included in VIP, four lessons of two minutes, the first one 试看 */
export function vipCourse(overrides: Partial<CourseSummary> = {}): CourseSummary {
  return {
    id: 1,
    slug: 'shenlun-gaofen-xiezuo',
    title: '申论高分写作课',
    subtitle: '从审题到成文，四节课练出高分申论',
    cover: '/api/media/course-covers/shenlun-gaofen-xiezuo.jpg',
    teacher: '李明',
    lessonCount: 4,
    durationSeconds: 480,
    previewCount: 1,
    access: 'vip',
    priceFen: null,
    originalPriceFen: null,
    entitled: false,
    completedCount: 0,
    ...overrides,
  }
}

/** 结构化面试精讲: sold alone at ¥29.90 (原价 ¥49.00), three lessons, the first one 试看 */
export function saleCourse(overrides: Partial<CourseSummary> = {}): CourseSummary {
  return {
    id: 2,
    slug: 'jiegouhua-mianshi',
    title: '结构化面试精讲',
    subtitle: '六类题型的答题框架与真题示范',
    cover: null,
    teacher: '王芳',
    lessonCount: 3,
    durationSeconds: 3900,
    previewCount: 1,
    access: 'sale',
    priceFen: 2990,
    originalPriceFen: 4900,
    entitled: false,
    completedCount: 0,
    ...overrides,
  }
}

/** Lesson `position` of a course: id = course id × 10 + position; the first one is 试看 */
export function lesson(course: CourseSummary, position: number, overrides: Partial<Lesson> = {}): Lesson {
  const preview = position === 1
  const playable = preview || course.entitled
  return {
    id: course.id * 10 + position,
    position,
    title: `第${position}讲标题`,
    outline: `第${position}讲讲什么`,
    durationSeconds: 120,
    preview,
    playable,
    lockedBy: playable ? null : course.access === 'vip' ? 'vip' : 'purchase',
    progress: null,
    ...overrides,
  }
}

/** The course's page as GET /api/courses/:id answers it */
export function courseDetail(
  course: CourseSummary,
  overrides: Partial<CourseDetail> = {},
  lessons?: Lesson[],
): CourseDetail {
  return {
    ...course,
    description: '第一段简介。\n第二段简介。',
    lessons: lessons ?? Array.from({ length: course.lessonCount }, (_, index) => lesson(course, index + 1)),
    resume: null,
    ...overrides,
  }
}

/** GET …/play of a lesson: signed paths of the API, valid for ten minutes from `now` */
export function playback(lessonId: number, startSeconds = 0, now = Date.now()): LessonPlayback {
  const sign = `${Math.floor(now / 1000)}-abc-7-${'0'.repeat(32)}`
  return {
    lessonId,
    url: `/api/media/course/lesson-${lessonId}.mp4?sign=${sign}`,
    poster: `/api/media/course/lesson-${lessonId}.jpg?sign=${sign}`,
    subtitles: null,
    expiresAt: new Date(now + 600_000).toISOString(),
    startSeconds,
    cues: [],
  }
}

/** An order for course 2 on the virtual-payment rail */
export function courseOrder(id: number, status: Order['status']): Order {
  return {
    id,
    outTradeNo: `CRS2026120700000${id}`,
    kind: 'course',
    planId: 'course',
    planName: '视频课程',
    months: 0,
    amountFen: 2990,
    rail: 'xpay',
    status,
    createdAt: '2026-12-07T01:00:00.000Z',
    paidAt: status === 'pending' ? null : '2026-12-07T01:01:00.000Z',
    expiresAt: '2026-12-07T01:15:00.000Z',
    course: { id: 2, title: '结构化面试精讲' },
  }
}
