import {
  clock,
  courseMeta,
  cueAt,
  coursePrice,
  lessonProgressText,
  nextLesson,
  openingLesson,
  paragraphs,
  totalDuration,
} from '@/subpackages/courses/course'
import { courseDetail, lesson, saleCourse, vipCourse } from './course-fixtures'

describe('course texts', () => {
  it('clock and total durations', () => {
    expect([0, 6.9, 65, 600, 3725].map(clock)).toEqual(['00:00', '00:06', '01:05', '10:00', '1:02:05'])
    expect([48, 1900, 3600, 4800, 7190].map(totalDuration)).toEqual(['48秒', '32分钟', '1小时', '1小时20分钟', '2小时'])
  })

  it('N节 · 共时长 · 试看 (not once the reader may play everything)', () => {
    expect(courseMeta(vipCourse())).toBe('4节 · 共8分钟 · 1节试看')
    expect(courseMeta(vipCourse({ entitled: true }))).toBe('4节 · 共8分钟')
  })

  it('VIP免费, the price with 原价 only above it, 已购; 付费课程 where no price may show', () => {
    expect(coursePrice(vipCourse())).toEqual({ label: 'VIP免费', original: '', kind: 'vip' })
    expect(coursePrice(saleCourse())).toEqual({ label: '¥29.9', original: '¥49', kind: 'sale' })
    expect(coursePrice(saleCourse({ originalPriceFen: 2990 })).original).toBe('')
    expect(coursePrice(saleCourse({ entitled: true })).label).toBe('已购')
    expect(coursePrice(saleCourse(), false)).toEqual({ label: '付费课程', original: '', kind: 'sale' })
  })

  it('a lesson’s progress', () => {
    const course = vipCourse()
    expect(lessonProgressText(lesson(course, 1))).toBe('')
    expect(lessonProgressText(lesson(course, 1, { progress: { positionSeconds: 0, completed: false } }))).toBe('')
    expect(lessonProgressText(lesson(course, 1, { progress: { positionSeconds: 75, completed: false } }))).toBe(
      '学到 01:15',
    )
    expect(lessonProgressText(lesson(course, 1, { progress: { positionSeconds: 0, completed: true } }))).toBe(
      '✓ 已学完',
    )
  })

  it('opens on the resumed lesson when playable, else the first playable, else the first', () => {
    const course = vipCourse()
    expect(openingLesson(courseDetail(course, { resume: { lessonId: 13, positionSeconds: 5 } }))?.id).toBe(11)
    const vip = vipCourse({ entitled: true })
    expect(openingLesson(courseDetail(vip, { resume: { lessonId: 13, positionSeconds: 5 } }))?.id).toBe(13)
    const locked = courseDetail(
      course,
      {},
      [2, 3].map((position) => lesson(course, position)),
    )
    expect(openingLesson(locked)?.id).toBe(12)
    expect(openingLesson(courseDetail(course, {}, []))).toBeNull()
    expect(nextLesson(courseDetail(course), 13)?.id).toBe(14)
    expect(nextLesson(courseDetail(course), 14)).toBeNull()
  })

  it('the cue showing at a time: within its start and end, none between cues or past the last', () => {
    const cues = [
      { start: 0, end: 4 },
      { start: 4, end: 8 },
      { start: 10, end: 12 },
    ]
    expect([0, 3.99, 4, 7.5, 8, 9.9, 10, 11.99, 12, -1].map((at) => cueAt(cues, at))).toEqual([
      0, 0, 1, 1, -1, -1, 2, 2, -1, -1,
    ])
    expect(cueAt([], 3)).toBe(-1)
  })

  it('the description’s paragraphs', () => {
    expect(paragraphs('第一段。\n\n  第二段。\n')).toEqual(['第一段。', '第二段。'])
  })
})
