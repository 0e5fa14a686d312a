import { useState } from 'react'
import { Image, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { shareCardUrl } from '../../../services/api'
import './SharePoster.scss'

/** The browser preview cannot write to the photo album: the reader long-presses the image instead. */
const inBrowser = () => process.env.TARO_ENV === 'h5'

async function saveToAlbum(url: string): Promise<void> {
  const { tempFilePath, statusCode } = await Taro.downloadFile({ url })
  if (statusCode !== 200) throw new Error(`share card answered ${statusCode}`)
  await Taro.saveImageToPhotosAlbum({ filePath: tempFilePath })
}

/**
 * 生成分享海报 for Moments: the server's square share card (drawn from the free fields only, so no
 * VIP text can be on it) with 保存到相册. A sheet over the article; tapping outside closes it.
 */
export default function SharePoster({ issueId, onClose }: { issueId: number; onClose: () => void }) {
  const url = shareCardUrl(issueId, 'moments')
  const [saving, setSaving] = useState(false)
  const save = () => {
    if (saving) return
    setSaving(true)
    saveToAlbum(url)
      .then(
        () => Taro.showToast({ title: '已保存到相册', icon: 'success' }),
        (error: unknown) => {
          // Refused access to the album is the reader's choice, not a failure to report as one.
          const denied = /auth|deny|denied/i.test(String((error as { errMsg?: string })?.errMsg ?? error))
          return Taro.showToast({ title: denied ? '请在设置中允许保存到相册' : '保存失败，请稍后重试', icon: 'none' })
        },
      )
      .finally(() => setSaving(false))
  }
  return (
    <View className='poster-mask' onClick={onClose}>
      <View className='poster-sheet' onClick={(event) => event.stopPropagation()}>
        <Text className='poster-title'>分享海报</Text>
        <Image className='poster-image' src={url} mode='aspectFit' showMenuByLongpress />
        {inBrowser() ? (
          <Text className='poster-hint'>长按图片保存到相册，再发到朋友圈</Text>
        ) : (
          <View className='poster-save' hoverClass='poster-save-hover' onClick={save}>
            <Text>{saving ? '正在保存…' : '保存到相册'}</Text>
          </View>
        )}
        <Text className='poster-close' onClick={onClose}>
          关闭
        </Text>
      </View>
    </View>
  )
}
