import { Text, View } from '@tarojs/components'
import './LegalDocument.scss'

export interface LegalSection {
  heading: string
  paragraphs: string[]
}

export interface LegalDocumentProps {
  title: string
  /** e.g. 2026年11月27日 */
  updated: string
  intro: string
  sections: LegalSection[]
}

/** A legal text as plain, selectable Taro text (no HTML strings). */
export default function LegalDocument({ title, updated, intro, sections }: LegalDocumentProps) {
  return (
    <View className='legal'>
      <Text className='legal-title'>{title}</Text>
      <Text className='legal-updated'>更新日期：{updated}</Text>
      <Text className='legal-paragraph' userSelect>
        {intro}
      </Text>
      {sections.map((section) => (
        <View key={section.heading} className='legal-section'>
          <Text className='legal-heading'>{section.heading}</Text>
          {section.paragraphs.map((paragraph) => (
            <Text key={paragraph} className='legal-paragraph' userSelect>
              {paragraph}
            </Text>
          ))}
        </View>
      ))}
    </View>
  )
}
