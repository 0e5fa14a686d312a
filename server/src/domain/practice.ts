import type { Kysely, Selectable } from 'kysely'
import type { Database, PracticeAnswerTable } from '../db/schema'
import { ApiError, badRequest, notFound, vipRequired } from '../errors'
import type { BlockDto } from '../schemas/content'
import type {
  PracticeAnswerListDto,
  PracticeBodyDto,
  PracticeDetailDto,
  PracticeDraftDto,
  PracticeIssueDto,
  PracticeQuestionDto,
} from '../schemas/practice'
import type { Catalog } from './catalog'
import { cutIssue, type Viewer } from './gating'
import { fullTitle } from './issues'

type QuestionBlock = Extract<BlockDto, { type: 'question' }>
type AnswerBlock = Extract<BlockDto, { type: 'answer' }>
type AnswerRow = Selectable<PracticeAnswerTable>

/** A question this viewer may read, with the reference answer blocks that follow it (as far as the viewer may read). */
interface ReadableQuestion {
  id: string
  block: QuestionBlock
  reference: AnswerBlock[]
}

interface PracticeView {
  issueId: number
  fullTitle: string
  readable: ReadableQuestion[]
  /** Every question id of the whole issue, VIP part included */
  allIds: string[]
}

const iso = (millis: number) => new Date(millis).toISOString()

/** PostgreSQL text cannot hold U+0000 (SQLite can): refused on both, so the databases agree. */
function checkText(text: string): void {
  if (text.includes('\u0000')) {
    throw badRequest('INVALID_TEXT', 'body field "text" contains a NUL character (U+0000): remove it and try again')
  }
}

/**
 * The questions of a body as this viewer may read them. The cut is the paywall's own
 * (cutIssue): the visible sections are a prefix of the body, so
 * counting question blocks in them gives the same ids as counting over the whole body.
 */
export function readableQuestions(visibleBlocks: BlockDto[]): ReadableQuestion[] {
  const questions: ReadableQuestion[] = []
  let current: ReadableQuestion | null = null
  for (const block of visibleBlocks) {
    if (block.type === 'question') {
      current = { id: `q${questions.length + 1}`, block, reference: [] }
      questions.push(current)
    } else if (block.type === 'answer' && current) {
      current.reference.push(block)
    } else {
      current = null
    }
  }
  return questions
}

/**
 * Practice mode for 例题: a reader's drafts (with the timer) and submitted answers, kept per
 * reader, issue and question. Every query is scoped by the signed-in reader's id, and every
 * question is looked up through the paywall's cut: a VIP question's prompt or reference
 * answer never reaches a viewer without VIP.
 */
export class Practice {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly catalog: Catalog,
  ) {}

  private async view(issueId: number, viewer: Viewer, now: number): Promise<PracticeView> {
    const row = await this.db
      .selectFrom('issues')
      .select(['id', 'title', 'number', 'region_id', 'access', 'body_json', 'paywall_at'])
      .where('id', '=', issueId)
      .where('status', '=', 'published')
      .where('published_at', '<=', now)
      .executeTakeFirst()
    if (!row) throw notFound('ISSUE_NOT_FOUND', `there is no published issue ${issueId}`)
    const { body, sections } = cutIssue(row, viewer, now)
    const visibleBlocks = sections.flatMap((section) => section.blocks)
    const snapshot = await this.catalog.get(now)
    const regionName = snapshot.regionsById.get(row.region_id)?.name ?? ''
    return {
      issueId,
      fullTitle: fullTitle(regionName, row.number, row.title),
      readable: readableQuestions(visibleBlocks),
      allIds: body.filter((node) => node.type === 'question').map((_node, index) => `q${index + 1}`),
    }
  }

  /** The question, or 404 when the issue has none by that id, or 403 VIP_REQUIRED when it is in the VIP part. */
  private question(view: PracticeView, questionId: string): ReadableQuestion {
    const found = view.readable.find((question) => question.id === questionId)
    if (found) return found
    if (!view.allIds.includes(questionId)) {
      throw notFound('QUESTION_NOT_FOUND', `issue ${view.issueId} has no question "${questionId}"`)
    }
    throw vipRequired('This question')
  }

  private async rows(userId: number, issueId: number): Promise<Map<string, AnswerRow>> {
    const rows = await this.db
      .selectFrom('practice_answers')
      .selectAll()
      .where('user_id', '=', userId)
      .where('issue_id', '=', issueId)
      .execute()
    return new Map(rows.map((row) => [row.question_id, row]))
  }

  private async row(userId: number, issueId: number, questionId: string): Promise<AnswerRow | undefined> {
    return this.db
      .selectFrom('practice_answers')
      .selectAll()
      .where('user_id', '=', userId)
      .where('issue_id', '=', issueId)
      .where('question_id', '=', questionId)
      .executeTakeFirst()
  }

  /** The questions this viewer may practise (no reference answers), with the reader's drafts and submissions. */
  async issue(viewer: Viewer, issueId: number, now: number): Promise<PracticeIssueDto> {
    const view = await this.view(issueId, viewer, now)
    const rows = await this.rows(viewer.userId, issueId)
    return {
      issueId,
      fullTitle: view.fullTitle,
      questions: view.readable.map((question) => questionDto(question, rows.get(question.id))),
      lockedQuestions: view.allIds.length - view.readable.length,
    }
  }

  /** One question to practise; the reference answer only once the reader has submitted an answer. */
  async detail(viewer: Viewer, issueId: number, questionId: string, now: number): Promise<PracticeDetailDto> {
    const view = await this.view(issueId, viewer, now)
    const question = this.question(view, questionId)
    return detailDto(view, question, await this.row(viewer.userId, issueId, questionId))
  }

  async saveDraft(
    viewer: Viewer,
    issueId: number,
    questionId: string,
    draft: PracticeBodyDto,
    now: number,
  ): Promise<PracticeDraftDto> {
    checkText(draft.text)
    const view = await this.view(issueId, viewer, now)
    this.question(view, questionId)
    const values = { draft_text: draft.text, draft_elapsed_seconds: draft.elapsedSeconds, draft_saved_at: now }
    await this.db
      .insertInto('practice_answers')
      .values({ user_id: viewer.userId, issue_id: issueId, question_id: questionId, ...values, created_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'issue_id', 'question_id']).doUpdateSet(values))
      .execute()
    return { text: draft.text, elapsedSeconds: draft.elapsedSeconds, savedAt: iso(now) }
  }

  /** Submits (or resubmits) an answer: it becomes the submission and the draft, and the reference answer is returned. */
  async submit(
    viewer: Viewer,
    issueId: number,
    questionId: string,
    answer: PracticeBodyDto,
    now: number,
  ): Promise<PracticeDetailDto> {
    const view = await this.view(issueId, viewer, now)
    const question = this.question(view, questionId)
    checkText(answer.text)
    if (answer.text.trim() === '') {
      throw badRequest('ANSWER_EMPTY', 'body field "text" is empty: write an answer before submitting it')
    }
    const values = {
      draft_text: answer.text,
      draft_elapsed_seconds: answer.elapsedSeconds,
      draft_saved_at: now,
      submitted_text: answer.text,
      submitted_elapsed_seconds: answer.elapsedSeconds,
      submitted_at: now,
    }
    await this.db
      .insertInto('practice_answers')
      .values({ user_id: viewer.userId, issue_id: issueId, question_id: questionId, ...values, created_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'issue_id', 'question_id']).doUpdateSet(values))
      .execute()
    return detailDto(view, question, await this.row(viewer.userId, issueId, questionId))
  }

  /** Forgets the reader's draft and submission of a question; 404 when there was nothing. */
  async remove(viewer: Viewer, issueId: number, questionId: string, now: number): Promise<void> {
    const view = await this.view(issueId, viewer, now)
    this.question(view, questionId)
    const result = await this.db
      .deleteFrom('practice_answers')
      .where('user_id', '=', viewer.userId)
      .where('issue_id', '=', issueId)
      .where('question_id', '=', questionId)
      .executeTakeFirst()
    if (Number(result.numDeletedRows) === 0) {
      throw new ApiError(404, 'NOT_PRACTISED', `you have no draft or answer for ${questionId} of issue ${issueId}`)
    }
  }

  /** 我的作答: the reader's submitted answers to an issue's questions, in question order. */
  async answers(viewer: Viewer, issueId: number, now: number): Promise<PracticeAnswerListDto> {
    const view = await this.view(issueId, viewer, now)
    const rows = await this.rows(viewer.userId, issueId)
    const items = view.readable.flatMap((question) => {
      const row = rows.get(question.id)
      const submission = row ? submissionDto(row) : null
      if (!row || !submission) return []
      const { id, block } = question
      return [
        {
          questionId: id,
          label: block.label,
          prompt: block.prompt,
          wordLimitText: block.wordLimitText,
          wordLimit: block.wordLimit,
          submission,
          revising: row.draft_text !== row.submitted_text,
        },
      ]
    })
    const submitted = [...rows.values()].filter((row) => row.submitted_at !== null).length
    return { issueId, fullTitle: view.fullTitle, items, lockedAnswers: submitted - items.length }
  }
}

function submissionDto(row: AnswerRow) {
  if (row.submitted_text === null || row.submitted_at === null) return null
  return {
    text: row.submitted_text,
    elapsedSeconds: row.submitted_elapsed_seconds ?? 0,
    submittedAt: iso(row.submitted_at),
  }
}

function questionDto(question: ReadableQuestion, row: AnswerRow | undefined): PracticeQuestionDto {
  const { block } = question
  return {
    id: question.id,
    label: block.label,
    prompt: block.prompt,
    requirements: block.requirements,
    wordLimitText: block.wordLimitText,
    wordLimit: block.wordLimit,
    draft: row
      ? { text: row.draft_text, elapsedSeconds: row.draft_elapsed_seconds, savedAt: iso(row.draft_saved_at) }
      : null,
    submission: row ? submissionDto(row) : null,
  }
}

function detailDto(view: PracticeView, question: ReadableQuestion, row: AnswerRow | undefined): PracticeDetailDto {
  const dto = questionDto(question, row)
  return {
    issueId: view.issueId,
    fullTitle: view.fullTitle,
    question: dto,
    reference: dto.submission ? question.reference : null,
  }
}
