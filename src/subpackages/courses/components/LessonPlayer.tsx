import { Video, View } from '@tarojs/components'
import type { LessonPlayback } from '../../../services/api'
import { mediaUrl } from '../../../utils/media'
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
 * only counts when a player starts.
 */
export default function LessonPlayer({ playback, title, startAt, autoplay, ...on }: LessonPlayerProps) {
  // H5's Video is absolutely positioned in its parent: the box gives it its place and size.
  return (
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
        onTimeUpdate={(event) => on.onTime(event.detail.currentTime)}
        onPause={on.onPause}
        onEnded={on.onEnded}
        onError={on.onError}
      />
    </View>
  )
}
