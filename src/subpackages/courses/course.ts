import type { CourseDetail, CourseSummary, Lesson } from '../../services/api'
import { formatPrice } from '../../utils/format'

/** A course's page (its list is routes.courses) */
export const courseRoute = (id: number) => `/subpackages/courses/pages/detail?id=${id}`

const two = (value: number) => String(value).padStart(2, '0')

/** A place in a lesson or its length: 65 → "01:05", 3725 → "1:02:05" */
export function clock(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds))
  const hours = Math.floor(whole / 3600)
  const rest = `${two(Math.floor((whole % 3600) / 60))}:${two(whole % 60)}`
  return hours > 0 ? `${hours}:${rest}` : rest
}

/** All lessons together: 45 → "45秒", 1900 → "32分钟", 4800 → "1小时20分钟", 7200 → "2小时" */
export function totalDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds))
  if (whole < 60) return `${whole}秒`
  const minutes = Math.round(whole / 60)
  const hours = Math.floor(minutes / 60)
  if (hours === 0) return `${minutes}分钟`
  return minutes % 60 === 0 ? `${hours}小时` : `${hours}小时${minutes % 60}分钟`
}

/** 4节 · 共32分钟 · 1节试看 */
export function courseMeta(course: CourseSummary): string {
  const parts = [`${course.lessonCount}节`, `共${totalDuration(course.durationSeconds)}`]
  if (course.previewCount > 0 && !course.entitled) parts.push(`${course.previewCount}节试看`)
  return parts.join(' · ')
}

export interface CoursePrice {
  label: string
  /** 原价, struck through; '' when none or not above the price */
  original: string
  kind: 'vip' | 'sale' | 'owned'
}

/**
 * What the course costs this reader: VIP免费 for a VIP course, the price with 原价 (only when above it)
 * for one sold alone, 已购 once bought. Without `priced` (iOS, where Apple's rules may allow no price)
 * a course sold alone is only 付费课程.
 */
export function coursePrice(course: CourseSummary, priced = true): CoursePrice {
  if (course.access === 'vip') return { label: 'VIP免费', original: '', kind: 'vip' }
  if (course.entitled) return { label: '已购', original: '', kind: 'owned' }
  const { priceFen, originalPriceFen } = course
  if (!priced || priceFen === null) return { label: '付费课程', original: '', kind: 'sale' }
  return {
    label: formatPrice(priceFen),
    original: originalPriceFen !== null && originalPriceFen > priceFen ? formatPrice(originalPriceFen) : '',
    kind: 'sale',
  }
}

/** 已学 2/4 once the reader finished a lesson; '' before */
export function learnedText(completed: number, total: number): string {
  return completed > 0 ? `已学 ${completed}/${total}` : ''
}

/** ✓ 已学完, 学到 12:30, or '' for a lesson not started */
export function lessonProgressText(lesson: Lesson): string {
  const { progress } = lesson
  if (!progress) return ''
  if (progress.completed) return '✓ 已学完'
  return progress.positionSeconds > 0 ? `学到 ${clock(progress.positionSeconds)}` : ''
}

/** 第2节 */
/** The index of the cue showing at `seconds` (cues in order, as the server gives them), or -1 */
export function cueAt(cues: ReadonlyArray<{ start: number; end: number }>, seconds: number): number {
  let low = 0
  let high = cues.length - 1
  while (low <= high) {
    const middle = (low + high) >> 1
    const cue = cues[middle] as { start: number; end: number }
    if (seconds < cue.start) high = middle - 1
    else if (seconds >= cue.end) low = middle + 1
    else return middle
  }
  return -1
}

export const lessonNumber = (lesson: Pick<Lesson, 'position'>) => `第${lesson.position}节`

/**
 * The lesson a course opens on: where the reader stopped (the server's `resume`) when they may play
 * it, else the first lesson they may play, else the first (its paywall).
 */
export function openingLesson(course: CourseDetail): Lesson | null {
  const { lessons, resume } = course
  const resumed = resume ? lessons.find((lesson) => lesson.id === resume.lessonId) : undefined
  if (resumed?.playable) return resumed
  return lessons.find((lesson) => lesson.playable) ?? lessons[0] ?? null
}

/** The lesson after this one; null after the last */
export function nextLesson(course: CourseDetail, lessonId: number): Lesson | null {
  const index = course.lessons.findIndex((lesson) => lesson.id === lessonId)
  return index >= 0 ? (course.lessons[index + 1] ?? null) : null
}

/** The description's paragraphs (plain text, blank lines or line breaks between them) */
export function paragraphs(text: string): string[] {
  return text
    .split(/\n+/)
    .map((line) => line.trim())
    .filter(Boolean)
}
