/**
 * 期刊: issues by status and region, 发布 / 下线 with a confirmation, and 导入: upload or paste
 * Markdown, 检查 (problems with file:line, or the parsed issue and what changes), then 导入.
 */
import { useState } from 'react'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Drawer,
  Form,
  Input,
  List,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
  Upload,
} from 'antd'
import { api, errorText } from '../api'
import { CursorPager, JsonBlock, useCursorPaging } from '../components'
import { ISSUE_STATUS, pick, text, time } from '../format'
import { useCan } from '../session'
import type { CheckResult, IssueRow, Loose, Page } from '../types'

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
  const paging = useCursorPaging()
  const list = useQuery({
    queryKey: ['issues', filters, paging.cursor],
    queryFn: () => api.get<Page<IssueRow>>('/issues', { ...filters, cursor: paging.cursor, limit: 20 }),
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
      {list.isError && (
        <Alert
          type='error'
          showIcon
          message='期刊加载失败'
          description={errorText(list.error)}
          style={{ marginBottom: 16 }}
        />
      )}
      <Table
        rowKey='id'
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: '没有符合条件的期刊' }}
        columns={[
          { title: 'ID', dataIndex: 'id', width: 70 },
          { title: '标题', render: (_, row: IssueRow) => text(pick(row, 'title')) },
          {
            title: '地区',
            render: (_, row: IssueRow) => {
              const region = pick(row, 'regionName', 'region')
              return text(typeof region === 'object' && region ? pick(region as Loose, 'name', 'slug') : region)
            },
          },
          { title: '期号', render: (_, row: IssueRow) => text(pick(row, 'number', 'issueNumber')) },
          { title: '状态', render: (_, row: IssueRow) => <StatusTag status={row.status} /> },
          { title: '发布时间', render: (_, row: IssueRow) => time(pick(row, 'publishedAt')) },
          { title: '更新时间', render: (_, row: IssueRow) => time(pick(row, 'updatedAt')) },
          ...(canEdit
            ? [
                {
                  title: '操作',
                  render: (_: unknown, row: IssueRow) =>
                    row.status === 'published' ? (
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
                    ),
                },
              ]
            : []),
        ]}
      />
      <CursorPager paging={paging} nextCursor={list.data?.nextCursor} loading={list.isFetching} />
      <ImportDrawer open={importing} onClose={() => setImporting(false)} />
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
    mutationFn: () => api.post<Loose>('/issues/import', { markdown, fileName }),
    onSuccess: () => {
      void message.success('导入成功')
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
              {Object.entries(result.issue)
                .filter(([, value]) => typeof value !== 'object' || value === null)
                .map(([key, value]) => (
                  <Descriptions.Item key={key} label={key}>
                    {/At$/.test(key) ? time(value) : text(value)}
                  </Descriptions.Item>
                ))}
            </Descriptions>
          </Card>
        )}
        {result?.diff !== undefined && result.diff !== null && (
          <Card size='small' title='与线上版本的差异'>
            <Diff diff={result.diff} />
          </Card>
        )}
      </Space>
    </Drawer>
  )
}

/** A diff as text (+/- lines coloured) or as whatever structure the API sends. */
function Diff({ diff }: { diff: unknown }) {
  if (typeof diff !== 'string') return <JsonBlock value={diff} />
  return (
    <pre style={{ margin: 0, maxHeight: 400, overflow: 'auto', fontSize: 12 }}>
      {diff.split('\n').map((line, index) => (
        <div
          key={index}
          style={{
            background: line.startsWith('+') ? '#f6ffed' : line.startsWith('-') ? '#fff1f0' : undefined,
          }}
        >
          {line || ' '}
        </div>
      ))}
    </pre>
  )
}
