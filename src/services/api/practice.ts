/**
 * Practice mode for 例题: the reader's drafts and submitted answers, kept on the server per reader (the
 * same on every device). Every call needs a signed-in reader (401 otherwise); a question in the VIP part
 * is a 403 VIP_REQUIRED without a membership (ApiError.isVipRequired: show 开通会员).
 */
import type {
  PracticeAnswerListDto,
  PracticeDetailDto,
  PracticeDraftDto,
  PracticeIssueDto,
} from '../../../server/src/schemas/practice'
import { request } from './http'

export type PracticeIssue = PracticeIssueDto
export type PracticeQuestion = PracticeIssueDto['questions'][number]
export type PracticeDetail = PracticeDetailDto
export type PracticeDraft = PracticeDraftDto
export type PracticeSubmission = NonNullable<PracticeQuestion['submission']>
export type PracticeAnswerList = PracticeAnswerListDto
export type PracticeAnswer = PracticeAnswerListDto['items'][number]

export interface PracticeInput {
  /** At most 3000 characters (the server answers 400 beyond) */
  text: string
  /** 0…86400 */
  elapsedSeconds: number
}

const questionPath = (issueId: number, questionId: string) =>
  `/api/issues/${encodeURIComponent(String(issueId))}/practice/${encodeURIComponent(questionId)}`

/** GET /api/issues/:id/practice: the questions this reader may practise, without reference answers. */
export function getPracticeIssue(issueId: number): Promise<PracticeIssue> {
  return request<PracticeIssue>(`/api/issues/${encodeURIComponent(String(issueId))}/practice`)
}

/** GET …/practice/:questionId: one question with the reader's draft; `reference` once they submitted. */
export function getPractice(issueId: number, questionId: string): Promise<PracticeDetail> {
  return request<PracticeDetail>(questionPath(issueId, questionId))
}

/** PUT …/practice/:questionId/draft: autosave. */
export function savePracticeDraft(issueId: number, questionId: string, input: PracticeInput): Promise<PracticeDraft> {
  return request<PracticeDraft>(`${questionPath(issueId, questionId)}/draft`, { method: 'PUT', data: { ...input } })
}

/** POST …/practice/:questionId/submit: resolves with the submission and the reference answer. */
export function submitPractice(issueId: number, questionId: string, input: PracticeInput): Promise<PracticeDetail> {
  return request<PracticeDetail>(`${questionPath(issueId, questionId)}/submit`, { method: 'POST', data: { ...input } })
}

/** DELETE …/practice/:questionId: forgets the draft and the answer. */
export function deletePractice(issueId: number, questionId: string): Promise<void> {
  return request<void>(questionPath(issueId, questionId), { method: 'DELETE' })
}

/** GET /api/practice/answers?issueId=: 我的作答, the submitted answers in question order. */
export function listPracticeAnswers(issueId: number): Promise<PracticeAnswerList> {
  return request<PracticeAnswerList>('/api/practice/answers', { query: { issueId } })
}
