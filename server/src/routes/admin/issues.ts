import { Type } from '@sinclair/typebox'
import type { App } from '../../plugins/types'
import {
  AdminIssuePage,
  AdminIssuesQuery,
  IssueCheckResult,
  IssueImportResult,
  IssueScheduleBody,
  IssueScheduleChange,
  IssueSourceBody,
  IssueStatusChange,
} from '../../schemas/admin'
import { parseOffsetTime, type ScheduleChange } from '../../domain/issue-schedule'
import { badRequest } from '../../errors'
import { errorResponses, IdInteger } from '../../schemas/common'
import { iso, isoOrNull } from './views'

const DEFAULT_FILE = 'issue.md'
/** 200 K characters of Chinese are some 600 KB of UTF-8, and JSON escapes add a little */
const SOURCE_BODY_LIMIT = 1024 * 1024

/** Issues for editors: every status, checking and importing a file as content:import does, publishing by hand or on schedule. */
export async function adminIssueRoutes(app: App): Promise<void> {
  const { services } = app
  const { issueDesk, issueSchedule, audit } = services
  const now = services.clock
  const roles = ['editor' as const]

  app.get(
    '/admin/issues',
    {
      schema: {
        summary: 'Issues of every status (draft, scheduled, published, archived), newest first (editor, admin)',
        tags: ['admin'],
        querystring: AdminIssuesQuery,
        response: { 200: AdminIssuePage, ...errorResponses },
      },
    },
    async (request) => {
      app.requireOperator(request, roles)
      const page = await issueDesk.list(request.query, now())
      return {
        items: page.items.map((item) => ({
          ...item,
          publishedAt: iso(item.publishedAt),
          updatedAt: iso(item.updatedAt),
          scheduledAt: isoOrNull(item.scheduledAt),
        })),
        nextCursor: page.nextCursor,
      }
    },
  )

  app.post(
    '/admin/issues/check',
    {
      bodyLimit: SOURCE_BODY_LIMIT,
      schema: {
        summary:
          'Check an issue file as npm run content:import does (file:line problems) and how it differs; saves nothing',
        tags: ['admin'],
        body: IssueSourceBody,
        response: { 200: IssueCheckResult, ...errorResponses },
      },
    },
    async (request) => {
      app.requireOperator(request, roles)
      return issueDesk.check(request.body.markdown, request.body.fileName ?? DEFAULT_FILE, now())
    },
  )

  app.post(
    '/admin/issues/import',
    {
      bodyLimit: SOURCE_BODY_LIMIT,
      schema: {
        summary: 'Import an issue file when it checks (the code path of content:import); nothing is saved otherwise',
        tags: ['admin'],
        body: IssueSourceBody,
        response: { 200: IssueImportResult, ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, roles)
      const fileName = request.body.fileName ?? DEFAULT_FILE
      const result = await issueDesk.import(request.body.markdown, fileName, now())
      if (result.saved) {
        services.announce('content')
        await audit.record({
          operator: { id: operator.id, name: operator.name },
          action: 'issue.import',
          target: `issue:${result.id}`,
          reason: fileName,
          before: result.diff?.created ? null : { fields: result.diff?.fields ?? [] },
          after: { outcome: result.outcome, ...result.issue },
        })
      }
      return result
    },
  )

  for (const [path, published] of [
    ['publish', true],
    ['unpublish', false],
  ] as const) {
    app.post(
      `/admin/issues/:id/${path}`,
      {
        schema: {
          summary: published
            ? 'Publish an issue: a draft is dated now, an archived one keeps its date (editor, admin)'
            : 'Take a published issue down (archived, keeping its date) (editor, admin)',
          tags: ['admin'],
          params: Type.Object({ id: IdInteger() }),
          response: { 200: IssueStatusChange, 409: errorResponses[400], ...errorResponses },
        },
      },
      async (request) => {
        const operator = app.requireOperator(request, roles)
        const { id } = request.params
        const change = await issueDesk.setPublished(id, published, now())
        services.announce('content')
        const state = (s: { status: string; publishedAt: number }) => ({
          status: s.status,
          publishedAt: iso(s.publishedAt),
        })
        await audit.record({
          operator: { id: operator.id, name: operator.name },
          action: published ? 'issue.publish' : 'issue.unpublish',
          target: `issue:${id}`,
          before: state(change.before),
          after: state(change.after),
        })
        return {
          id,
          before: { ...change.before, publishedAt: iso(change.before.publishedAt) },
          after: { ...change.after, publishedAt: iso(change.after.publishedAt) },
        }
      },
    )
  }

  const scheduleView = (id: number, change: ScheduleChange) => {
    const state = (s: ScheduleChange['before']) => ({
      status: s.status,
      publishedAt: iso(s.publishedAt),
      scheduledAt: isoOrNull(s.scheduledAt),
    })
    return { id, before: state(change.before), after: state(change.after) }
  }
  const scheduleErrors = { 409: errorResponses[400], ...errorResponses }

  app.post(
    '/admin/issues/:id/schedule',
    {
      schema: {
        summary:
          'Schedule a draft or archived issue (定时发布) for publishAt, ISO 8601 with an offset; again to move it (editor, admin)',
        tags: ['admin'],
        params: Type.Object({ id: IdInteger() }),
        body: IssueScheduleBody,
        response: { 200: IssueScheduleChange, ...scheduleErrors },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, roles)
      const { id } = request.params
      const publishAt = parseOffsetTime(request.body.publishAt)
      if (publishAt === null)
        throw badRequest('INVALID_PUBLISH_AT', `publishAt "${request.body.publishAt}" is not a real date and time`)
      const change = await issueSchedule.schedule(id, publishAt, { id: operator.id, name: operator.name }, now())
      const view = scheduleView(id, change)
      await audit.record({
        operator: { id: operator.id, name: operator.name },
        action: 'issue.schedule',
        target: `issue:${id}`,
        reason: request.body.reason ?? '',
        before: view.before,
        after: view.after,
      })
      return view
    },
  )

  app.delete(
    '/admin/issues/:id/schedule',
    {
      schema: {
        summary: 'Cancel a schedule: the issue goes back to draft (editor, admin)',
        tags: ['admin'],
        params: Type.Object({ id: IdInteger() }),
        response: { 200: IssueScheduleChange, ...scheduleErrors },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, roles)
      const { id } = request.params
      const view = scheduleView(id, await issueSchedule.cancel(id, now()))
      await audit.record({
        operator: { id: operator.id, name: operator.name },
        action: 'issue.unschedule',
        target: `issue:${id}`,
        before: view.before,
        after: view.after,
      })
      return view
    },
  )
}
