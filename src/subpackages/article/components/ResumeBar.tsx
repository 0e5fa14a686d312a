import { Text, View } from '@tarojs/components'
import type { ResumePlace } from '../useStudy'
import './ResumeBar.scss'

/**
 * 上次读到「…」· 42% · 继续阅读 / 从头读: where the reader stopped last time, offered at the foot of the
 * screen instead of a silent jump. The excerpt comes from the issue as this reader received it.
 */
export default function ResumeBar({
  place,
  onContinue,
  onRestart,
}: {
  place: ResumePlace
  onContinue: () => void
  onRestart: () => void
}) {
  return (
    <View className='resume-bar'>
      <Text className='resume-bar-text'>
        上次读到「{place.excerpt}」{place.percent === null ? '' : ` · ${place.percent}%`}
      </Text>
      <View className='resume-bar-go' hoverClass='resume-bar-hover' onClick={onContinue}>
        <Text>继续阅读</Text>
      </View>
      <Text className='resume-bar-restart' onClick={onRestart}>
        从头读
      </Text>
    </View>
  )
}
