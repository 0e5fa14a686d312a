/**
 * 漏斗: the reader's path from a shared card to a paid order, for one issue, one region or everything,
 * over 7, 30 or 90 days; split by entry scene and by sharer (docs/funnel.md).
 */
import { useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import {
  Alert,
  Button,
  Card,
  Empty,
  Input,
  InputNumber,
  Progress,
  Radio,
  Skeleton,
  Space,
  Table,
  Typography,
} from 'antd'
import { api, errorText } from '../api'
import { time } from '../format'
import type { FunnelReport } from '../types'

type Scope = 'issue' | 'region' | 'all'
type Days = 7 | 30 | 90
type Counts = FunnelReport['byScene'][number]['counts']

const STEP_COLUMNS: Array<{ key: keyof Counts; title: string }> = [
  { key: 'opened', title: '打开' },
  { key: 'paywall', title: '付费墙' },
  { key: 'plan_sheet', title: '开通页' },
  { key: 'order_created', title: '下单' },
  { key: 'paid', title: '支付' },
]

const percent = (ratio: number | null | undefined) =>
  ratio === null || ratio === undefined ? '—' : `${(ratio * 100).toFixed(1)}%`

const countColumns = STEP_COLUMNS.map(({ key, title }) => ({
  title,
  key,
  align: 'right' as const,
  render: (_: unknown, row: { counts: Counts }) => row.counts?.[key] ?? 0,
}))

const paidRate = {
  title: '支付/打开',
  key: 'rate',
  align: 'right' as const,
  render: (_: unknown, row: { counts: Counts }) =>
    row.counts?.opened ? percent((row.counts.paid ?? 0) / row.counts.opened) : '—',
}

/** The issue id the screen opens with: #/funnel?issueId=12 (a link from elsewhere in the console) */
function issueIdFromHash(): number | null {
  const match = /[?&]issueId=(\d+)/.exec(window.location.hash)
  return match ? Number(match[1]) : null
}

export default function Funnel() {
  const initialIssue = issueIdFromHash()
  const [scope, setScope] = useState<Scope>(initialIssue ? 'issue' : 'all')
  const [issueInput, setIssueInput] = useState<number | null>(initialIssue)
  const [regionInput, setRegionInput] = useState('')
  const [days, setDays] = useState<Days>(7)
  const [applied, setApplied] = useState<{ issueId?: number; region?: string }>(
    initialIssue ? { issueId: initialIssue } : {},
  )

  const apply = () => {
    if (scope === 'issue' && issueInput) setApplied({ issueId: issueInput })
    else if (scope === 'region' && regionInput.trim()) setApplied({ region: regionInput.trim() })
    else setApplied({})
  }

  const query = useQuery({
    queryKey: ['funnel', applied, days],
    queryFn: () => api.get<FunnelReport>('/funnel', { ...applied, days }),
  })

  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 16 }}>
      <Card size='small'>
        <Space wrap>
          <Radio.Group value={scope} onChange={(event) => setScope(event.target.value as Scope)}>
            <Radio.Button value='issue'>单期</Radio.Button>
            <Radio.Button value='region'>地区</Radio.Button>
            <Radio.Button value='all'>全部</Radio.Button>
          </Radio.Group>
          {scope === 'issue' && (
            <InputNumber
              aria-label='期刊ID'
              placeholder='期刊ID'
              min={1}
              precision={0}
              value={issueInput}
              onChange={(value) => setIssueInput(typeof value === 'number' ? value : null)}
              onPressEnter={apply}
            />
          )}
          {scope === 'region' && (
            <Input
              aria-label='地区代码'
              placeholder='地区代码，如 shanxi'
              maxLength={64}
              value={regionInput}
              onChange={(event) => setRegionInput(event.target.value)}
              onPressEnter={apply}
              style={{ width: 200 }}
            />
          )}
          <Button type='primary' onClick={apply}>
            查询
          </Button>
          <Radio.Group value={days} onChange={(event) => setDays(event.target.value as Days)}>
            <Radio.Button value={7}>近7天</Radio.Button>
            <Radio.Button value={30}>近30天</Radio.Button>
            <Radio.Button value={90}>近90天</Radio.Button>
          </Radio.Group>
        </Space>
      </Card>
      <FunnelView query={query} />
    </div>
  )
}

/** Counts per step, one row per scene or sharer */
function CountsTable<Row extends { counts: Counts }>(props: {
  testId: string
  name: string
  nameKey: keyof Row & string
  rows: Row[]
}) {
  return (
    <Table
      data-testid={props.testId}
      rowKey={props.nameKey}
      size='small'
      pagination={false}
      dataSource={props.rows}
      columns={[{ title: props.name, dataIndex: props.nameKey, key: 'name' }, ...countColumns, paidRate]}
    />
  )
}

function FunnelView({
  query,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown; data?: FunnelReport }
}) {
  if (query.isPending) return <Skeleton active />
  if (query.isError || !query.data)
    return <Alert type='error' showIcon message='漏斗加载失败' description={errorText(query.error)} />
  const report = query.data
  const opened = report.steps[0]?.count ?? 0

  return (
    <>
      <Card
        size='small'
        title={<span data-testid='funnel-scope'>{report.scope?.title ?? '—'}</span>}
        extra={
          <Typography.Text type='secondary'>
            {report.from} 至 {report.to}
          </Typography.Text>
        }
      >
        <Table
          data-testid='funnel-steps'
          rowKey='step'
          size='small'
          pagination={false}
          dataSource={report.steps}
          columns={[
            { title: '步骤', dataIndex: 'label', key: 'label' },
            { title: '人数', dataIndex: 'count', key: 'count', align: 'right' },
            {
              title: '',
              key: 'bar',
              width: '35%',
              render: (_, row) => (
                <Progress percent={opened ? Math.round((row.count / opened) * 100) : 0} showInfo={false} size='small' />
              ),
            },
            { title: '较上一步', key: 'prev', align: 'right', render: (_, row) => percent(row.fromPrevious) },
            { title: '较打开', key: 'opened', align: 'right', render: (_, row) => percent(row.fromOpened) },
          ]}
        />
        <Typography.Paragraph type='secondary' style={{ marginTop: 12, marginBottom: 0 }}>
          打开、付费墙、开通页按每期每天的访客计数（同一访客同一天只计一次）；下单、支付按读者计数，来自订单记录的来源期刊。
          {report.countedBefore ? ` ${time(report.countedBefore)} 之前的数据已汇总，之后为实时数据。` : ''}
        </Typography.Paragraph>
      </Card>
      <Card size='small' title='按进入场景'>
        <CountsTable testId='funnel-scenes' name='场景' nameKey='label' rows={report.byScene} />
      </Card>
      <Card size='small' title='分享者排行'>
        {report.bySharer.length === 0 ? (
          <Empty description='这段时间没有来自分享的访问' />
        ) : (
          <CountsTable testId='funnel-sharers' name='分享者' nameKey='sharer' rows={report.bySharer} />
        )}
      </Card>
    </>
  )
}
