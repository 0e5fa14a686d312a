import { Type, type Static } from '@sinclair/typebox'
import { BoundedInteger, IdInteger, Nullable } from './common'
import { OrderSourceBody } from './funnel'
import { Platform } from './orders'

/** The longest lesson a position may point into: 12 hours, in seconds */
export const MAX_LESSON_SECONDS = 12 * 3600

export const CourseAccess = Type.Union([Type.Literal('vip'), Type.Literal('sale')], {
  description: 'vip: included in VIP (全站栏目畅读); sale: sold alone (virtual payment), VIP does not open it',
})

/** What opens a lesson the viewer cannot play: VIP, buying the course, or (sold alone, anonymous) signing in first */
export const LessonLock = Type.Union([Type.Literal('vip'), Type.Literal('purchase')])

export const CourseSummary = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  title: Type.String(),
  /** One line under the title: who it is for, what it covers */
  subtitle: Type.String(),
  /** The course's public cover (an https URL or a path of this API); never a frame of a paid lesson */
  cover: Nullable(Type.String()),
  teacher: Type.String(),
  lessonCount: Type.Integer(),
  /** All lessons together, in seconds */
  durationSeconds: Type.Integer(),
  /** 试看 lessons anyone may watch */
  previewCount: Type.Integer(),
  access: CourseAccess,
  /** The price of a course sold alone (fen); null when it comes with VIP */
  priceFen: Nullable(Type.Integer()),
  /** 原价, struck through; null when there is none */
  originalPriceFen: Nullable(Type.Integer()),
  /** Whether this viewer may play every lesson (VIP for a VIP course, bought for one sold alone) */
  entitled: Type.Boolean(),
  /** Lessons this viewer finished; 0 when signed out */
  completedCount: Type.Integer(),
})
export type CourseSummaryDto = Static<typeof CourseSummary>

export const CourseList = Type.Object({ items: Type.Array(CourseSummary) })

export const LessonProgress = Type.Object({
  /** Where the reader stopped, in seconds from the start */
  positionSeconds: Type.Integer(),
  completed: Type.Boolean(),
})
export type LessonProgressDto = Static<typeof LessonProgress>

export const Lesson = Type.Object({
  id: Type.Integer(),
  /** 1, 2, 3 … in the course */
  position: Type.Integer(),
  title: Type.String(),
  /** What the lesson covers (public: it sells the course) */
  outline: Type.String(),
  durationSeconds: Type.Integer(),
  /** 试看: anyone may watch it */
  preview: Type.Boolean(),
  /** Whether this viewer may play it now (GET …/play answers a URL) */
  playable: Type.Boolean(),
  /** What would open it; null when playable */
  lockedBy: Type.Union([...LessonLock.anyOf, Type.Null()]),
  /** This reader's place in it; null when signed out or never started */
  progress: Nullable(LessonProgress),
})
export type LessonDto = Static<typeof Lesson>

export const CourseDetail = Type.Composite([
  CourseSummary,
  Type.Object({
    /** What the course teaches, plain text in paragraphs */
    description: Type.String(),
    lessons: Type.Array(Lesson),
    /** Where to continue: the last lesson this reader played and was not finished, else the next one; null when signed out or new */
    resume: Nullable(Type.Object({ lessonId: Type.Integer(), positionSeconds: Type.Integer() })),
  }),
])
export type CourseDetailDto = Static<typeof CourseDetail>

export const CourseParams = Type.Object({ id: IdInteger() })
export const LessonParams = Type.Object({ id: IdInteger() })

/**
 * What the player needs for one lesson this viewer may play: short-lived signed URLs (the video,
 * the poster, the subtitles), never given for a lesson they may not play.
 */
export const LessonPlayback = Type.Object({
  lessonId: Type.Integer(),
  /** An https URL (a CDN in production) or a path of this API (put the API base before it), like covers */
  url: Type.String({ description: 'The video (MP4), signed; refused after expiresAt' }),
  poster: Nullable(Type.String({ description: 'A frame of this lesson, signed like the video' })),
  /** WebVTT subtitles, signed like the video; null when the lesson has none */
  subtitles: Nullable(Type.String()),
  /** The same subtitles as cues, for drawing them under WeChat's player, which takes no subtitle track; [] when none */
  cues: Type.Array(
    Type.Object({
      /** Seconds from the lesson's start */
      start: Type.Number(),
      end: Type.Number(),
      text: Type.String(),
    }),
  ),
  expiresAt: Type.String({ description: 'ISO time after which the URLs are refused: ask …/play again' }),
  /** Where to start: the reader's saved place, 0 when new, finished or signed out */
  startSeconds: Type.Integer(),
})
export type LessonPlaybackDto = Static<typeof LessonPlayback>

export const SaveLessonProgressBody = Type.Object(
  {
    positionSeconds: BoundedInteger({ minimum: 0, maximum: MAX_LESSON_SECONDS }),
    /** The player said it ended */
    ended: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

export const CreateCourseOrderBody = Type.Object(
  {
    platform: Platform,
    /** Made once per purchase attempt by the client: a double tap sends the same key and gets the same order */
    requestKey: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
    source: Type.Optional(OrderSourceBody),
  },
  { additionalProperties: false },
)

/** The signature of a media URL: `<issued at, s>-<random>-<viewer>-<md5>` (CDN type A) */
export const SignedMediaQuery = Type.Object({
  sign: Type.String({ maxLength: 128, pattern: '^[0-9]{1,12}-[0-9a-zA-Z]{1,32}-[0-9]{1,12}-[0-9a-f]{32}$' }),
})
export const MediaParams = Type.Object({
  name: Type.String({ maxLength: 128, pattern: '^[a-z0-9][a-z0-9._-]{0,127}$' }),
})
