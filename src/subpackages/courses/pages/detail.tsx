import { useCallback, useEffect, useRef, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidHide, useRouter, useShareAppMessage } from '@tarojs/taro'
import { TextSkeleton } from '../../../components/Skeleton'
import StateView, { LoadFailed } from '../../../components/StateView'
import { BRAND, routes } from '../../../constants'
import { useMembershipReload } from '../../../hooks/useMembershipReload'
import { usePageTheme } from '../../../hooks/usePageTheme'
import type { CourseDetail, Lesson } from '../../../services/api'
import { useSession } from '../../../store/session'
import CourseHead from '../components/CourseHead'
import CoursePaywall from '../components/CoursePaywall'
import LessonList from '../components/LessonList'
import LessonPlayer from '../components/LessonPlayer'
import { clock, courseRoute, lessonNumber, nextLesson, openingLesson, paragraphs } from '../course'
import { parseCourseId, useCourse } from '../useCourse'
import { useLessonStage, type LessonStage } from '../useLessonStage'
import { useProgressSaver } from '../useProgressSaver'
import './detail.scss'

const scrollToPlayer = () => void Taro.pageScrollTo({ scrollTop: 0, duration: 200 }).catch(() => undefined)

/** Where the reader stopped last time: 上次学到 第2节 01:05 · 继续学习 */
function ResumeLine({ course, onContinue }: { course: CourseDetail; onContinue: (lesson: Lesson) => void }) {
  const { resume } = course
  const lesson = resume ? course.lessons.find((item) => item.id === resume.lessonId) : undefined
  if (!resume || !lesson) return null
  return (
    <View className='course-resume' role='button' onClick={() => onContinue(lesson)}>
      <Text className='course-resume-text'>
        上次学到 {lessonNumber(lesson)} {clock(resume.positionSeconds)}
      </Text>
      <Text className='course-resume-go'>继续学习 ›</Text>
    </View>
  )
}

/** Under the player: the lesson on it, and once it ended, 本节已学完 with the next lesson */
function NowPlaying({
  course,
  stage,
  onOpen,
}: {
  course: CourseDetail
  stage: LessonStage
  onOpen: (lesson: Lesson) => void
}) {
  if (stage.kind === 'none' || stage.kind === 'locked') return null
  const next = stage.kind === 'ready' && stage.ended ? nextLesson(course, stage.lesson.id) : undefined
  return (
    <View className='course-now'>
      <Text className='course-now-title'>
        {lessonNumber(stage.lesson)} · {stage.lesson.title}
      </Text>
      {stage.kind === 'ready' && stage.ended ? (
        <View className='course-ended' role='status'>
          <Text className='course-ended-done'>✓ 本节已学完</Text>
          {next ? (
            <View className='course-ended-next' role='button' onClick={() => onOpen(next)}>
              下一节：{lessonNumber(next)} {next.title} ›
            </View>
          ) : (
            <Text className='course-ended-last'>已是最后一节</Text>
          )}
        </View>
      ) : null}
    </View>
  )
}

/**
 * A course: the player on top (or, for a locked lesson, its paywall in place of it), 继续学习 where
 * the reader stopped, the course's head and 课程简介, and 课程目录. The reader's place is saved while
 * playing (useProgressSaver); after buying VIP or the course the page reloads and plays the lesson.
 */
export default function CoursePage() {
  const theme = usePageTheme()
  const { params } = useRouter()
  const [id] = useState(() => parseCourseId(params.id))
  const { state, reload, setProgress } = useCourse(id)
  const signedIn = useSession().status === 'signed-in'
  const saver = useProgressSaver(signedIn, setProgress)
  const { stage, play, playerFailed, ended } = useLessonStage(saver, () => void reload(true))
  /** The reader started a player: 上次学到 has said what it had to */
  const [started, setStarted] = useState(false)
  const course = state.status === 'ready' ? state.course : null

  // The course opens on where the reader stopped, or the first lesson they may play, not playing yet.
  const opened = useRef(false)
  useEffect(() => {
    if (!course || opened.current) return
    opened.current = true
    const lesson = openingLesson(course)
    if (lesson) play(lesson, { autoplay: false })
  }, [course, play])

  useEffect(() => {
    if (course) void Taro.setNavigationBarTitle({ title: course.title }).catch(() => undefined)
  }, [course?.title]) // eslint-disable-line react-hooks/exhaustive-deps -- the title only

  // A lesson tapped plays (its playback asked for again), unless it is the one playing now.
  const playing = useRef(false)
  const stageLesson = stage.kind === 'none' ? null : stage.lesson.id
  const open = useCallback(
    (lesson: Lesson) => {
      scrollToPlayer()
      if (playing.current && lesson.id === stageLesson) return
      playing.current = false
      play(lesson, { autoplay: true })
    },
    [play, stageLesson],
  )

  // Unlocked (VIP bought on the page above, or this course): the course again, and the lesson on the stage plays.
  const unlocked = useCallback(() => {
    void reload(true).then((fresh) => {
      const lesson = fresh?.lessons.find((item) => item.id === stageLesson)
      if (lesson?.playable) play(lesson, { autoplay: true })
    })
  }, [play, reload, stageLesson])

  // Back on this page with another membership (bought on 开通会员, or expired): the lessons open as they now are.
  useMembershipReload(state, unlocked)
  useDidHide(saver.flush)

  useShareAppMessage(() => ({
    title: course ? course.title : `${BRAND}·视频课程`,
    path: course ? courseRoute(course.id) : routes.courses,
  }))

  if (state.status === 'loading') {
    return (
      <View className={`course-page ${theme}`}>
        <View className='course-stage' />
        <View className='course-section'>
          <TextSkeleton lines={6} />
        </View>
      </View>
    )
  }
  if (state.status === 'not-found') {
    return (
      <View className={`course-page ${theme}`}>
        <StateView kind='not-found' title='课程不存在或已下线' description='去看看其他课程吧' />
      </View>
    )
  }
  if (state.status === 'error' || !course) {
    return (
      <View className={`course-page ${theme}`}>
        {state.status === 'error' ? (
          <LoadFailed error={state.error} title='课程加载失败' onRetry={() => void reload()} />
        ) : null}
      </View>
    )
  }

  let top
  if (stage.kind === 'ready') {
    top = (
      <LessonPlayer
        playback={stage.playback}
        title={stage.lesson.title}
        startAt={stage.startAt}
        autoplay={stage.autoplay}
        onPlay={() => {
          playing.current = true
          setStarted(true)
        }}
        onTime={saver.time}
        onPause={() => {
          playing.current = false
          saver.flush()
        }}
        onEnded={() => {
          playing.current = false
          ended()
        }}
        onError={() => {
          playing.current = false
          playerFailed()
        }}
      />
    )
  } else if (stage.kind === 'locked') {
    top = (
      <CoursePaywall
        course={course}
        lesson={stage.lesson}
        lockedBy={stage.lockedBy}
        message={stage.message}
        onBought={unlocked}
      />
    )
  } else if (stage.kind === 'failed') {
    top = (
      <View className='course-stage course-stage-failed' role='alert'>
        <Text className='course-stage-text'>{stage.error.message}</Text>
        <Button className='btn btn-ghost course-stage-retry' onClick={() => play(stage.lesson, { autoplay: true })}>
          重新加载
        </Button>
      </View>
    )
  } else {
    // The first lesson's playback on its way; nothing to play in a course without lessons.
    top = course.lessons.length > 0 ? <View className='course-stage' aria-busy='true' /> : null
  }

  const completed = course.lessons.filter((lesson) => lesson.progress?.completed).length
  return (
    <View className={`course-page ${theme}`}>
      {top}
      <NowPlaying course={course} stage={stage} onOpen={open} />
      {started ? null : <ResumeLine course={course} onContinue={open} />}
      <View className='course-section'>
        <CourseHead course={course} size='head' completed={completed} />
      </View>
      {course.description ? (
        <View className='course-section course-card'>
          <Text className='course-card-title'>课程简介</Text>
          {paragraphs(course.description).map((text, index) => (
            <Text key={index} className='course-paragraph'>
              {text}
            </Text>
          ))}
        </View>
      ) : null}
      <View className='course-section course-card'>
        <Text className='course-card-title'>课程目录 · 共{course.lessons.length}节</Text>
        <LessonList lessons={course.lessons} currentId={stageLesson} onOpen={open} />
      </View>
    </View>
  )
}
