import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './common'

/**
 * Typed blocks of an issue body (docs/content-format.md). The app renders each type with
 * its own component; the server cuts the list at the paywall marker.
 */
export const ParagraphBlock = Type.Object({
  type: Type.Literal('paragraph'),
  text: Type.String(),
})
export const StarHeadingBlock = Type.Object({
  type: Type.Literal('star_heading'),
  text: Type.String(),
})
export const PointBlock = Type.Object({
  type: Type.Literal('point'),
  /** "1." or "一是" as written */
  label: Type.String(),
  /** The whole point as written, starting with its label */
  text: Type.String(),
})
export const RemarkBlock = Type.Object({
  type: Type.Literal('remark'),
  text: Type.String(),
})
export const QuestionBlock = Type.Object({
  type: Type.Literal('question'),
  /** "例题1" */
  label: Type.String(),
  /** The question as written, starting with its label: "例题1:请概括…的做法。" */
  prompt: Type.String(),
  /** "要求:准确全面,语言精练,条理清晰,400字左右。" as written; empty when the question sets none */
  requirements: Type.String(),
  /** "400字左右"; empty when the question sets none */
  wordLimitText: Type.String(),
  /** 400; null when the question sets none */
  wordLimit: Nullable(Type.Integer()),
})
export const AnswerBlock = Type.Object({
  type: Type.Literal('answer'),
  /** The answer's own title (a 工作信息 has one); empty when it has none */
  title: Type.String(),
  /** Paragraphs as written; the last keeps the author's "(389字)" */
  paragraphs: Type.Array(Type.String()),
  /** The count the author declared at the end, "(389字)"; null when not declared */
  declaredWords: Nullable(Type.Integer()),
})

export const Block = Type.Union([ParagraphBlock, StarHeadingBlock, PointBlock, RemarkBlock, QuestionBlock, AnswerBlock])
export type BlockDto = Static<typeof Block>
export type BlockType = BlockDto['type']

export const Section = Type.Object({
  /** Stable anchor for the table of contents, "s1", "s2" … */
  id: Type.String(),
  /** "一、背景链接"; empty for blocks before the first heading */
  heading: Type.String(),
  blocks: Type.Array(Block),
})
export type SectionDto = Static<typeof Section>
