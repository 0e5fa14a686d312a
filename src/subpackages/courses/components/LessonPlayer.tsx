import { useEffect, useRef, useState } from 'react'
import { Text, Video, View } from '@tarojs/components'
import type { LessonPlayback } from '../../../services/api'
import { mediaUrl } from '../../../utils/media'
import { cueAt } from '../course'
import './LessonPlayer.scss'

export interface LessonPlayerProps {
  playback: LessonPlayback
  title: string
  /** Where the video starts, in seconds */
  startAt: number
  autoplay: boolean
  onPlay: () => void
  onTime: (seconds: number) => void
  onPause: () => void
  onEnded: () => void
  onError: () => void
}

/**
 * WeChat's video player for one playback. It is keyed by the signed URL, so a new playback (another
 * lesson, or fresh URLs after these expired) is a new player that starts at `startAt`: `initialTime`
 * only counts when a player starts. WeChat's player takes no subtitle track, so the lesson's
 * subtitles (the playback's cues) are drawn on a line under it, changed only when the cue does.
 */
export default function LessonPlayer({ playback, title, startAt, autoplay, ...on }: LessonPlayerProps) {
  const { cues } = playback
  const [cue, setCue] = useState(() => cueAt(cues, startAt))
  const [captions, setCaptions] = useState(true)
  const shown = useRef(cue)
  useEffect(() => {
    shown.current = cueAt(cues, startAt)
    setCue(shown.current)
  }, [cues, startAt])
  const onTime = (seconds: number) => {
    on.onTime(seconds)
    const now = cueAt(cues, seconds)
    if (now !== shown.current) {
      shown.current = now
      setCue(now)
    }
  }
  // H5's Video is absolutely positioned in its parent: the box gives it its place and size.
  return (
    <View className='lesson-stage'>
      <View className='lesson-player'>
        <Video
          key={playback.url}
          id='lesson-video'
          className='lesson-video'
          src={mediaUrl(playback.url)}
          poster={mediaUrl(playback.poster) || undefined}
          title={title}
          initialTime={startAt}
          autoplay={autoplay}
          controls
          showCenterPlayBtn
          enablePlayGesture
          objectFit='contain'
          onPlay={on.onPlay}
          onTimeUpdate={(event) => onTime(event.detail.currentTime)}
          onPause={on.onPause}
          onEnded={on.onEnded}
          onError={on.onError}
        />
      </View>
      {cues.length > 0 && (
        <View className='lesson-captions'>
          <Text className='lesson-caption' aria-live='polite'>
            {captions ? (cues[cue]?.text ?? '') : ''}
          </Text>
          <View
            className='lesson-captions-toggle'
            role='button'
            aria-pressed={captions}
            onClick={() => setCaptions((on) => !on)}
          >
            {captions ? '字幕 开' : '字幕 关'}
          </View>
        </View>
      )}
    </View>
  )
}
