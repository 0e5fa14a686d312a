/**
 * 设置 (admin): what readers see of the paywall (its copy and the plan preselected for them), the
 * publisher's contacts and the 公众号 QR image. Saved through PUT /api/admin/settings, audited, and
 * shown to readers at once, with no new release of the mini-program.
 */
import { useEffect } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { App, Button, Card, Form, Image, Input, Radio, Skeleton, Space, Typography, Upload } from 'antd'
import { api, errorText } from '../api'
import { LoadError } from '../components'
import { time } from '../format'
import type { SiteSettings, SiteSettingsUpdate } from '../types'

/** The API's limits (server/src/schemas/site-settings.ts) */
const PHONE = /^\+?[0-9][0-9 -]{4,18}[0-9]$/
const QR_MAX_BYTES = 512 * 1024

type Values = Pick<SiteSettings, 'paywall' | 'preselectedPlan' | 'contacts'> & { reason?: string }

const required = (label: string, max: number) => [
  { required: true, whitespace: true, message: `请填写${label}` },
  { max, message: `${label}最多 ${max} 个字` },
]
const phoneRules = (label: string) => [
  { required: true, message: `请填写${label}` },
  { pattern: PHONE, message: `${label}只能含数字、空格和 -，如 400-1788-950` },
]

function QrCard({ settings }: { settings: SiteSettings }) {
  const { message } = App.useApp()
  const queryClient = useQueryClient()
  const done = (answer: SiteSettings) => queryClient.setQueryData(['settings'], answer)
  const upload = useMutation({
    mutationFn: (file: File) => {
      const form = new FormData()
      form.append('file', file)
      return api.put<SiteSettings>('/settings/official-account-qr', form)
    },
    onSuccess: (answer) => {
      done(answer)
      void message.success('二维码已更新，读者立即可见')
    },
    onError: (error) => void message.error(errorText(error)),
  })
  const remove = useMutation({
    mutationFn: () => api.delete<SiteSettings>('/settings/official-account-qr'),
    onSuccess: (answer) => {
      done(answer)
      void message.success('二维码已删除')
    },
    onError: (error) => void message.error(errorText(error)),
  })
  const qr = settings.officialAccountQr
  return (
    <Card title='公众号二维码' size='small'>
      <Space align='start' size='large'>
        {qr ? (
          <Image src={qr.url} width={120} alt='公众号二维码' />
        ) : (
          <Typography.Text type='secondary'>未上传：读者只看到公众号名称</Typography.Text>
        )}
        <Space direction='vertical'>
          <Upload
            accept='image/png,image/jpeg'
            showUploadList={false}
            beforeUpload={(file) => {
              if (file.size > QR_MAX_BYTES) void message.error('图片不能超过 512 KB')
              else upload.mutate(file)
              return false
            }}
          >
            <Button loading={upload.isPending}>{qr ? '更换二维码' : '上传二维码'}</Button>
          </Upload>
          {qr ? (
            <Button danger loading={remove.isPending} onClick={() => remove.mutate()}>
              删除二维码
            </Button>
          ) : null}
          <Typography.Text type='secondary'>
            PNG 或 JPEG，不超过 512 KB{qr ? `；更新于 ${time(qr.updatedAt)}` : ''}
          </Typography.Text>
        </Space>
      </Space>
    </Card>
  )
}

export default function Settings() {
  const { message } = App.useApp()
  const queryClient = useQueryClient()
  const [form] = Form.useForm<Values>()
  const query = useQuery({ queryKey: ['settings'], queryFn: () => api.get<SiteSettings>('/settings') })
  const save = useMutation({
    mutationFn: (body: SiteSettingsUpdate) => api.put<SiteSettings>('/settings', body),
    onSuccess: (answer) => {
      queryClient.setQueryData(['settings'], answer)
      form.setFieldValue('reason', '')
      void message.success('已保存，读者立即可见')
    },
    onError: (error) => void message.error(errorText(error)),
  })
  const settings = query.data
  useEffect(() => {
    if (settings) form.setFieldsValue(settings)
  }, [form, settings])

  if (query.isPending) return <Skeleton active />
  if (query.isError || !settings) return <LoadError title='设置加载失败' error={query.error} />
  const { defaults } = settings

  const submit = (values: Values) => {
    const { reason, paywall, preselectedPlan, contacts } = values
    save.mutate({
      paywall,
      preselectedPlan,
      contacts: { ...contacts, channelsFinderUserName: contacts.channelsFinderUserName ?? '' },
      ...(reason ? { reason } : {}),
    })
  }
  const restore = () => form.setFieldsValue({ paywall: defaults.paywall, contacts: defaults.contacts })

  return (
    <Space direction='vertical' size='large' style={{ width: '100%', maxWidth: 760 }}>
      <Form form={form} layout='vertical' initialValues={settings} onFinish={submit} aria-label='设置'>
        <Card title='付费墙' size='small'>
          <Form.Item label='标题' name={['paywall', 'title']} rules={required('标题', 40)}>
            <Input placeholder={defaults.paywall.title} />
          </Form.Item>
          <Form.Item label='提示语' name={['paywall', 'message']} rules={required('提示语', 120)}>
            <Input.TextArea autoSize={{ minRows: 2 }} placeholder={defaults.paywall.message} />
          </Form.Item>
          <Form.Item label='按钮文字' name={['paywall', 'button']} rules={required('按钮文字', 16)}>
            <Input placeholder={defaults.paywall.button} />
          </Form.Item>
          <Form.Item label='默认选中的会员方案' name='preselectedPlan' rules={[{ required: true }]}>
            <Radio.Group
              optionType='button'
              options={settings.plans.map((plan) => ({ label: plan.name, value: plan.id }))}
            />
          </Form.Item>
        </Card>
        <Card title='联系方式' size='small' style={{ marginTop: 16 }}>
          <Form.Item label='客服电话' name={['contacts', 'servicePhone']} rules={phoneRules('客服电话')}>
            <Input placeholder={defaults.contacts.servicePhone} />
          </Form.Item>
          <Form.Item label='服务时间' name={['contacts', 'serviceHours']} rules={required('服务时间', 40)}>
            <Input placeholder={defaults.contacts.serviceHours} />
          </Form.Item>
          <Form.Item label='商务合作' name={['contacts', 'businessPhone']} rules={phoneRules('商务合作电话')}>
            <Input placeholder={defaults.contacts.businessPhone} />
          </Form.Item>
          <Form.Item label='公众号名称' name={['contacts', 'officialAccountName']} rules={required('公众号名称', 40)}>
            <Input />
          </Form.Item>
          <Form.Item label='视频号名称' name={['contacts', 'channelsName']} rules={required('视频号名称', 40)}>
            <Input />
          </Form.Item>
          <Form.Item
            label='视频号 ID（sph 开头，可留空）'
            name={['contacts', 'channelsFinderUserName']}
            rules={[
              { max: 64, message: '视频号 ID 最多 64 个字符' },
              { pattern: /^[A-Za-z0-9_-]*$/, message: '视频号 ID 只能含字母、数字、_ 和 -' },
            ]}
          >
            <Input />
          </Form.Item>
          <Form.Item label='微博名称' name={['contacts', 'weiboName']} rules={required('微博名称', 40)}>
            <Input />
          </Form.Item>
        </Card>
        <Card size='small' style={{ marginTop: 16 }}>
          <Form.Item label='修改原因（记入操作日志）' name='reason' rules={[{ max: 200 }]}>
            <Input placeholder='如：双十一活动文案' />
          </Form.Item>
          <Space>
            <Button type='primary' htmlType='submit' loading={save.isPending}>
              保存
            </Button>
            <Button onClick={restore}>恢复默认文案与联系方式</Button>
          </Space>
        </Card>
      </Form>
      <QrCard settings={settings} />
    </Space>
  )
}
