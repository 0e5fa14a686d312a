import { Text, View } from '@tarojs/components'
import type { BlockOf } from '../../../services/api'
import { requirementsText, withoutLabel } from '../../../utils/format'
import './QuestionCard.scss'

export interface QuestionCardProps {
  label: string
  prompt: string
  requirements?: string
  wordLimitText: string
}

/** The question being practised: label, limit, prompt and requirements. */
export function QuestionCard({ label, prompt, requirements, wordLimitText }: QuestionCardProps) {
  return (
    <View className='pq'>
      <View className='pq-head'>
        <Text className='pq-label'>{label}</Text>
        {wordLimitText ? <Text className='pq-limit'>字数 {wordLimitText}</Text> : null}
      </View>
      <Text className='pq-prompt' userSelect>
        {withoutLabel(prompt, label)}
      </Text>
      {requirements ? (
        <Text className='pq-req' userSelect>
          {requirementsText(requirements)}
        </Text>
      ) : null}
    </View>
  )
}

/** The 参考作答, shown only after the reader submitted (the server sends it only then). */
export function ReferenceAnswer({ blocks }: { blocks: BlockOf<'answer'>[] }) {
  return (
    <View className='pr'>
      <Text className='pr-tag'>参考作答</Text>
      {blocks.length === 0 ? <Text className='pr-p'>本题暂无参考作答</Text> : null}
      {blocks.map((block, index) => (
        <View key={index}>
          {block.title ? (
            <Text className='pr-title' userSelect>
              {block.title}
            </Text>
          ) : null}
          {block.paragraphs.map((paragraph, line) => (
            <Text key={line} className='pr-p' userSelect>
              {paragraph}
            </Text>
          ))}
        </View>
      ))}
    </View>
  )
}
