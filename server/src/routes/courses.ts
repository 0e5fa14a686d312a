import { Type } from '@sinclair/typebox'
import rangeParser from 'range-parser'
import { ApiError } from '../errors'
import type { App } from '../plugins/types'
import { errorResponses } from '../schemas/common'
import {
  CourseDetail,
  CourseList,
  CourseParams,
  CreateCourseOrderBody,
  LessonParams,
  LessonPlayback,
  LessonProgress,
  MediaParams,
  SaveLessonProgressBody,
  SignedMediaQuery,
} from '../schemas/courses'
import { CreateOrderResult } from '../schemas/orders'
import { COVER_NAME } from '../domain/course-import'
import { orderView } from './orders'

/** The file's bytes (video/mp4, image/jpeg, text/vtt), sent as they are */
const MEDIA_BYTES = { type: 'string', format: 'binary' } as const
const MediaBytes = Type.Unsafe<Buffer>(MEDIA_BYTES)

const MEDIA_TYPES: Record<string, string> = {
  mp4: 'video/mp4',
  jpg: 'image/jpeg',
  png: 'image/png',
  vtt: 'text/vtt; charset=utf-8',
}

/** Video courses (docs/courses.md): the shelf, a course, a lesson's signed URLs, progress, buying one */
export async function courseRoutes(app: App): Promise<void> {
  const { services } = app
  const now = services.clock
  const { courses, courseOrders, courseMedia, courseMediaUrls, funnel, throttles } = services
  const locked = { 403: errorResponses[403], 404: errorResponses[404] }

  app.get(
    '/courses',
    {
      schema: {
        summary:
          'Video courses on the shelf: lessons, durations, 试看 count, VIP or price, and what this viewer may watch',
        tags: ['courses'],
        security: [{ bearer: [] }, {}],
        response: { 200: CourseList, ...errorResponses },
      },
    },
    async (request) => ({ items: await courses.list(request.viewer) }),
  )

  app.get(
    '/courses/:id',
    {
      schema: {
        summary:
          'One course: its lessons (titles, outlines, durations; never a URL), which this viewer may play, and where they stopped',
        tags: ['courses'],
        security: [{ bearer: [] }, {}],
        params: CourseParams,
        response: { 200: CourseDetail, ...errorResponses },
      },
    },
    async (request) => courses.detail(request.params.id, request.viewer),
  )

  app.get(
    '/courses/lessons/:id/play',
    {
      schema: {
        summary: "A lesson's short-lived signed URLs (video, poster, subtitles) for a viewer who may play it",
        description:
          '试看 lessons play for anyone; the others need VIP (a course included in VIP) or the course bought (sold alone): 403 LESSON_LOCKED otherwise, with what opens it. The URLs are refused after expiresAt (COURSE_MEDIA_URL_TTL_SECONDS): ask again. Never cached.',
        tags: ['courses'],
        security: [{ bearer: [] }, {}],
        params: LessonParams,
        response: { 200: LessonPlayback, ...locked, ...errorResponses },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'private, no-store')
      return courses.playback(request.params.id, request.viewer)
    },
  )

  app.put(
    '/courses/lessons/:id/progress',
    {
      schema: {
        summary:
          'Saves where the reader is in a lesson they may play (kept within the lesson; finished stays finished)',
        tags: ['courses'],
        security: [{ bearer: [] }],
        params: LessonParams,
        body: SaveLessonProgressBody,
        response: { 200: LessonProgress, ...locked, ...errorResponses },
      },
    },
    async (request) => {
      app.requireSession(request)
      const viewer = request.viewer as NonNullable<typeof request.viewer>
      return courses.saveProgress(viewer, request.params.id, request.body.positionSeconds, request.body.ended === true)
    },
  )

  app.post(
    '/courses/:id/orders',
    {
      schema: {
        summary: "Buys a course sold alone at the server's price, on the rail that sells VIP (virtual payment)",
        description:
          'Answers the order and what wx.requestVirtualPayment (or wx.requestPayment) takes. The same requestKey, or an unpaid order of the same course, is answered again. 409 COURSE_INCLUDED_IN_VIP for a course VIP opens, 409 COURSE_OWNED once bought, 404 COURSE_NOT_FOUND, 403 PURCHASE_UNAVAILABLE where this platform may not buy.',
        tags: ['courses'],
        security: [{ bearer: [] }],
        params: CourseParams,
        body: CreateCourseOrderBody,
        response: { 200: CreateOrderResult, 409: errorResponses[400], 503: errorResponses[500], ...errorResponses },
      },
    },
    async (request) => {
      const { userId } = app.requireSession(request)
      const at = now()
      await throttles.hit('orders', userId, at)
      const { platform, requestKey, source } = request.body
      const { order, payment } = await courseOrders.checkout(userId, request.params.id, {
        platform,
        requestKey,
        source: source ? await funnel.orderSource(source, userId, at) : undefined,
      })
      const titles = await courses.titles([order])
      return { order: orderView(order, new Map(), new Map(), titles), payment }
    },
  )

  app.get(
    '/media/course-covers/:name',
    {
      schema: {
        summary: "A course's public cover (never a frame of a paid lesson)",
        tags: ['courses'],
        params: MediaParams,
        response: { 200: MediaBytes, 404: errorResponses[404], 400: errorResponses[400] },
      },
    },
    async (request, reply) => {
      const { name } = request.params
      const data = COVER_NAME.test(name) ? await courseMedia.read(name) : null
      if (!data) throw new ApiError(404, 'MEDIA_NOT_FOUND', '没有这个课程封面')
      return reply
        .header('content-type', name.endsWith('.png') ? 'image/png' : 'image/jpeg')
        .header('cache-control', 'public, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .send(data as never)
    },
  )

  app.get(
    '/media/course/:name',
    {
      schema: {
        summary: "A course's video, poster or subtitles, by a signed URL from …/play; byte ranges for the player",
        description:
          'The signature is checked before anything is read: 403 URL_SIGNATURE_INVALID for a URL this server did not sign, 403 URL_EXPIRED after its validity. `Range: bytes=a-b` answers 206 with that part; 416 RANGE_NOT_SATISFIABLE past the end. In production the URLs point at a CDN that checks the same signature.',
        tags: ['courses'],
        params: MediaParams,
        querystring: SignedMediaQuery,
        response: {
          200: MediaBytes,
          206: MediaBytes,
          403: errorResponses[403],
          404: errorResponses[404],
          400: errorResponses[400],
        },
      },
    },
    async (request, reply) => {
      const { name } = request.params
      const verdict = await courseMediaUrls.verify(name, request.query.sign)
      if (verdict === 'expired') throw new ApiError(403, 'URL_EXPIRED', '播放链接已过期，请返回课程重新播放')
      if (verdict !== 'ok') throw new ApiError(403, 'URL_SIGNATURE_INVALID', '播放链接无效，请返回课程重新播放')
      const type = MEDIA_TYPES[name.slice(name.lastIndexOf('.') + 1)]
      const size = type ? await courseMedia.size(name) : null
      if (!type || size === null) throw new ApiError(404, 'MEDIA_NOT_FOUND', '没有这个课程文件')
      reply
        .header('content-type', type)
        .header('accept-ranges', 'bytes')
        // The URL is the viewer's own and short-lived: no shared cache may keep what it plays.
        .header('cache-control', 'private, max-age=60')
        .header('x-content-type-options', 'nosniff')
      const header = request.headers.range
      const ranges = header ? rangeParser(size, header, { combine: true }) : -2
      if (ranges === -1)
        throw new ApiError(416, 'RANGE_NOT_SATISFIABLE', `the file has ${size} bytes`, {
          'content-range': `bytes */${size}`,
        })
      // No range, a malformed one, or several: the whole file (a server may ignore Range).
      const single = ranges !== -2 && ranges.length === 1 && ranges.type === 'bytes' ? ranges[0] : undefined
      // A player asks for parts: only the part asked for is read, not the whole video each time.
      const data = single ? await courseMedia.readRange(name, single.start, single.end) : await courseMedia.read(name)
      if (!data) throw new ApiError(404, 'MEDIA_NOT_FOUND', '没有这个课程文件')
      if (!single) return reply.send(data as never)
      return reply
        .code(206)
        .header('content-range', `bytes ${single.start}-${single.end}/${size}`)
        .send(data as never)
    },
  )
}
