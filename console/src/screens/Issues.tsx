/**
 * 期刊: issues by status and region, 发布 / 下线 with a confirmation, 定时发布 (a Beijing time;
 * 取消定时), and 导入: upload or paste Markdown, 检查 (problems with file:line, or the parsed
 * issue and what changes), then 导入.
 */
import { useState } from 'react'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Drawer,
  Form,
  Input,
  List,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
  Upload,
} from 'antd'
import type { Dayjs } from 'dayjs'
import { api, ApiError, errorText } from '../api'
import { CursorPager, LoadError, useCursorPaging } from '../components'
import { ISSUE_STATUS, text, time } from '../format'
import { useCan } from '../session'
import { PreviewButton } from './IssuePreview'
import { shanghaiDay, shanghaiIso, shanghaiMinute, shanghaiMs, shanghaiPickerValue } from '../shanghai'
import type { CheckResult, ImportResult, IssuePage, IssueRow } from '../types'

interface Filters {
  status?: string
  region?: string
}

function StatusTag({ status }: { status: unknown }) {
  const known = ISSUE_STATUS[String(status)]
  return <Tag color={known?.color}>{known?.label ?? text(status)}</Tag>
}

export default function Issues() {
  const { message } = App.useApp()
  const queryClient = useQueryClient()
  const canEdit = useCan('editor')
  const [filters, setFilters] = useState<Filters>({})
  const [importing, setImporting] = useState(false)
  const [scheduling, setScheduling] = useState<IssueRow | null>(null)
  const paging = useCursorPaging()
  const list = useQuery({
    queryKey: ['issues', filters, paging.cursor],
    queryFn: () => api.get<IssuePage>('/issues', { ...filters, cursor: paging.cursor, limit: 20 }),
    placeholderData: keepPreviousData,
  })
  const toggle = useMutation({
    mutationFn: ({ id, action }: { id: number; action: 'publish' | 'unpublish' }) =>
      api.post(`/issues/${id}/${action}`, {}),
    onSuccess: (_, { action }) => {
      void message.success(action === 'publish' ? '已发布' : '已下线')
      void queryClient.invalidateQueries({ queryKey: ['issues'] })
    },
    onError: (error) => void message.error(errorText(error)),
  })

  return (
    <Card>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <Form
          layout='inline'
          onFinish={(values: Filters) => {
            setFilters({ status: values.status, region: values.region?.trim() || undefined })
            paging.reset()
          }}
        >
          <Form.Item label='状态' name='status'>
            <Select
              allowClear
              placeholder='全部'
              style={{ width: 120 }}
              options={['draft', 'scheduled', 'published', 'archived'].map((value) => ({
                value,
                label: ISSUE_STATUS[value].label,
              }))}
            />
          </Form.Item>
          <Form.Item label='地区' name='region'>
            <Input allowClear placeholder='例如 shanxi' style={{ width: 140 }} />
          </Form.Item>
          <Form.Item>
            <Button htmlType='submit'>查询</Button>
          </Form.Item>
        </Form>
        {canEdit && (
          <Button type='primary' onClick={() => setImporting(true)}>
            导入期刊
          </Button>
        )}
      </Space>
      {list.isError && <LoadError title='期刊加载失败' error={list.error} />}
      <Table
        rowKey='id'
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: '没有符合条件的期刊' }}
        columns={[
          { title: 'ID', dataIndex: 'id', width: 70 },
          {
            title: '标题',
            render: (_, row: IssueRow) => (
              <Space size={4}>
                {text(row.title)}
                {row.vip && <Tag color='gold'>VIP</Tag>}
              </Space>
            ),
          },
          { title: '地区', render: (_, row: IssueRow) => text(row.region?.name ?? row.region?.code) },
          { title: '栏目', render: (_, row: IssueRow) => text(row.column?.name) },
          { title: '期号', render: (_, row: IssueRow) => text(row.number) },
          {
            title: '状态',
            render: (_, row: IssueRow) =>
              row.status === 'scheduled' && row.scheduledAt ? (
                <Tag color='blue' data-testid='scheduled-at'>
                  已定时 {shanghaiMinute(row.scheduledAt)}
                </Tag>
              ) : (
                <StatusTag status={row.status} />
              ),
          },
          { title: '发布时间', render: (_, row: IssueRow) => time(row.publishedAt) },
          { title: '阅读', align: 'right' as const, render: (_, row: IssueRow) => text(row.views) },
          ...(canEdit
            ? [
                {
                  title: '操作',
                  render: (_: unknown, row: IssueRow) => (
                    <Space size={4} wrap>
                      <PreviewButton issue={row} />
                      {row.status === 'published' && (
                        <Button size='small' href={`#/funnel?issueId=${row.id}`}>
                          漏斗
                        </Button>
                      )}
                      {row.status !== 'published' && (
                        <ScheduleActions row={row} onSchedule={() => setScheduling(row)} />
                      )}
                      {row.status === 'published' ? (
                        <Popconfirm
                          title='下线这期期刊？'
                          description='下线后读者将无法在列表和搜索中看到它。'
                          okText='下线'
                          okButtonProps={{ danger: true }}
                          cancelText='取消'
                          onConfirm={() => toggle.mutateAsync({ id: row.id, action: 'unpublish' })}
                        >
                          <Button size='small' danger>
                            下线
                          </Button>
                        </Popconfirm>
                      ) : (
                        <Popconfirm
                          title='发布这期期刊？'
                          description='发布后读者立即可见，订阅了该地区的读者会收到通知。'
                          okText='发布'
                          cancelText='取消'
                          onConfirm={() => toggle.mutateAsync({ id: row.id, action: 'publish' })}
                        >
                          <Button size='small' type='primary' ghost>
                            发布
                          </Button>
                        </Popconfirm>
                      )}
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <CursorPager paging={paging} nextCursor={list.data?.nextCursor} loading={list.isFetching} />
      <ImportDrawer open={importing} onClose={() => setImporting(false)} />
      <ScheduleModal issue={scheduling} onClose={() => setScheduling(null)} />
    </Card>
  )
}

function ImportDrawer({ open, onClose }: { open: boolean; onClose(): void }) {
  const { message } = App.useApp()
  const queryClient = useQueryClient()
  const [markdown, setMarkdown] = useState('')
  const [fileName, setFileName] = useState<string | undefined>()
  /** The text the last check was of: 导入 only what was checked */
  const [checked, setChecked] = useState<{ markdown: string; result: CheckResult } | null>(null)

  const check = useMutation({
    mutationFn: () => api.post<CheckResult>('/issues/check', { markdown, fileName }),
    onSuccess: (result) => setChecked({ markdown, result }),
    onError: (error) => void message.error(`检查失败：${errorText(error)}`),
  })
  const commit = useMutation({
    mutationFn: () => api.post<ImportResult>('/issues/import', { markdown, fileName }),
    onSuccess: (imported) => {
      if (imported && imported.saved === false) {
        setChecked({ markdown, result: imported })
        void message.error('未导入：请先修正问题')
        return
      }
      const outcome = imported?.outcome
      void message.success(
        outcome === 'unchanged' ? '内容未变化' : outcome === 'created' ? '已导入新期刊' : '已更新期刊',
      )
      void queryClient.invalidateQueries({ queryKey: ['issues'] })
      setMarkdown('')
      setFileName(undefined)
      setChecked(null)
      onClose()
    },
    onError: (error) => void message.error(`导入失败：${errorText(error)}`),
  })

  const result = checked?.markdown === markdown ? checked.result : null
  const canImport = result !== null && result.problems.length === 0

  return (
    <Drawer open={open} onClose={onClose} width={860} title='导入期刊' destroyOnHidden={false}>
      <Space direction='vertical' size='middle' style={{ width: '100%' }}>
        <Space>
          <Upload
            accept='.md,.markdown,text/markdown'
            showUploadList={false}
            beforeUpload={(file) => {
              void file.text().then((content) => {
                setMarkdown(content)
                setFileName(file.name)
              })
              return false
            }}
          >
            <Button>上传 Markdown 文件</Button>
          </Upload>
          <Typography.Text type='secondary'>{fileName ? `文件：${fileName}` : '或在下方粘贴 Markdown'}</Typography.Text>
        </Space>
        <Input.TextArea
          value={markdown}
          onChange={(event) => setMarkdown(event.target.value)}
          rows={14}
          placeholder='---&#10;title: …&#10;---'
          style={{ fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSize: 12 }}
        />
        <Space>
          <Button onClick={() => check.mutate()} loading={check.isPending} disabled={!markdown.trim()}>
            检查
          </Button>
          <Button type='primary' onClick={() => commit.mutate()} loading={commit.isPending} disabled={!canImport}>
            导入
          </Button>
          {checked && !result && <Typography.Text type='warning'>内容已修改，请重新检查</Typography.Text>}
        </Space>
        {result && result.problems.length > 0 && (
          <Alert
            type='error'
            showIcon
            message={`发现 ${result.problems.length} 个问题，修正后才能导入`}
            description={
              <List
                size='small'
                dataSource={result.problems}
                renderItem={(problem) => (
                  <List.Item style={{ padding: '4px 0' }}>
                    <Typography.Text code>{problem}</Typography.Text>
                  </List.Item>
                )}
              />
            }
          />
        )}
        {result && result.problems.length === 0 && <Alert type='success' showIcon message='检查通过，可以导入' />}
        {result?.issue && (
          <Card size='small' title='解析结果'>
            <Descriptions size='small' column={2}>
              <Descriptions.Item label='标题'>{result.issue.title}</Descriptions.Item>
              <Descriptions.Item label='标识'>{result.issue.slug}</Descriptions.Item>
              <Descriptions.Item label='地区'>{result.issue.region}</Descriptions.Item>
              <Descriptions.Item label='期号'>{result.issue.number}</Descriptions.Item>
              <Descriptions.Item label='状态'>
                <StatusTag status={result.issue.status} />
              </Descriptions.Item>
              <Descriptions.Item label='VIP内容'>{result.issue.vip ? '有' : '无'}</Descriptions.Item>
            </Descriptions>
          </Card>
        )}
        {result?.diff && (
          <Card size='small' title='与线上版本的差异'>
            {result.diff.created ? (
              <Typography.Text>这是一期新期刊，导入后将新建。</Typography.Text>
            ) : !result.diff.changed ? (
              <Typography.Text type='secondary'>与线上版本相同，导入不会有任何改动。</Typography.Text>
            ) : (
              <Space wrap>
                <Typography.Text>将更新：</Typography.Text>
                {result.diff.fields.map((field) => (
                  <Tag key={field}>{FIELD_LABELS[field] ?? field}</Tag>
                ))}
              </Space>
            )}
          </Card>
        )}
      </Space>
    </Drawer>
  )
}

/** Schedules are at least this far ahead (the server refuses less) */
const MIN_LEAD_MS = 10_000
const MAX_LEAD_MS = 365 * 24 * 3600 * 1000

/** The schedule routes' refusals in the operator's words */
const SCHEDULE_ERRORS: Record<string, string> = {
  SCHEDULE_TOO_SOON: '定时时间需晚于当前时间，请选择更晚的时间或直接发布',
  SCHEDULE_TOO_FAR: '定时时间不能超过一年，请检查年份',
  INVALID_PUBLISH_AT: '定时时间无效，请重新选择',
  ISSUE_ALREADY_PUBLISHED: '这期期刊已经发布，无需定时',
  ISSUE_NOT_SCHEDULED: '这期期刊没有定时发布',
  ISSUE_CHANGED: '期刊状态已变化，请刷新后重试',
}

const scheduleErrorText = (error: unknown) =>
  (error instanceof ApiError && SCHEDULE_ERRORS[error.code]) || errorText(error)

/** 定时发布 (or 修改定时) and, for a scheduled issue, 取消定时 */
function ScheduleActions({ row, onSchedule }: { row: IssueRow; onSchedule(): void }) {
  const { message } = App.useApp()
  const queryClient = useQueryClient()
  const cancel = useMutation({
    mutationFn: () => api.delete(`/issues/${row.id}/schedule`),
    onSuccess: () => {
      void message.success('已取消定时，期刊回到草稿')
      void queryClient.invalidateQueries({ queryKey: ['issues'] })
    },
    onError: (error) => void message.error(scheduleErrorText(error)),
  })
  const scheduled = row.status === 'scheduled' && Boolean(row.scheduledAt)
  return (
    <>
      <Button size='small' onClick={onSchedule}>
        {scheduled ? '修改定时' : '定时发布'}
      </Button>
      {scheduled && (
        <Popconfirm
          title='取消定时发布？'
          description='取消后期刊回到草稿，不会自动发布。'
          okText='取消定时'
          cancelText='不取消'
          onConfirm={() => cancel.mutateAsync()}
        >
          <Button size='small'>取消定时</Button>
        </Popconfirm>
      )}
    </>
  )
}

/** Picks a minute in Beijing time (whatever the browser's zone) and schedules the issue for it */
function ScheduleModal({ issue, onClose }: { issue: IssueRow | null; onClose(): void }) {
  const { message } = App.useApp()
  const queryClient = useQueryClient()
  const [form] = Form.useForm<{ at: Dayjs; reason?: string }>()
  const schedule = useMutation({
    mutationFn: (values: { at: Dayjs; reason?: string }) =>
      api.post(`/issues/${issue?.id}/schedule`, {
        publishAt: shanghaiIso(values.at),
        ...(values.reason?.trim() ? { reason: values.reason.trim() } : {}),
      }),
    onSuccess: (_, values) => {
      void message.success(`已定时：${shanghaiMinute(new Date(shanghaiMs(values.at)).toISOString())} 发布`)
      void queryClient.invalidateQueries({ queryKey: ['issues'] })
      onClose()
    },
    onError: (error) => void message.error(scheduleErrorText(error)),
  })
  const today = shanghaiDay(Date.now())
  const lastDay = shanghaiDay(Date.now() + MAX_LEAD_MS)
  return (
    <Modal
      open={issue !== null}
      title={`定时发布：${issue?.title ?? ''}`}
      okText='定时发布'
      cancelText='取消'
      confirmLoading={schedule.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      afterOpenChange={(open) => {
        if (!open) return form.resetFields()
        if (issue?.scheduledAt) form.setFieldsValue({ at: shanghaiPickerValue(Date.parse(issue.scheduledAt)) })
      }}
    >
      <Form form={form} layout='vertical' onFinish={(values) => schedule.mutate(values)}>
        <Form.Item
          label='发布时间（北京时间）'
          name='at'
          extra='到点后自动发布，订阅了该地区的读者会收到通知。'
          rules={[
            { required: true, message: '请选择发布时间' },
            {
              validator: async (_, value: Dayjs | undefined) => {
                if (!value) return
                const at = shanghaiMs(value)
                if (at < Date.now() + MIN_LEAD_MS) throw new Error('发布时间需晚于当前时间')
                if (at > Date.now() + MAX_LEAD_MS) throw new Error('发布时间不能超过一年')
              },
            },
          ]}
        >
          <DatePicker
            showTime={{ format: 'HH:mm' }}
            format='YYYY-MM-DD HH:mm'
            needConfirm={false}
            // 此刻 would pick the browser's own wall clock, which is not Beijing's everywhere.
            showNow={false}
            placeholder='选择日期和时间'
            style={{ width: '100%' }}
            disabledDate={(day) => day.format('YYYY-MM-DD') < today || day.format('YYYY-MM-DD') > lastDay}
          />
        </Form.Item>
        <Form.Item label='原因（可选）' name='reason'>
          <Input maxLength={200} showCount placeholder='例如：按周一推送计划发布' />
        </Form.Item>
      </Form>
    </Modal>
  )
}

/** Names of the stored fields a re-import may change */
const FIELD_LABELS: Record<string, string> = {
  title: '标题',
  topic: '主题',
  author: '作者',
  summary: '摘要',
  cover: '封面',
  tags: '标签',
  status: '状态',
  access: '权限',
  body: '正文',
  publishedAt: '发布时间',
  number: '期号',
  region: '地区',
  column: '栏目',
  paywall: 'VIP分隔',
}
