import { useEffect } from 'react'
import { Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { usePageTheme } from '../../../hooks/usePageTheme'
import type { AnswersDisplay, FontSize, Theme } from '../../../services/api'
import { loadReaderSettings, saveReaderSettings, useReaderSettings } from '../../../store/readerSettings'
import { useSession } from '../../../store/session'
import './settings.scss'

const FONT_SIZES: [FontSize, string][] = [
  ['small', '小'],
  ['medium', '标准'],
  ['large', '大'],
]
const THEMES: [Theme, string][] = [
  ['system', '跟随系统'],
  ['light', '浅色'],
  ['dark', '深色'],
]
const ANSWERS: [AnswersDisplay, string][] = [
  ['folded', '先作答再看'],
  ['shown', '总是展开'],
]

function Choice<T extends string>({
  label,
  options,
  value,
  onChange,
}: {
  label: string
  options: [T, string][]
  value: T
  onChange: (value: T) => void
}) {
  return (
    <View className='set-row'>
      <Text className='set-label'>{label}</Text>
      <View className='set-options'>
        {options.map(([option, text]) => (
          <Text
            key={option}
            className={option === value ? 'set-option set-option-on' : 'set-option'}
            onClick={() => option !== value && onChange(option)}
          >
            {text}
          </Text>
        ))}
      </View>
    </View>
  )
}

/**
 * 阅读设置: font size in three steps and the theme, saved for the reader on the server. The page
 * itself takes the theme at once, and the preview shows a piece of an article in both choices.
 */
export default function SettingsPage() {
  const settings = useReaderSettings()
  const theme = usePageTheme()
  const signedIn = useSession().status === 'signed-in'

  useEffect(() => {
    if (signedIn) void loadReaderSettings()
  }, [signedIn])

  const save = (change: Partial<typeof settings>) => {
    if (!signedIn) {
      void Taro.showToast({ title: '登录后可保存阅读设置', icon: 'none' })
      return
    }
    saveReaderSettings(change).catch(() => void Taro.showToast({ title: '保存失败，请稍后重试', icon: 'none' }))
  }

  return (
    <View className={`set ${theme}`}>
      <View className='set-card'>
        <Choice
          label='字号'
          options={FONT_SIZES}
          value={settings.fontSize}
          onChange={(fontSize) => save({ fontSize })}
        />
        <Choice label='夜间模式' options={THEMES} value={settings.theme} onChange={(theme) => save({ theme })} />
        <Choice label='参考作答' options={ANSWERS} value={settings.answers} onChange={(answers) => save({ answers })} />
      </View>
      <View className={`set-preview set-preview-${settings.fontSize}`}>
        <Text className='set-preview-label'>预览</Text>
        <Text className='set-preview-heading'>一、推进中部城市群一体化发展</Text>
        <Text className='set-preview-text'>构建山西中部城市群一体化发展新格局，要做大做强中心区域。</Text>
        <Text className='set-preview-toc'>目录 · 热点背景 · 理论要点 · 实战应用</Text>
      </View>
      <Text className='set-note'>设置保存在账号中，在其他设备登录后同样生效</Text>
    </View>
  )
}
