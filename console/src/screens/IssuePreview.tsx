/**
 * 预览: an issue as a reader sees it (docs/console.md, "Preview as"). Each persona tab asks the API
 * for a 10-minute ticket and frames the real H5 app's article page with it, phone-sized; the server
 * cuts the issue for that pretend viewer, never with the operator's rights. The 小程序码 opens the
 * same preview in the trial mini-program on a phone.
 */
import { useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { Alert, Button, Drawer, Space, Spin, Tabs, Typography } from 'antd'
import type { Static } from '@sinclair/typebox'
import type { PreviewTicketDto } from '../../../server/src/schemas/admin-preview'
import { api, errorText } from '../api'
import { text, time } from '../format'
import type { IssueRow } from '../types'

type PreviewTicket = Static<typeof PreviewTicketDto>
type Persona = PreviewTicket['as']

const PERSONAS: { key: Persona; label: string }[] = [
  { key: 'guest', label: '游客' },
  { key: 'reader', label: '未开通VIP' },
  { key: 'vip', label: 'VIP会员' },
  { key: 'moments', label: '朋友圈单页' },
]
/** The phone the frame stands for (iPhone 12–14) */
const PHONE = { width: 390, height: 844 }

/** The 预览 button of an issue row, with its drawer. */
export function PreviewButton({ issue }: { issue: IssueRow }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <Button size='small' onClick={() => setOpen(true)}>
        预览
      </Button>
      {open && <IssuePreview issue={issue} onClose={() => setOpen(false)} />}
    </>
  )
}

export default function IssuePreview({ issue, onClose }: { issue: IssueRow; onClose(): void }) {
  const [as, setAs] = useState<Persona>('guest')
  const ticket = useQuery({
    queryKey: ['issue-preview', issue.id, as],
    queryFn: () => api.post<PreviewTicket>(`/issues/${issue.id}/preview`, { as }),
    // A ticket is good for 10 minutes and is never shared: 刷新 asks for a new one.
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  })
  const data = ticket.data

  return (
    <Drawer
      open
      onClose={onClose}
      width={PHONE.width + 420}
      title={`预览 · #${issue.id} ${text(issue.title)}`}
      extra={
        <Button onClick={() => void ticket.refetch()} loading={ticket.isFetching}>
          刷新
        </Button>
      }
    >
      <Tabs
        activeKey={as}
        onChange={(key) => setAs(key as Persona)}
        items={PERSONAS.map((persona) => ({ key: persona.key, label: persona.label }))}
      />
      {ticket.isError && <Alert type='error' showIcon message='预览失败' description={errorText(ticket.error)} />}
      {!data && ticket.isFetching && <Spin />}
      {data && (
        <Space align='start' size={24}>
          {data.url ? (
            <iframe
              // A new ticket is a new page: the app reads its ticket once, when it loads.
              key={data.ticket}
              title='预览'
              data-testid='preview-frame'
              src={data.url}
              width={PHONE.width}
              height={PHONE.height}
              sandbox='allow-scripts allow-same-origin'
              referrerPolicy='no-referrer'
              style={{ border: '1px solid #d9d9d9', borderRadius: 12, background: '#fff' }}
            />
          ) : (
            <Alert
              type='info'
              showIcon
              style={{ width: PHONE.width }}
              message='未配置 H5 预览地址'
              description='服务器未设置 PREVIEW_H5_BASE，只能用右侧小程序码在手机上预览。'
            />
          )}
          <Space direction='vertical' size={12} style={{ width: 300 }}>
            <Typography.Text data-testid='preview-expiry'>有效期至 {time(data.expiresAt)}</Typography.Text>
            <Typography.Text type='secondary'>
              预览读取这一期的真实内容，按所选身份裁剪；不计阅读数，也不写入任何记录。
            </Typography.Text>
            <MiniProgramCode key={data.ticket} src={data.codeUrl} />
          </Space>
        </Space>
      )}
    </Drawer>
  )
}

function MiniProgramCode({ src }: { src: string }) {
  const [failed, setFailed] = useState(false)
  if (failed) return <Typography.Text type='secondary'>小程序码暂不可用（微信接口未配置或调用失败）</Typography.Text>
  return (
    <Space direction='vertical' size={4}>
      <img src={src} alt='预览小程序码' width={200} height={200} onError={() => setFailed(true)} />
      <Typography.Text type='secondary'>微信扫码，在体验版小程序中打开同一预览</Typography.Text>
    </Space>
  )
}
