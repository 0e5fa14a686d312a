import { request } from './http'
import type {
  CourseDetail,
  CourseSummary,
  CreateCourseOrderInput,
  CreateOrderResult,
  ItemList,
  LessonPlayback,
  LessonProgress,
  SaveLessonProgressInput,
} from './types'

const id = (value: number) => encodeURIComponent(String(value))

/** GET /api/courses: every course, with what this viewer may play (entitled) and has finished. */
export function listCourses(): Promise<ItemList<CourseSummary>> {
  return request<ItemList<CourseSummary>>('/api/courses')
}

/** GET /api/courses/:id: the course, its lessons (试看, playable, lockedBy, progress) and where to resume. */
export function getCourse(courseId: number): Promise<CourseDetail> {
  return request<CourseDetail>(`/api/courses/${id(courseId)}`)
}

/**
 * GET /api/courses/lessons/:id/play: signed, short-lived URLs of one lesson the viewer may play
 * (asked again for every play: they expire); 403 LESSON_LOCKED otherwise.
 */
export function getLessonPlayback(lessonId: number): Promise<LessonPlayback> {
  return request<LessonPlayback>(`/api/courses/lessons/${id(lessonId)}/play`)
}

/** PUT /api/courses/lessons/:id/progress: where the signed-in reader stopped, or that the lesson ended. */
export function saveLessonProgress(lessonId: number, input: SaveLessonProgressInput): Promise<LessonProgress> {
  const data: Record<string, unknown> = { positionSeconds: input.positionSeconds }
  if (input.ended) data.ended = true
  return request<LessonProgress>(`/api/courses/lessons/${id(lessonId)}/progress`, { method: 'PUT', data })
}

/**
 * POST /api/courses/:id/orders: an order for a course sold alone, at the server's price, and what it
 * is paid with (409 COURSE_INCLUDED_IN_VIP, COURSE_OWNED). The same requestKey returns the same order.
 */
export function createCourseOrder(input: CreateCourseOrderInput): Promise<CreateOrderResult> {
  const { courseId, platform, requestKey } = input
  return request<CreateOrderResult>(`/api/courses/${id(courseId)}/orders`, {
    method: 'POST',
    data: { platform, requestKey },
  })
}
