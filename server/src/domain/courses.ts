import type { Kysely, Selectable } from 'kysely'
import type { CourseLessonTable, CourseTable, Database } from '../db/schema'
import { ApiError } from '../errors'
import type { MediaUrlSigner } from '../infra/signed-media-url'
import type {
  CourseDetailDto,
  CourseSummaryDto,
  LessonDto,
  LessonPlaybackDto,
  LessonProgressDto,
} from '../schemas/courses'
import type { Viewer } from './gating'

/**
 * Video courses (docs/courses.md). One rule decides who plays a lesson (`lockOf`): a 试看 lesson is
 * anyone's; the others need VIP for a course included in VIP, or a grant (a paid order) for a
 * course sold alone. Only a viewer who may play a lesson ever gets its URLs, and they are signed
 * and short-lived; the course and lesson lists carry titles, outlines and durations, never a URL
 * of a lesson, a poster of one or its subtitles.
 */

export type CourseRow = Selectable<CourseTable>
export type LessonRow = Selectable<CourseLessonTable>

/** What would open a locked lesson, with what the reader is told */
type Lock = { by: 'vip' | 'purchase'; message: string } | null

/** A lesson counts as finished this close to its end */
const FINISHED_WITHIN_SECONDS = 3

const nearTheEnd = (positionSeconds: number, durationSeconds: number) =>
  positionSeconds >= durationSeconds - FINISHED_WITHIN_SECONDS

/** Where a reader goes on in a lesson: their saved place while it is unfinished; null once finished */
function placeIn(saved: { position_seconds: number; completed: number }, durationSeconds: number): number | null {
  return saved.completed === 1 || nearTheEnd(saved.position_seconds, durationSeconds) ? null : saved.position_seconds
}

export interface CoursesDeps {
  db: Kysely<Database>
  urls: MediaUrlSigner
  now: () => number
}

const isMember = (viewer: Viewer | null, now: number) =>
  viewer !== null && viewer.membershipExpiresAt !== null && viewer.membershipExpiresAt > now

export class Courses {
  constructor(private readonly deps: CoursesDeps) {}

  /** The courses on the shelf, and those off it this viewer bought, in the operator's order */
  async list(viewer: Viewer | null): Promise<CourseSummaryDto[]> {
    const { db } = this.deps
    const owned = await this.ownedCourses(viewer)
    const courses = await db
      .selectFrom('courses')
      .selectAll()
      .where((eb) =>
        owned.size > 0 ? eb.or([eb('on_shelf', '=', 1), eb('id', 'in', [...owned])]) : eb('on_shelf', '=', 1),
      )
      .orderBy('sort_order')
      .orderBy('id')
      .execute()
    if (courses.length === 0) return []
    const ids = courses.map((course) => course.id)
    const [lessons, completed] = await Promise.all([
      db
        .selectFrom('course_lessons')
        .select(['course_id', 'duration_seconds', 'preview'])
        .where('course_id', 'in', ids)
        .execute(),
      viewer
        ? db
            .selectFrom('lesson_progress')
            .select(['course_id', (eb) => eb.fn.countAll<number | string>().as('count')])
            .where('user_id', '=', viewer.userId)
            .where('completed', '=', 1)
            .where('course_id', 'in', ids)
            .groupBy('course_id')
            .execute()
        : [],
    ])
    const doneBy = new Map(completed.map((row) => [row.course_id, Number(row.count)]))
    return courses.map((course) => {
      const own = lessons.filter((lesson) => lesson.course_id === course.id)
      return this.summary(course, own, viewer, owned, doneBy.get(course.id) ?? 0)
    })
  }

  /** One course (on the shelf, or bought) with its lessons, what this viewer may play and where they stopped */
  async detail(courseId: number, viewer: Viewer | null): Promise<CourseDetailDto> {
    const { db } = this.deps
    const owned = await this.ownedCourses(viewer)
    const course = await this.visible(courseId, owned)
    const [lessons, progress] = await Promise.all([
      db.selectFrom('course_lessons').selectAll().where('course_id', '=', course.id).orderBy('position').execute(),
      viewer
        ? db
            .selectFrom('lesson_progress')
            .selectAll()
            .where('user_id', '=', viewer.userId)
            .where('course_id', '=', course.id)
            .execute()
        : [],
    ])
    const progressOf = new Map(progress.map((row) => [row.lesson_id, row]))
    const items: LessonDto[] = lessons.map((lesson) => {
      const lock = this.lockOf(course, lesson, viewer, owned)
      const saved = progressOf.get(lesson.id)
      return {
        id: lesson.id,
        position: lesson.position,
        title: lesson.title,
        outline: lesson.outline,
        durationSeconds: lesson.duration_seconds,
        preview: lesson.preview === 1,
        playable: lock === null,
        lockedBy: lock?.by ?? null,
        progress: saved ? { positionSeconds: saved.position_seconds, completed: saved.completed === 1 } : null,
      }
    })
    const completed = progress.filter((row) => row.completed === 1).length
    return {
      ...this.summary(course, lessons, viewer, owned, completed),
      description: course.description,
      lessons: items,
      resume: resumeAt(lessons, progress),
    }
  }

  /**
   * The signed URLs of one lesson for a viewer who may play it: 403 LESSON_LOCKED otherwise, with
   * what opens it. Anonymous viewers may play 试看 lessons.
   */
  async playback(lessonId: number, viewer: Viewer | null): Promise<LessonPlaybackDto> {
    const owned = await this.ownedCourses(viewer)
    const { course, lesson } = await this.lesson(lessonId, owned)
    const lock = this.lockOf(course, lesson, viewer, owned)
    if (lock) throw new ApiError(403, 'LESSON_LOCKED', lock.message)
    const video = await this.deps.urls.sign(lesson.video)
    const saved = viewer
      ? await this.deps.db
          .selectFrom('lesson_progress')
          .select(['position_seconds', 'completed'])
          .where('user_id', '=', viewer.userId)
          .where('lesson_id', '=', lesson.id)
          .executeTakeFirst()
      : undefined
    return {
      lessonId: lesson.id,
      url: video.url,
      poster: lesson.poster ? (await this.deps.urls.sign(lesson.poster)).url : null,
      subtitles: lesson.subtitles ? (await this.deps.urls.sign(lesson.subtitles)).url : null,
      expiresAt: new Date(video.expiresAt).toISOString(),
      cues: lesson.cues ? (JSON.parse(lesson.cues) as LessonPlaybackDto['cues']) : [],
      startSeconds: (saved && placeIn(saved, lesson.duration_seconds)) ?? 0,
    }
  }

  /**
   * Saves where a reader is in a lesson they may play. The position is kept within the lesson;
   * finished (the player ended, or within a few seconds of the end) stays finished.
   */
  async saveProgress(
    viewer: Viewer,
    lessonId: number,
    positionSeconds: number,
    ended: boolean,
  ): Promise<LessonProgressDto> {
    const owned = await this.ownedCourses(viewer)
    const { course, lesson } = await this.lesson(lessonId, owned)
    const lock = this.lockOf(course, lesson, viewer, owned)
    if (lock) throw new ApiError(403, 'LESSON_LOCKED', lock.message)
    const position = Math.min(Math.max(0, Math.trunc(positionSeconds)), lesson.duration_seconds)
    const finished = ended || nearTheEnd(position, lesson.duration_seconds) ? 1 : 0
    const now = this.deps.now()
    const row = await this.deps.db
      .insertInto('lesson_progress')
      .values({
        user_id: viewer.userId,
        lesson_id: lesson.id,
        course_id: course.id,
        position_seconds: position,
        completed: finished,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['user_id', 'lesson_id']).doUpdateSet((eb) => ({
          position_seconds: position,
          // Watching a finished lesson again does not unfinish it.
          completed: finished === 1 ? 1 : eb.ref('lesson_progress.completed'),
          updated_at: now,
        })),
      )
      .returning(['position_seconds', 'completed'])
      .executeTakeFirstOrThrow()
    return { positionSeconds: row.position_seconds, completed: row.completed === 1 }
  }

  /** The titles of the courses these orders buy, by course id (on the shelf or not) */
  async titles(orders: ReadonlyArray<{ course_id: number | null }>): Promise<Map<number, string>> {
    const ids = [...new Set(orders.flatMap((order) => (order.course_id === null ? [] : [order.course_id])))]
    if (ids.length === 0) return new Map()
    const rows = await this.deps.db.selectFrom('courses').select(['id', 'title']).where('id', 'in', ids).execute()
    return new Map(rows.map((row) => [row.id, row.title]))
  }

  /**
   * A course this viewer may open: on the shelf, or bought (a course taken off the shelf is no
   * longer sold or listed, but who paid for it keeps it); 404 COURSE_NOT_FOUND otherwise
   */
  private async visible(courseId: number, owned: Set<number>): Promise<CourseRow> {
    const course = await this.deps.db.selectFrom('courses').selectAll().where('id', '=', courseId).executeTakeFirst()
    if (!course || (course.on_shelf !== 1 && !owned.has(course.id)))
      throw new ApiError(404, 'COURSE_NOT_FOUND', `没有编号为 ${courseId} 的课程`)
    return course
  }

  /** A course on the shelf (one that can be bought), or 404 COURSE_NOT_FOUND */
  async onShelf(courseId: number): Promise<CourseRow> {
    const course = await this.deps.db
      .selectFrom('courses')
      .selectAll()
      .where('id', '=', courseId)
      .where('on_shelf', '=', 1)
      .executeTakeFirst()
    if (!course) throw new ApiError(404, 'COURSE_NOT_FOUND', `没有编号为 ${courseId} 的课程`)
    return course
  }

  /** Whether a reader holds a grant (a paid order not refunded) for a course sold alone */
  async owns(userId: number, courseId: number): Promise<boolean> {
    const grant = await this.deps.db
      .selectFrom('course_grants')
      .select('order_id')
      .where('user_id', '=', userId)
      .where('course_id', '=', courseId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return grant !== undefined
  }

  /** A lesson of a course this viewer may open (visible), or 404 LESSON_NOT_FOUND */
  private async lesson(lessonId: number, owned: Set<number>): Promise<{ course: CourseRow; lesson: LessonRow }> {
    const lesson = await this.deps.db
      .selectFrom('course_lessons')
      .selectAll()
      .where('id', '=', lessonId)
      .executeTakeFirst()
    const course = lesson
      ? await this.deps.db.selectFrom('courses').selectAll().where('id', '=', lesson.course_id).executeTakeFirst()
      : undefined
    if (!lesson || !course || (course.on_shelf !== 1 && !owned.has(course.id)))
      throw new ApiError(404, 'LESSON_NOT_FOUND', `没有编号为 ${lessonId} 的课时`)
    return { course, lesson }
  }

  /** Courses sold alone this viewer bought (grants not revoked) */
  private async ownedCourses(viewer: Viewer | null): Promise<Set<number>> {
    if (!viewer) return new Set()
    const rows = await this.deps.db
      .selectFrom('course_grants')
      .select('course_id')
      .where('user_id', '=', viewer.userId)
      .where('revoked_at', 'is', null)
      .execute()
    return new Set(rows.map((row) => row.course_id))
  }

  /** The one rule of who plays what: null when the viewer may play the lesson */
  private lockOf(
    course: CourseRow,
    lesson: Pick<LessonRow, 'preview'>,
    viewer: Viewer | null,
    owned: Set<number>,
  ): Lock {
    if (lesson.preview === 1 || this.entitled(course, viewer, owned)) return null
    if (course.access === 'sale')
      return { by: 'purchase', message: `本课程需单独购买，购买《${course.title}》后即可观看全部课时` }
    if (!viewer) return { by: 'vip', message: '本课为VIP专享，登录并开通会员后即可观看' }
    if (viewer.membershipExpiresAt !== null && viewer.membershipExpiresAt <= this.deps.now())
      return { by: 'vip', message: '会员已到期，续费后即可观看本课' }
    return { by: 'vip', message: '本课为VIP专享，开通会员后即可观看' }
  }

  private entitled(course: CourseRow, viewer: Viewer | null, owned: Set<number>): boolean {
    return course.access === 'vip' ? isMember(viewer, this.deps.now()) : owned.has(course.id)
  }

  private summary(
    course: CourseRow,
    lessons: ReadonlyArray<Pick<LessonRow, 'duration_seconds' | 'preview'>>,
    viewer: Viewer | null,
    owned: Set<number>,
    completedCount: number,
  ): CourseSummaryDto {
    return {
      id: course.id,
      slug: course.slug,
      title: course.title,
      subtitle: course.subtitle,
      cover: course.cover,
      teacher: course.teacher,
      lessonCount: lessons.length,
      durationSeconds: lessons.reduce((sum, lesson) => sum + lesson.duration_seconds, 0),
      previewCount: lessons.filter((lesson) => lesson.preview === 1).length,
      access: course.access,
      priceFen: course.access === 'sale' ? course.price_fen : null,
      originalPriceFen: course.access === 'sale' ? course.original_price_fen : null,
      entitled: this.entitled(course, viewer, owned),
      completedCount,
    }
  }
}

/**
 * Where a reader continues: the lesson they played last, at their place, unless they finished it;
 * then the lesson after it from its start. Null when they never played one, or finished the last.
 */
function resumeAt(
  lessons: ReadonlyArray<Pick<LessonRow, 'id' | 'position' | 'duration_seconds'>>,
  progress: ReadonlyArray<{ lesson_id: number; position_seconds: number; completed: number; updated_at: number }>,
): CourseDetailDto['resume'] {
  const last = [...progress].sort((a, b) => Number(b.updated_at) - Number(a.updated_at))[0]
  if (!last) return null
  const index = lessons.findIndex((lesson) => lesson.id === last.lesson_id)
  const lesson = lessons[index]
  if (!lesson) return null
  const place = placeIn(last, lesson.duration_seconds)
  if (place !== null) return { lessonId: lesson.id, positionSeconds: place }
  const next = lessons[index + 1]
  return next ? { lessonId: next.id, positionSeconds: 0 } : null
}
