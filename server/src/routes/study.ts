import type { App } from '../plugins/types'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../schemas/common'
import {
  FavoritePage,
  FavoriteState,
  HistoryPage,
  Progress,
  ProgressOfPage,
  ProgressOfQuery,
  ReaderSettings,
  RecordProgressBody,
  StudyIssueParams,
  StudyPageQuery,
  UpdateSettingsBody,
} from '../schemas/study'

/** Small JSON bodies only: a section id and a block, or a few settings. */
const BODY_LIMIT = 1024

/** Favorites, reading history with resume and reader settings: per reader, Bearer only. */
export async function studyRoutes(app: App): Promise<void> {
  const { services } = app
  const now = services.clock
  const { study } = services
  const secured = { tags: ['study'], security: [{ bearer: [] }] }
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'private, no-store')
    return payload
  })

  app.put(
    '/favorites/:issueId',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        ...secured,
        summary: 'Favorite (收藏) a published issue; favoriting it again changes nothing',
        params: StudyIssueParams,
        response: { 200: FavoriteState, ...errorResponses },
      },
    },
    async (request) => study.addFavorite(app.requireSession(request).userId, request.params.issueId, now()),
  )

  app.get(
    '/favorites/:issueId',
    {
      schema: {
        ...secured,
        summary: 'Whether the reader favorited this issue, for the 收藏 button',
        params: StudyIssueParams,
        response: { 200: FavoriteState, ...errorResponses },
      },
    },
    async (request) => study.favorite(app.requireSession(request).userId, request.params.issueId, now()),
  )

  app.delete(
    '/favorites/:issueId',
    {
      schema: {
        ...secured,
        summary: 'Remove an issue from the favorites (204 whether or not it was there)',
        params: StudyIssueParams,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      await study.removeFavorite(app.requireSession(request).userId, request.params.issueId)
      return reply.code(204).send()
    },
  )

  app.get(
    '/favorites',
    {
      schema: {
        ...secured,
        summary: 'The reader’s favorites, most recently favorited first, with cursor paging',
        querystring: StudyPageQuery,
        response: { 200: FavoritePage, ...errorResponses },
      },
    },
    async (request) => study.favorites(app.requireSession(request).userId, request.query, now()),
  )

  app.put(
    '/history/:issueId',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        ...secured,
        summary: 'Record the last section (and block) the reader reached in an issue',
        description:
          'The section and the block must be ones the reader may read: without VIP, a VIP section or block is a 400. `percent` is worked out from the block.',
        params: StudyIssueParams,
        body: RecordProgressBody,
        response: { 200: Progress, ...errorResponses },
      },
    },
    async (request) => {
      app.requireSession(request)
      // requireSession passed, so the auth hook set the viewer with its membership.
      const viewer = request.viewer as NonNullable<typeof request.viewer>
      return study.recordProgress(viewer, request.params.issueId, request.body, now())
    },
  )

  app.get(
    '/history/:issueId',
    {
      schema: {
        ...secured,
        summary: 'Where to resume an issue: the last section and block read, or 204 when not read yet',
        description:
          'An issue the reader has not opened yet is an ordinary state, not an error: 204, no body. A place past what the reader may read now is given as the last block before the paywall (`atPaywall`).',
        params: StudyIssueParams,
        response: { 200: Progress, 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      app.requireSession(request)
      const viewer = request.viewer as NonNullable<typeof request.viewer>
      const progress = await study.progress(viewer, request.params.issueId, now())
      return progress ?? reply.code(204).send(null)
    },
  )

  app.get(
    '/history/progress',
    {
      schema: {
        ...secured,
        summary: 'How far the reader has read each named issue (已读42% / 读完 on the home list’s cards)',
        querystring: ProgressOfQuery,
        response: { 200: ProgressOfPage, ...errorResponses },
      },
    },
    async (request) =>
      study.progressOf(app.requireSession(request).userId, request.query.ids.split(',').map(Number), now()),
  )

  app.get(
    '/history',
    {
      schema: {
        ...secured,
        summary: 'Reading history: issues read, most recent first, with the last section reached',
        querystring: StudyPageQuery,
        response: { 200: HistoryPage, ...errorResponses },
      },
    },
    async (request) => study.history(app.requireSession(request).userId, request.query, now()),
  )

  app.delete(
    '/history',
    {
      schema: {
        ...secured,
        summary: 'Clear the reading history',
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      await study.clearHistory(app.requireSession(request).userId)
      return reply.code(204).send()
    },
  )

  app.get(
    '/settings',
    {
      schema: {
        ...secured,
        summary: 'Reader settings: font size, theme and 参考作答 display (medium / system / folded until saved)',
        response: { 200: ReaderSettings, ...errorResponses },
      },
    },
    async (request) => study.settings(app.requireSession(request).userId),
  )

  app.put(
    '/settings',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        ...secured,
        summary: 'Change reader settings; fields left out keep their value',
        body: UpdateSettingsBody,
        response: { 200: ReaderSettings, ...errorResponses },
      },
    },
    async (request) => study.updateSettings(app.requireSession(request).userId, request.body, now()),
  )
}
