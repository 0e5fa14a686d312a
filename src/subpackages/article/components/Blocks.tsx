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

function Paragraph({ block }: { block: BlockOf<'paragraph'> }) {
  return (
    <Text className='blk-p' userSelect>
      {block.text}
    </Text>
  )
}

function StarHeading({ block }: { block: BlockOf<'star_heading'> }) {
  return (
    <View className='blk-star'>
      <Text className='blk-star-mark'>★</Text>
      <Text className='blk-star-text' userSelect>
        {block.text.replace(/^★\s*/, '')}
      </Text>
    </View>
  )
}

function Point({ block }: { block: BlockOf<'point'> }) {
  return (
    <Text className='blk-p blk-point' userSelect>
      <Text className='blk-point-label'>{block.label}</Text>
      {withoutLabel(block.text, block.label)}
    </Text>
  )
}

function Remark({ block }: { block: BlockOf<'remark'> }) {
  return (
    <Text className='blk-remark' userSelect>
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

function Question({ block, practice }: { block: BlockOf<'question'>; practice?: PracticeTarget }) {
  return (
    <View className='blk-q'>
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

function Answer({ block }: { block: BlockOf<'answer'> }) {
  return (
    <View className='blk-a'>
      <View className='blk-a-head'>
        <Text className='blk-a-tag'>参考作答</Text>
        {block.declaredWords !== null ? <Text className='blk-a-count'>共{block.declaredWords}字</Text> : null}
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

export function BlockView({ block, practice }: { block: Block; practice?: PracticeTarget }) {
  switch (block.type) {
    case 'paragraph':
      return <Paragraph block={block} />
    case 'star_heading':
      return <StarHeading block={block} />
    case 'point':
      return <Point block={block} />
    case 'remark':
      return <Remark block={block} />
    case 'question':
      return <Question block={block} practice={practice} />
    case 'answer':
      return <Answer block={block} />
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
 */
export function SectionView({
  section,
  practice,
}: {
  section: Section
  practice?: { issueId: number; questionsBefore: number }
}) {
  let questions = practice?.questionsBefore ?? 0
  const targetOf = (block: Block): PracticeTarget | undefined => {
    if (!practice || block.type !== 'question') return undefined
    questions += 1
    return { issueId: practice.issueId, questionId: `q${questions}` }
  }
  return (
    <View className='sec' id={sectionAnchor(section.id)}>
      {section.heading ? (
        <Text className='sec-h' userSelect>
          {section.heading}
        </Text>
      ) : null}
      {section.blocks.map((block, index) => (
        <BlockView key={index} block={block} practice={targetOf(block)} />
      ))}
    </View>
  )
}

/** Every section of an issue; with `practiceIssueId`, each question offers 练习作答 and 我的作答. */
export function SectionsView({ sections, practiceIssueId }: { sections: Section[]; practiceIssueId: number | null }) {
  let questionsBefore = 0
  return (
    <>
      {sections.map((section) => {
        const practice = practiceIssueId === null ? undefined : { issueId: practiceIssueId, questionsBefore }
        questionsBefore += section.blocks.filter((block) => block.type === 'question').length
        return <SectionView key={section.id} section={section} practice={practice} />
      })}
    </>
  )
}
