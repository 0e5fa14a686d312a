import { generateDemoIssues } from '../../src/domain/demo-content'
import { grantMembership } from '../../src/domain/membership'
import { dialects, errorOf, signIn, startWeChatTestApp, vipSentences, type WeChatTestApp } from '../helpers'

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE'

/** The first sentence of the seed issue's reference answer to 例题1 (the free teaser before its VIP part). */
const SEED_REFERENCE = '一是完善政策体系'

describe.each(dialects())('practice mode on %s', (dialect) => {
  let t: WeChatTestApp
  let clock = Date.now()
  let seedId: number
  /** A free demo issue: its 例题1 and reference answer are in the free part */
  let freeId: number
  let alice: { token: string; id: number }
  let bob: { token: string; id: number }
  let vip: { token: string; id: number }
  const secrets = vipSentences()

  beforeAll(async () => {
    t = await startWeChatTestApp(dialect, {
      now: () => (clock += 1000),
      config: { LOGIN_RATE_PER_IP: 1000, LOGIN_RATE_PER_USER: 1000 },
    })
    await generateDemoIssues(t.db.kysely, 12, { now: Date.now() })
    const rows = await t.db.kysely.selectFrom('issues').select(['id', 'slug']).orderBy('id').execute()
    seedId = rows.find((row) => row.slug === 'shanxi-32-zhongbu-chengshiqun')?.id as number
    // A demo issue made free: its 例题1 and reference answer are readable by everyone.
    freeId = rows.find((row) => row.slug.startsWith('demo-'))?.id as number
    await t.db.kysely
      .updateTable('issues')
      .set({ access: 'free', paywall_at: null, vip: 0 })
      .where('id', '=', freeId)
      .execute()
    alice = await signIn(t, 'alice')
    bob = await signIn(t, 'bob')
    vip = await signIn(t, 'victor')
    await grantMembership(t.db.kysely, vip.id, 30, 'test', 'admin', clock)
    t.app.services.viewerCache.clear()
  })
  afterAll(() => t.close())

  const call = (method: Method, url: string, token?: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    })
  const leaked = (body: string) => secrets.filter((sentence) => body.includes(sentence))
  const seedQ = (questionId: string, tail = '') => `/api/issues/${seedId}/practice/${questionId}${tail}`

  describe('a VIP reader on the seed issue', () => {
    it('lists both 例题 with their limits and no reference answer', async () => {
      const response = await call('GET', `/api/issues/${seedId}/practice`, vip.token)
      expect(response.statusCode).toBe(200)
      expect(response.headers['cache-control']).toBe('private, no-store')
      const body = response.json()
      expect(body.fullTitle).toBe('【山西·第32期】中部城市群高质量发展')
      expect(body.lockedQuestions).toBe(0)
      expect(
        body.questions.map((q: { id: string; label: string; wordLimit: number; wordLimitText: string }) => [
          q.id,
          q.label,
          q.wordLimit,
          q.wordLimitText,
        ]),
      ).toEqual([
        ['q1', '例题1', 400, '400字左右'],
        ['q2', '例题2', 500, '500字左右'],
      ])
      expect(body.questions[0].prompt).toContain('太忻经济一体化发展的做法')
      expect(body.questions[0]).toMatchObject({ draft: null, submission: null })
      expect(response.body).not.toContain(SEED_REFERENCE)
    })

    it('autosaves a draft and gets it back on any later read, still without the reference', async () => {
      const saved = await call('PUT', seedQ('q1', '/draft'), vip.token, { text: '一是完善', elapsedSeconds: 12 })
      expect(saved.statusCode).toBe(200)
      expect(saved.json()).toEqual({ text: '一是完善', elapsedSeconds: 12, savedAt: expect.any(String) })
      const again = await call('PUT', seedQ('q1', '/draft'), vip.token, {
        text: '一是完善政策。\n二是',
        elapsedSeconds: 30,
      })
      expect(again.json().elapsedSeconds).toBe(30)

      const detail = await call('GET', seedQ('q1'), vip.token)
      expect(detail.statusCode).toBe(200)
      expect(detail.json()).toMatchObject({
        issueId: seedId,
        question: { id: 'q1', draft: { text: '一是完善政策。\n二是', elapsedSeconds: 30 }, submission: null },
        reference: null,
      })
      expect(detail.body).not.toContain(SEED_REFERENCE)
      const list = (await call('GET', `/api/issues/${seedId}/practice`, vip.token)).json()
      expect(list.questions[0].draft).toEqual(again.json())
      expect(list.questions[1].draft).toBeNull()
    })

    it('submitting returns the reference answer beside the submission; 我的作答 lists it; a revision resubmits', async () => {
      const submitted = await call('POST', seedQ('q1', '/submit'), vip.token, {
        text: '我的作答全文',
        elapsedSeconds: 600,
      })
      expect(submitted.statusCode).toBe(200)
      const detail = submitted.json()
      expect(detail.question.submission).toEqual({
        text: '我的作答全文',
        elapsedSeconds: 600,
        submittedAt: expect.any(String),
      })
      expect(detail.question.draft).toMatchObject({ text: '我的作答全文', elapsedSeconds: 600 })
      expect(detail.reference).toHaveLength(1)
      expect(detail.reference[0].paragraphs[0]).toContain(SEED_REFERENCE)
      expect(detail.reference[0].declaredWords).toBe(389)
      // 例题2's reference answer is not part of 例题1's.
      expect(submitted.body).not.toContain('解锁晋中')
      // Reopened later, the reference shows with the submission.
      expect((await call('GET', seedQ('q1'), vip.token)).json().reference).toEqual(detail.reference)

      const answers = await call('GET', `/api/practice/answers?issueId=${seedId}`, vip.token)
      expect(answers.statusCode).toBe(200)
      expect(answers.headers['cache-control']).toBe('private, no-store')
      expect(answers.json()).toEqual({
        issueId: seedId,
        fullTitle: '【山西·第32期】中部城市群高质量发展',
        items: [
          {
            questionId: 'q1',
            label: '例题1',
            prompt: expect.stringContaining('例题1'),
            wordLimitText: '400字左右',
            wordLimit: 400,
            submission: detail.question.submission,
            revising: false,
          },
        ],
        lockedAnswers: 0,
      })

      await call('PUT', seedQ('q1', '/draft'), vip.token, { text: '我的作答全文，改一改', elapsedSeconds: 640 })
      const revising = (await call('GET', `/api/practice/answers?issueId=${seedId}`, vip.token)).json()
      expect(revising.items[0]).toMatchObject({ revising: true, submission: { text: '我的作答全文' } })
      const resubmitted = (
        await call('POST', seedQ('q1', '/submit'), vip.token, { text: '我的作答全文，改一改', elapsedSeconds: 650 })
      ).json()
      expect(resubmitted.question.submission).toMatchObject({ text: '我的作答全文，改一改', elapsedSeconds: 650 })
      const after = (await call('GET', `/api/practice/answers?issueId=${seedId}`, vip.token)).json()
      expect(after.items).toHaveLength(1)
      expect(after.items[0]).toMatchObject({ revising: false, submission: resubmitted.question.submission })
    })

    it('deletes a practice, then 404 NOT_PRACTISED', async () => {
      await call('PUT', seedQ('q2', '/draft'), vip.token, { text: '草稿', elapsedSeconds: 5 })
      expect((await call('DELETE', seedQ('q2'), vip.token)).statusCode).toBe(204)
      expect((await call('GET', seedQ('q2'), vip.token)).json().question.draft).toBeNull()
      expect(errorOf(await call('DELETE', seedQ('q2'), vip.token))).toEqual([404, 'NOT_PRACTISED'])
    })
  })

  describe('the paywall', () => {
    it('a reader without VIP gets 403 VIP_REQUIRED on a VIP question, and no VIP text in any response', async () => {
      // The seed's 例题1 is the free teaser; 例题2 is in its VIP part.
      const responses = [
        await call('GET', `/api/issues/${seedId}/practice`, alice.token),
        await call('GET', seedQ('q2'), alice.token),
        await call('PUT', seedQ('q2', '/draft'), alice.token, { text: '草稿', elapsedSeconds: 1 }),
        await call('POST', seedQ('q2', '/submit'), alice.token, { text: '作答', elapsedSeconds: 1 }),
        await call('DELETE', seedQ('q2'), alice.token),
        await call('GET', `/api/practice/answers?issueId=${seedId}`, alice.token),
      ]
      const list = responses[0].json()
      expect(list).toMatchObject({ issueId: seedId, lockedQuestions: 1 })
      expect(list.questions.map((q: { id: string }) => q.id)).toEqual(['q1'])
      for (const response of responses.slice(1, 5)) {
        expect(errorOf(response)).toEqual([403, 'VIP_REQUIRED'])
        expect(response.json().error.message).toContain('开通VIP会员')
      }
      expect(responses[5].json()).toEqual({
        issueId: seedId,
        fullTitle: '【山西·第32期】中部城市群高质量发展',
        items: [],
        lockedAnswers: 0,
      })
      for (const response of responses) expect(leaked(response.body)).toEqual([])
      const rows = await t.db.kysely
        .selectFrom('practice_answers')
        .selectAll()
        .where('user_id', '=', alice.id)
        .execute()
      expect(rows).toEqual([])
    })

    it('a question in the free part is open to every signed-in reader, reference answer included', async () => {
      const list = (await call('GET', `/api/issues/${freeId}/practice`, alice.token)).json()
      expect(list.lockedQuestions).toBe(0)
      expect(list.questions.map((q: { id: string; wordLimit: number }) => [q.id, q.wordLimit])).toEqual([['q1', 300]])
      const submitted = await call('POST', `/api/issues/${freeId}/practice/q1/submit`, alice.token, {
        text: '一是……',
        elapsedSeconds: 90,
      })
      expect(submitted.statusCode).toBe(200)
      expect(submitted.json().reference[0].paragraphs[0]).toContain('示例参考作答')
    })

    it('after the membership ends, answers to VIP questions are locked away, text and all', async () => {
      const expiring = await t.login('eve')
      const eve = { token: expiring.token, id: expiring.body.me.id }
      await grantMembership(t.db.kysely, eve.id, 1, 'test', 'admin', clock)
      t.app.services.viewerCache.clear()
      expect(
        (await call('POST', seedQ('q2', '/submit'), eve.token, { text: '作答', elapsedSeconds: 3 })).statusCode,
      ).toBe(200)
      clock += 2 * 86400000
      t.app.services.viewerCache.clear()
      const answers = await call('GET', `/api/practice/answers?issueId=${seedId}`, eve.token)
      expect(answers.json()).toMatchObject({ items: [], lockedAnswers: 1 })
      expect(leaked(answers.body)).toEqual([])
      expect(errorOf(await call('GET', seedQ('q2'), eve.token))).toEqual([403, 'VIP_REQUIRED'])
      // The VIP reader, still a member, is unaffected.
      expect((await call('GET', seedQ('q1'), vip.token)).statusCode).toBe(200)
    })
  })

  describe('privacy and sign-in', () => {
    it('reader B sees none of reader A’s drafts or answers, and cannot delete them (404)', async () => {
      await call('PUT', `/api/issues/${freeId}/practice/q1/draft`, alice.token, { text: 'A的草稿', elapsedSeconds: 7 })
      const asBob = await call('GET', `/api/issues/${freeId}/practice/q1`, bob.token)
      expect(asBob.statusCode).toBe(200)
      expect(asBob.json().question).toMatchObject({ draft: null, submission: null })
      expect(asBob.json().reference).toBeNull()
      expect(asBob.body).not.toContain('A的草稿')
      const list = await call('GET', `/api/issues/${freeId}/practice`, bob.token)
      expect(list.json().questions[0]).toMatchObject({ draft: null, submission: null })
      const answers = await call('GET', `/api/practice/answers?issueId=${freeId}`, bob.token)
      expect(answers.json().items).toEqual([])
      expect(errorOf(await call('DELETE', `/api/issues/${freeId}/practice/q1`, bob.token))).toEqual([
        404,
        'NOT_PRACTISED',
      ])
      // A VIP reader's answers stay theirs too.
      expect((await call('GET', `/api/practice/answers?issueId=${seedId}`, bob.token)).json().items).toEqual([])
      const mine = (await call('GET', `/api/issues/${freeId}/practice/q1`, alice.token)).json()
      expect(mine.question.draft.text).toBe('A的草稿')
      expect(mine.question.submission.text).toBe('一是……')
    })

    it('every route needs a sign-in: 401 LOGIN_REQUIRED without a token, INVALID_TOKEN with a bad one', async () => {
      const body = { text: 'x', elapsedSeconds: 1 }
      const routes: [Method, string, unknown?][] = [
        ['GET', `/api/issues/${seedId}/practice`],
        ['GET', seedQ('q1')],
        ['PUT', seedQ('q1', '/draft'), body],
        ['POST', seedQ('q1', '/submit'), body],
        ['DELETE', seedQ('q1')],
        ['GET', `/api/practice/answers?issueId=${seedId}`],
        ['GET', `/api/issues/${freeId}/practice/q1`],
      ]
      for (const [method, url, payload] of routes) {
        const anonymous = await call(method, url, undefined, payload)
        expect([method, url, ...errorOf(anonymous)]).toEqual([method, url, 401, 'LOGIN_REQUIRED'])
        expect(leaked(anonymous.body)).toEqual([])
        const forged = await call(method, url, 'not-a-real-token', payload)
        expect([method, url, ...errorOf(forged)]).toEqual([method, url, 401, 'INVALID_TOKEN'])
      }
    })
  })

  describe('limits and bad input', () => {
    it('answer text up to 3000 characters; beyond, a 400 that names the field', async () => {
      const longest = await call('PUT', seedQ('q2', '/draft'), vip.token, {
        text: '字'.repeat(3000),
        elapsedSeconds: 1,
      })
      expect(longest.statusCode).toBe(200)
      // Counted in characters, not bytes or UTF-16 units.
      const astral = await call('PUT', seedQ('q2', '/draft'), vip.token, { text: '𠀀'.repeat(3000), elapsedSeconds: 1 })
      expect(astral.statusCode).toBe(200)
      const tooLong = await call('PUT', seedQ('q2', '/draft'), vip.token, {
        text: '字'.repeat(3001),
        elapsedSeconds: 1,
      })
      expect(errorOf(tooLong)).toEqual([400, 'INVALID_BODY'])
      expect(tooLong.json().error.message).toBe('body field "text" must NOT have more than 3000 characters')
      const submitTooLong = await call('POST', seedQ('q2', '/submit'), vip.token, {
        text: '字'.repeat(3001),
        elapsedSeconds: 1,
      })
      expect(errorOf(submitTooLong)).toEqual([400, 'INVALID_BODY'])
      expect((await call('GET', seedQ('q2'), vip.token)).json().question.submission).toBeNull()
    })

    it('bad timers, bodies and ids → 400; an empty submission → 400 ANSWER_EMPTY', async () => {
      for (const body of [
        { text: 'a', elapsedSeconds: -1 },
        { text: 'a', elapsedSeconds: 86401 },
        { text: 'a', elapsedSeconds: 1.5 },
        { text: 'a' },
        { elapsedSeconds: 1 },
        { text: { value: 'a' }, elapsedSeconds: 1 },
        { text: 'a', elapsedSeconds: 1, extra: true },
      ]) {
        expect(errorOf(await call('PUT', seedQ('q1', '/draft'), vip.token, body))).toEqual([400, 'INVALID_BODY'])
      }
      expect(
        (await call('PUT', seedQ('q1', '/draft'), vip.token, { text: '', elapsedSeconds: 86400 })).statusCode,
      ).toBe(200)
      // PostgreSQL text cannot hold U+0000: a clear 400 on both databases, never a 500.
      for (const [method, tail] of [
        ['PUT', '/draft'],
        ['POST', '/submit'],
      ] as const) {
        const nul = await call(method, seedQ('q1', tail), vip.token, { text: 'a\u0000b', elapsedSeconds: 3 })
        expect(errorOf(nul)).toEqual([400, 'INVALID_TEXT'])
      }
      const empty = await call('POST', seedQ('q1', '/submit'), vip.token, { text: ' \n\u3000 ', elapsedSeconds: 3 })
      expect(errorOf(empty)).toEqual([400, 'ANSWER_EMPTY'])
      for (const questionId of ['q0', 'x1', 'q01', 'q1000', 'Q1']) {
        expect(errorOf(await call('GET', seedQ(questionId), vip.token))).toEqual([400, 'INVALID_PARAMETER'])
      }
      expect(errorOf(await call('GET', `/api/practice/answers`, vip.token))).toEqual([400, 'INVALID_PARAMETER'])
      expect(errorOf(await call('GET', `/api/practice/answers?issueId=abc`, vip.token))).toEqual([
        400,
        'INVALID_PARAMETER',
      ])
      const huge = await t.app.inject({
        method: 'PUT',
        url: seedQ('q1', '/draft'),
        headers: { authorization: `Bearer ${vip.token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ text: 'a', elapsedSeconds: 1, pad: 'x'.repeat(40000) }),
      })
      expect(errorOf(huge)).toEqual([413, 'BODY_TOO_LARGE'])
    })

    it('an unknown question → 404 QUESTION_NOT_FOUND; an unknown or unpublished issue → 404 ISSUE_NOT_FOUND', async () => {
      expect(errorOf(await call('GET', seedQ('q3'), vip.token))).toEqual([404, 'QUESTION_NOT_FOUND'])
      expect(errorOf(await call('GET', seedQ('q3'), alice.token))).toEqual([404, 'QUESTION_NOT_FOUND'])
      expect(errorOf(await call('PUT', seedQ('q9', '/draft'), vip.token, { text: 'a', elapsedSeconds: 1 }))).toEqual([
        404,
        'QUESTION_NOT_FOUND',
      ])
      expect(errorOf(await call('GET', '/api/issues/999999/practice', vip.token))).toEqual([404, 'ISSUE_NOT_FOUND'])
      expect(errorOf(await call('GET', '/api/practice/answers?issueId=999999', vip.token))).toEqual([
        404,
        'ISSUE_NOT_FOUND',
      ])
      await t.db.kysely.updateTable('issues').set({ status: 'draft' }).where('id', '=', freeId).execute()
      t.app.services.dropContentCaches()
      expect(errorOf(await call('GET', `/api/issues/${freeId}/practice/q1`, alice.token))).toEqual([
        404,
        'ISSUE_NOT_FOUND',
      ])
      await t.db.kysely.updateTable('issues').set({ status: 'published' }).where('id', '=', freeId).execute()
    })

    it('the OpenAPI document lists every practice route with its schemas', async () => {
      const doc = (await call('GET', '/docs/json')).json()
      const paths = doc.paths as Record<string, Record<string, { summary?: string; tags?: string[] }>>
      expect(Object.keys(paths['/api/issues/{issueId}/practice'])).toEqual(['get'])
      expect(Object.keys(paths['/api/issues/{issueId}/practice/{questionId}']).sort()).toEqual(['delete', 'get'])
      expect(Object.keys(paths['/api/issues/{issueId}/practice/{questionId}/draft'])).toEqual(['put'])
      expect(Object.keys(paths['/api/issues/{issueId}/practice/{questionId}/submit'])).toEqual(['post'])
      expect(Object.keys(paths['/api/practice/answers'])).toEqual(['get'])
      for (const [path, methods] of Object.entries(paths).filter(([path]) => path.includes('practice'))) {
        for (const operation of Object.values(methods)) {
          expect([path, operation.tags]).toEqual([path, ['practice']])
          expect(operation.summary).toBeTruthy()
        }
      }
    })
  })
})
