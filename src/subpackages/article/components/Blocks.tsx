import { useEffect, useState } from 'react'
import { Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { routes } from '../../../constants'
import type { Block, BlockOf, Section } from '../../../services/api'
import { requirementsText, withoutLabel } from '../../../utils/format'
import './Blocks.scss'

/*
 * One Taro component per block type (docs/content-format.md); text stays selectable and is never
 * an HTML string. Markup is kept lean: the seed article must stay well under 1000 nodes.
 */

/** Element id of a block: its place among the body's blocks, headings not counted (the server's count). */
export const blockAnchor = (index: number) => `blk-${index}`

function Paragraph({ block, anchor }: { block: BlockOf<'paragraph'>; anchor?: string }) {
  return (
    <Text className='blk-p' id={anchor} userSelect>
      {block.text}
    </Text>
  )
}

function StarHeading({ block, anchor }: { block: BlockOf<'star_heading'>; anchor?: string }) {
  return (
    <View className='blk-star' id={anchor}>
      <Text className='blk-star-mark'>★</Text>
      <Text className='blk-star-text' userSelect>
        {block.text.replace(/^★\s*/, '')}
      </Text>
    </View>
  )
}

function Point({ block, anchor }: { block: BlockOf<'point'>; anchor?: string }) {
  return (
    <Text className='blk-p blk-point' id={anchor} userSelect>
      <Text className='blk-point-label'>{block.label}</Text>
      {withoutLabel(block.text, block.label)}
    </Text>
  )
}

function Remark({ block, anchor }: { block: BlockOf<'remark'>; anchor?: string }) {
  return (
    <Text className='blk-remark' id={anchor} userSelect>
      {block.text}
    </Text>
  )
}

/** Where a question is practised: its issue and its id there ("q1" … counted over the whole body, as the server does). */
export interface PracticeTarget {
  issueId: number
  questionId: string
}

const openPage = (url: string) => void Taro.navigateTo({ url }).catch(() => undefined)

function Question({
  block,
  practice,
  anchor,
}: {
  block: BlockOf<'question'>
  practice?: PracticeTarget
  anchor?: string
}) {
  return (
    <View className='blk-q' id={anchor}>
      <View className='blk-q-head'>
        <Text className='blk-q-label'>{block.label}</Text>
        {block.wordLimitText ? <Text className='blk-q-limit'>字数 {block.wordLimitText}</Text> : null}
      </View>
      <Text className='blk-q-prompt' userSelect>
        {withoutLabel(block.prompt, block.label)}
      </Text>
      {block.requirements ? (
        <Text className='blk-q-req' userSelect>
          {requirementsText(block.requirements)}
        </Text>
      ) : null}
      {practice ? (
        <View className='blk-q-actions'>
          <View
            className='blk-q-practice'
            hoverClass='blk-q-practice-hover'
            onClick={() => openPage(routes.practice(practice.issueId, practice.questionId))}
          >
            <Text>练习作答</Text>
          </View>
          <Text className='blk-q-answers' onClick={() => openPage(routes.practiceAnswers(practice.issueId))}>
            我的作答 ›
          </Text>
        </View>
      ) : null}
    </View>
  )
}

/** How 参考作答 show: folded behind 先作答 / 查看参考作答 unless the reader chose to see them all. */
export interface AnswerFold {
  /** The reader's choice (阅读设置, kept per reader): every answer unfolded */
  shown: boolean
  /** Saves that choice; null where it cannot be saved (not signed in, a preview, Moments) */
  remember: ((shown: boolean) => void) | null
}

const FOLDED: AnswerFold = { shown: false, remember: null }

/**
 * A 参考作答: folded by default so the reader tries the 例题 first. The text is in the issue (a VIP
 * reader's own), only not rendered until unfolded, which also keeps the page's node count down.
 */
function Answer({
  block,
  anchor,
  fold = FOLDED,
  practice,
}: {
  block: BlockOf<'answer'>
  anchor?: string
  fold?: AnswerFold
  /** The 例题 this answers, for 先作答 */
  practice?: PracticeTarget
}) {
  const [open, setOpen] = useState(fold.shown)
  useEffect(() => setOpen(fold.shown), [fold.shown])
  if (!open) {
    return (
      <View className='blk-a blk-a-folded' id={anchor}>
        {practice ? (
          <View
            className='blk-a-try'
            hoverClass='blk-q-practice-hover'
            onClick={() => openPage(routes.practice(practice.issueId, practice.questionId))}
          >
            <Text>先作答</Text>
          </View>
        ) : null}
        <View className='blk-a-show' hoverClass='blk-q-practice-hover' onClick={() => setOpen(true)}>
          <Text>查看参考作答</Text>
        </View>
      </View>
    )
  }
  const { remember } = fold
  return (
    <View className='blk-a' id={anchor}>
      <View className='blk-a-head'>
        <Text className='blk-a-tag'>参考作答</Text>
        {block.declaredWords !== null ? <Text className='blk-a-count'>共{block.declaredWords}字</Text> : null}
        {remember ? (
          <Text className='blk-a-always' onClick={() => remember(!fold.shown)}>
            {fold.shown ? '☑ 总是展开' : '☐ 总是展开'}
          </Text>
        ) : null}
        <Text className='blk-a-fold' onClick={() => setOpen(false)}>
          收起
        </Text>
      </View>
      {block.title ? (
        <Text className='blk-a-title' userSelect>
          {block.title}
        </Text>
      ) : null}
      {block.paragraphs.map((paragraph, index) => (
        <Text key={index} className='blk-a-p' userSelect>
          {paragraph}
        </Text>
      ))}
    </View>
  )
}

/**
 * One block. `practice`: a question's own 练习作答 target, or for an answer the question it answers
 * (先作答). `anchor`: the element id the reading position names (blockAnchor).
 */
export function BlockView({
  block,
  practice,
  anchor,
  fold,
}: {
  block: Block
  practice?: PracticeTarget
  anchor?: string
  fold?: AnswerFold
}) {
  switch (block.type) {
    case 'paragraph':
      return <Paragraph block={block} anchor={anchor} />
    case 'star_heading':
      return <StarHeading block={block} anchor={anchor} />
    case 'point':
      return <Point block={block} anchor={anchor} />
    case 'remark':
      return <Remark block={block} anchor={anchor} />
    case 'question':
      return <Question block={block} practice={practice} anchor={anchor} />
    case 'answer':
      return <Answer block={block} anchor={anchor} fold={fold} practice={practice} />
    default:
      // A block type this build does not know yet (newer server): skip it rather than fail.
      return null
  }
}

/** Element id of a section, the target of the table of contents. */
export const sectionAnchor = (id: string) => `sec-${id}`

/**
 * `practice`: the issue whose questions get a 练习作答 entry, and how many questions came before this
 * section (the sections are a prefix of the body, so counting on gives the server's ids).
 * `firstBlock`: how many blocks came before this section, for the blocks' anchors.
 */
export function SectionView({
  section,
  practice,
  firstBlock = 0,
  fold,
}: {
  section: Section
  practice?: { issueId: number; questionsBefore: number }
  firstBlock?: number
  fold?: AnswerFold
}) {
  let questions = practice?.questionsBefore ?? 0
  // An answer follows its question: 先作答 opens that question's practice.
  let lastQuestion: PracticeTarget | undefined
  const targetOf = (block: Block): PracticeTarget | undefined => {
    if (!practice) return undefined
    if (block.type === 'answer') return lastQuestion
    if (block.type !== 'question') return undefined
    questions += 1
    lastQuestion = { issueId: practice.issueId, questionId: `q${questions}` }
    return lastQuestion
  }
  return (
    <View className='sec' id={sectionAnchor(section.id)}>
      {section.heading ? (
        <Text className='sec-h' userSelect>
          {section.heading}
        </Text>
      ) : null}
      {section.blocks.map((block, index) => (
        <BlockView
          key={index}
          block={block}
          practice={targetOf(block)}
          anchor={blockAnchor(firstBlock + index)}
          fold={fold}
        />
      ))}
    </View>
  )
}

/** Every section of an issue; with `practiceIssueId`, each question offers 练习作答 and 我的作答. */
export function SectionsView({
  sections,
  practiceIssueId,
  fold,
}: {
  sections: Section[]
  practiceIssueId: number | null
  fold?: AnswerFold
}) {
  let questionsBefore = 0
  let blocksBefore = 0
  return (
    <>
      {sections.map((section) => {
        const practice = practiceIssueId === null ? undefined : { issueId: practiceIssueId, questionsBefore }
        const firstBlock = blocksBefore
        questionsBefore += section.blocks.filter((block) => block.type === 'question').length
        blocksBefore += section.blocks.length
        return (
          <SectionView key={section.id} section={section} practice={practice} firstBlock={firstBlock} fold={fold} />
        )
      })}
    </>
  )
}

/** The first words of a block, for 上次读到「…」: its own text, never more than `max` characters. */
export function blockExcerpt(block: Block, max = 16): string {
  let text: string
  switch (block.type) {
    case 'question':
      text = block.prompt
      break
    case 'answer':
      text = block.title || `参考作答 ${block.paragraphs[0] ?? ''}`
      break
    default:
      text = 'text' in block ? String(block.text) : ''
  }
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length <= max ? flat : `${flat.slice(0, max)}…`
}
