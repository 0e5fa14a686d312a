import { useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { routes } from '../../../constants'
import { downloadIssuePdf, toApiError, type PdfIssue } from '../../../services/api'
import { useSession } from '../../../store/session'
import { busyButton, buttonFlag } from '../../../utils/button'
import './PdfDownload.scss'

const FAILED = '下载失败，请稍后重试'
export const VIP_ONLY = 'PDF下载为VIP专享'

/** Says why before the reader lands on 开通会员: the tap was for a PDF, not for a plan. */
function offerMembership() {
  Taro.showModal({
    title: VIP_ONLY,
    content: '开通VIP会员后，可下载整期PDF，保存与转发',
    confirmText: '开通会员',
    cancelText: '暂不开通',
  })
    .then(({ confirm }) => (confirm ? Taro.navigateTo({ url: routes.vipBuy }) : undefined))
    .catch(() => undefined)
}

/**
 * 下载PDF (文档PDF下载, a VIP benefit) for signed-in readers: the server renders the whole issue with the
 * reader's masked id as a watermark. Without VIP the tap says PDF下载为VIP专享 and offers 开通会员; a session lost on
 * the way signs in again (the HTTP client's withSession).
 */
export default function PdfDownload({ issue }: { issue: PdfIssue }) {
  const [busy, setBusy] = useState(false)
  const signedIn = useSession().status === 'signed-in'

  const onTap = async () => {
    if (busy) return
    setBusy(true)
    try {
      await downloadIssuePdf(issue)
    } catch (error) {
      const failure = toApiError(error)
      if (failure.isVipRequired) {
        offerMembership()
      } else {
        const message = failure.status === 0 || failure.status >= 500 ? FAILED : failure.message
        void Taro.showToast({ title: message, icon: 'none' })
      }
    } finally {
      setBusy(false)
    }
  }

  if (!signedIn) return null
  return (
    <View className='pdf-download'>
      <Button className='pdf-download-button' {...busyButton(busy)} disabled={buttonFlag(busy)} onClick={onTap}>
        {busy ? '下载中…' : '下载PDF'}
      </Button>
      <Text className='pdf-download-note'>VIP会员专享：整期内容，可保存与转发</Text>
    </View>
  )
}
