import { Text, View } from '@tarojs/components'
import type { Section } from '../../../services/api'
import './Toc.scss'

export interface TocProps {
  sections: Section[]
  /** Shows a last entry for the members-only part that the server held back */
  locked: boolean
  onJump: (sectionId: string | null) => void
}

/** Table of contents: one row per section heading; null jumps to the paywall. */
export default function Toc({ sections, locked, onJump }: TocProps) {
  const entries = sections.filter((section) => section.heading)
  if (entries.length < 2 && !locked) return null
  return (
    <View className='toc'>
      <Text className='toc-title'>目录</Text>
      {entries.map((section) => (
        <Text key={section.id} className='toc-item' onClick={() => onJump(section.id)}>
          {section.heading}
        </Text>
      ))}
      {locked ? (
        <Text className='toc-item toc-item-locked' onClick={() => onJump(null)}>
          VIP会员内容
        </Text>
      ) : null}
    </View>
  )
}
