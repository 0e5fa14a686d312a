import { Type, type Static } from '@sinclair/typebox'
import { BoundedInteger, IdInteger, Nullable } from './common'
import { AnswerBlock } from './content'

/** The longest answer a reader may save or submit, in characters (whitespace included). */
export const MAX_ANSWER_LENGTH = 3000
/** A day: the timer stops counting there. */
export const MAX_ELAPSED_SECONDS = 86400

/** A question's id in its issue: "q1", "q2" … counted over the whole body, so it is the same on both sides of the paywall */
export const QuestionId = Type.String({ pattern: '^q[1-9][0-9]{0,2}$', maxLength: 4 })

export const PracticeIssueParams = Type.Object({ issueId: IdInteger() }, { additionalProperties: false })

export const PracticeQuestionParams = Type.Object(
  { issueId: IdInteger(), questionId: QuestionId },
  { additionalProperties: false },
)
export type PracticeQuestionParamsDto = Static<typeof PracticeQuestionParams>

export const PracticeAnswersQuery = Type.Object({ issueId: IdInteger() }, { additionalProperties: false })

export const PracticeBody = Type.Object(
  {
    /** The reader's answer as typed; whitespace is kept */
    text: Type.String({ maxLength: MAX_ANSWER_LENGTH }),
    /** Seconds spent on the answer so far, by the page's timer */
    elapsedSeconds: BoundedInteger({ minimum: 0, maximum: MAX_ELAPSED_SECONDS }),
  },
  { additionalProperties: false },
)
export type PracticeBodyDto = Static<typeof PracticeBody>

export const PracticeDraft = Type.Object({
  text: Type.String(),
  elapsedSeconds: Type.Integer(),
  /** ISO 8601 instant */
  savedAt: Type.String(),
})
export type PracticeDraftDto = Static<typeof PracticeDraft>

export const PracticeSubmission = Type.Object({
  text: Type.String(),
  elapsedSeconds: Type.Integer(),
  /** ISO 8601 instant */
  submittedAt: Type.String(),
})
export type PracticeSubmissionDto = Static<typeof PracticeSubmission>

/** A 例题 this viewer may practise, without its reference answer, with the reader's own work on it. */
export const PracticeQuestion = Type.Object({
  id: Type.String({ description: 'q1, q2 …' }),
  /** "例题1" */
  label: Type.String(),
  /** The question as written, starting with its label */
  prompt: Type.String(),
  requirements: Type.String(),
  /** "400字左右"; empty when the question sets none */
  wordLimitText: Type.String(),
  /** 400; null when the question sets none */
  wordLimit: Nullable(Type.Integer()),
  /** The working draft; null before the reader wrote anything */
  draft: Nullable(PracticeDraft),
  /** The last submitted answer; null before the first submission */
  submission: Nullable(PracticeSubmission),
})
export type PracticeQuestionDto = Static<typeof PracticeQuestion>

export const PracticeIssue = Type.Object({
  issueId: Type.Integer(),
  /** 【山西·第32期】中部城市群高质量发展 */
  fullTitle: Type.String(),
  questions: Type.Array(PracticeQuestion),
  /** How many questions of the issue are in its VIP part and closed to this viewer (VIP members practise them) */
  lockedQuestions: Type.Integer(),
})
export type PracticeIssueDto = Static<typeof PracticeIssue>

/** One question to practise. `reference` is the 参考作答: only after the reader submitted an answer. */
export const PracticeDetail = Type.Object({
  issueId: Type.Integer(),
  fullTitle: Type.String(),
  question: PracticeQuestion,
  /** The reference answer's blocks once the reader submitted; null before */
  reference: Nullable(Type.Array(AnswerBlock)),
})
export type PracticeDetailDto = Static<typeof PracticeDetail>

export const PracticeAnswer = Type.Object({
  questionId: Type.String(),
  label: Type.String(),
  prompt: Type.String(),
  wordLimitText: Type.String(),
  wordLimit: Nullable(Type.Integer()),
  submission: PracticeSubmission,
  /** True when the draft was changed after the last submission (a revision in progress) */
  revising: Type.Boolean(),
})
export type PracticeAnswerDto = Static<typeof PracticeAnswer>

export const PracticeAnswerList = Type.Object({
  issueId: Type.Integer(),
  fullTitle: Type.String(),
  /** Submitted answers, in the order of the questions */
  items: Type.Array(PracticeAnswer),
  /** Answers to questions this viewer may no longer open (VIP questions after the membership ended) */
  lockedAnswers: Type.Integer(),
})
export type PracticeAnswerListDto = Static<typeof PracticeAnswerList>
