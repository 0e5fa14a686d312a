import { Text, View } from '@tarojs/components'
import type { Section } from '../../../services/api'
import './Toc.scss'

export interface TocProps {
  sections: Section[]
  /**
   * The members-only part the server held back: its section titles (the paywall's `locked.sections`),
   * each listed with the VIP mark (none when the cut holds no heading: one untitled entry); null when
   * nothing is locked
   */
  locked: string[] | null
  onJump: (sectionId: string | null) => void
}

/** Table of contents: one row per section heading; a locked section jumps to the paywall (null). */
export default function Toc({ sections, locked, onJump }: TocProps) {
  const entries = sections.filter((section) => section.heading)
  const lockedTitles = locked === null ? [] : locked.length > 0 ? locked : ['会员专享内容']
  if (entries.length < 2 && lockedTitles.length === 0) return null
  return (
    <View className='toc'>
      <Text className='toc-title'>目录</Text>
      {entries.map((section) => (
        <Text key={section.id} className='toc-item' onClick={() => onJump(section.id)}>
          {section.heading}
        </Text>
      ))}
      {lockedTitles.map((title) => (
        <View key={title} className='toc-item toc-item-locked' onClick={() => onJump(null)}>
          {/* The app's VIP mark, not a lock emoji: phones without an emoji font drew a box. */}
          <Text className='badge-vip toc-lock'>VIP</Text>
          <Text>{title}</Text>
        </View>
      ))}
    </View>
  )
}
