import type { FastifyRequest } from 'fastify'
import type { App } from '../plugins/types'
import type { Viewer } from '../domain/gating'
import { errorResponses } from '../schemas/common'
import {
  PracticeAnswerList,
  PracticeAnswersQuery,
  PracticeBody,
  PracticeDetail,
  PracticeDraft,
  PracticeIssue,
  PracticeIssueParams,
  PracticeQuestionParams,
} from '../schemas/practice'

/**
 * An answer of at most 3000 characters with its timer: 3000 characters of up to 4 bytes in UTF-8,
 * or JSON-escaped, stay well below this; anything larger is a 413 before it is parsed.
 */
const ANSWER_BODY_LIMIT = 32 * 1024

/** Practice mode for 例题: drafts, submissions, 我的作答. Per reader, Bearer only. */
export async function practiceRoutes(app: App): Promise<void> {
  const { services } = app
  const now = services.clock
  const { practice } = services
  const secured = { tags: ['practice'], security: [{ bearer: [] }] }
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'private, no-store')
    return payload
  })
  const signedIn = (request: FastifyRequest): Viewer => {
    app.requireSession(request)
    // requireSession passed, so the auth hook set the viewer with its membership.
    return request.viewer as Viewer
  }
  const vipNote = 'A question in the VIP part of the issue is a 403 VIP_REQUIRED without a current membership.'

  app.get(
    '/issues/:issueId/practice',
    {
      schema: {
        ...secured,
        summary: 'The 例题 of an issue this reader may practise, with their drafts and submissions',
        description:
          'Reference answers are not included. Questions in the VIP part are left out for a reader without VIP and counted in `lockedQuestions`.',
        params: PracticeIssueParams,
        response: { 200: PracticeIssue, ...errorResponses },
      },
    },
    async (request) => practice.issue(signedIn(request), request.params.issueId, now()),
  )

  app.get(
    '/issues/:issueId/practice/:questionId',
    {
      schema: {
        ...secured,
        summary: 'One question to practise, with the reader’s draft; the reference answer once they submitted',
        description: vipNote,
        params: PracticeQuestionParams,
        response: { 200: PracticeDetail, ...errorResponses },
      },
    },
    async (request) => {
      const { issueId, questionId } = request.params
      return practice.detail(signedIn(request), issueId, questionId, now())
    },
  )

  app.put(
    '/issues/:issueId/practice/:questionId/draft',
    {
      bodyLimit: ANSWER_BODY_LIMIT,
      schema: {
        ...secured,
        summary: 'Autosave the draft of an answer and the time spent on it',
        description: `Text of at most 3000 characters (may be empty), elapsedSeconds 0…86400. ${vipNote}`,
        params: PracticeQuestionParams,
        body: PracticeBody,
        response: { 200: PracticeDraft, ...errorResponses },
      },
    },
    async (request) => {
      const { issueId, questionId } = request.params
      return practice.saveDraft(signedIn(request), issueId, questionId, request.body, now())
    },
  )

  app.post(
    '/issues/:issueId/practice/:questionId/submit',
    {
      bodyLimit: ANSWER_BODY_LIMIT,
      schema: {
        ...secured,
        summary: 'Submit (or resubmit) an answer; answers with the submission and the reference answer (参考作答)',
        description: `Text of 1…3000 characters that is not only whitespace, elapsedSeconds 0…86400. ${vipNote}`,
        params: PracticeQuestionParams,
        body: PracticeBody,
        response: { 200: PracticeDetail, ...errorResponses },
      },
    },
    async (request) => {
      const { issueId, questionId } = request.params
      return practice.submit(signedIn(request), issueId, questionId, request.body, now())
    },
  )

  app.delete(
    '/issues/:issueId/practice/:questionId',
    {
      schema: {
        ...secured,
        summary: 'Forget the reader’s draft and answer of a question (404 NOT_PRACTISED when there is none)',
        params: PracticeQuestionParams,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { issueId, questionId } = request.params
      await practice.remove(signedIn(request), issueId, questionId, now())
      return reply.code(204).send()
    },
  )

  app.get(
    '/practice/answers',
    {
      schema: {
        ...secured,
        summary: '我的作答: the reader’s submitted answers to an issue’s questions, in question order',
        description:
          'Answers to VIP questions are left out while the reader has no current membership and counted in `lockedAnswers`.',
        querystring: PracticeAnswersQuery,
        response: { 200: PracticeAnswerList, ...errorResponses },
      },
    },
    async (request) => practice.answers(signedIn(request), request.query.issueId, now()),
  )
}
