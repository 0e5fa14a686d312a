import { Text, View } from '@tarojs/components'
import { useContacts } from '../../../hooks/useContacts'
import { usePageTheme } from '../../../hooks/usePageTheme'
import './LegalDocument.scss'

const SERVICE_LINE = '{客服电话}'

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
  const theme = usePageTheme()
  const contacts = useContacts()
  const line = contacts ? `客服电话 ${contacts.service.phone}（${contacts.service.hours}）` : '客服电话'
  const fill = (text: string) => text.split(SERVICE_LINE).join(line)
  return (
    <View className={`legal ${theme}`}>
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
              {fill(paragraph)}
            </Text>
          ))}
        </View>
      ))}
    </View>
  )
}
