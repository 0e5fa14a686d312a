import { Type } from '@sinclair/typebox'
import { rolesForChange } from '../../domain/course-desk'
import type { App } from '../../plugins/types'
import { AdminCourse, AdminCourseList, CourseChangeBody, CourseGrantList } from '../../schemas/admin-courses'
import { errorResponses, IdInteger } from '../../schemas/common'

/**
 * Video courses in the console (docs/courses.md#the-console-and-the-cli): the list with lessons,
 * sales and learners for every operator, changes for editors (shelf, text, order) and finance
 * (price), who bought one for finance. A thin layer over the CourseDesk that
 * `npm run admin -- course …` uses; the desk audits each change.
 */
export async function adminCourseRoutes(app: App): Promise<void> {
  const { courseDesk } = app.services
  const params = Type.Object({ id: IdInteger() })

  app.get(
    '/admin/courses',
    {
      schema: {
        summary:
          'Every course, on the shelf or not: access and price, lessons, total duration, 试看, 购买 (paid orders not refunded), revenue and 学习人数 (any operator)',
        tags: ['admin'],
        response: { 200: AdminCourseList, ...errorResponses },
      },
    },
    async (request) => {
      app.requireOperator(request)
      return { items: await courseDesk.all() }
    },
  )

  app.patch(
    '/admin/courses/:id',
    {
      schema: {
        summary:
          'Change a course: title, subtitle, onShelf and sortOrder (editor), priceFen and originalPriceFen of a course sold alone with a reason (finance); both at once: admin. Audited course.update / course.shelf / course.price with what changed, before → after',
        description:
          '400 NOTHING_TO_CHANGE for an empty change, 400 INVALID_COURSE (a blank title, 原价 not above the price), 400 REASON_REQUIRED for a price without a reason, 409 COURSE_INCLUDED_IN_VIP for a price of a course included in VIP, 404 COURSE_NOT_FOUND. A new price must be set on the virtual-payment 道具 (productId) too.',
        tags: ['admin'],
        params,
        body: CourseChangeBody,
        response: { 200: AdminCourse, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const { reason, ...change } = request.body
      let operator = app.requireOperator(request)
      for (const roles of rolesForChange(change)) operator = app.requireOperator(request, roles)
      return courseDesk.update(request.params.id, change, {
        operator: { id: operator.id, name: operator.name },
        reason,
      })
    },
  )

  app.get(
    '/admin/courses/:id/grants',
    {
      schema: {
        summary:
          'Who bought a course sold alone: one grant per paid order, newest first (at most 500), with the reader, the order and when a refund ended it (finance, admin)',
        tags: ['admin'],
        params,
        response: { 200: CourseGrantList, ...errorResponses },
      },
    },
    async (request) => {
      app.requireOperator(request, ['finance'])
      return courseDesk.grants(request.params.id)
    },
  )
}
