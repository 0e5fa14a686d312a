/**
 * 通知与分享: 通知我下一期 (opt-ins waiting per region, messages by status, the latest failures)
 * and share opens (per issue, per sharer, by scene) over 7, 30 or 90 days, as
 * npm run admin -- subscriptions / shares print them.
 */
import { useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { Alert, Card, Col, InputNumber, Radio, Row, Space, Statistic, Table, Typography, type TableProps } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { api, errorText } from '../api'
import { time } from '../format'
import type { ShareReportData, SubscriptionReportData } from '../types'

const MESSAGE_STATUS: Record<string, string> = {
  pending: '待发送',
  sent: '已发送',
  failed: '发送失败',
}

/** WeChat's errcodes of subscribeMessage.send an operator meets */
const ERRCODES: Record<number, string> = {
  43101: '读者没有可用的订阅次数',
  40003: 'openid 无效',
  47003: '模板参数不正确',
}

/** A titled small table in a column of the screen's grid */
function Section<T extends object>({
  lg,
  title,
  rowKey,
  rows,
  empty,
  columns,
}: {
  lg: number
  title: string
  rowKey: TableProps<T>['rowKey']
  rows: T[]
  empty: string
  columns: ColumnsType<T>
}) {
  return (
    <Col xs={24} lg={lg}>
      <Typography.Title level={5}>{title}</Typography.Title>
      <Table<T>
        size='small'
        rowKey={rowKey}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        dataSource={rows}
        locale={{ emptyText: empty }}
        columns={columns}
      />
    </Col>
  )
}

export default function Reach() {
  return (
    <Space direction='vertical' size='large' style={{ width: '100%' }}>
      <Subscriptions />
      <Shares />
    </Space>
  )
}

function Subscriptions() {
  const report = useQuery({
    queryKey: ['reports', 'subscriptions'],
    queryFn: () => api.get<SubscriptionReportData>('/reports/subscriptions'),
  })
  const data = report.data
  return (
    <Card title='通知我下一期' loading={report.isPending}>
      {report.isError && <Alert type='error' showIcon message='加载失败' description={errorText(report.error)} />}
      {data && (
        <Row gutter={[24, 24]}>
          <Section
            lg={8}
            title='等待下一期的订阅（按地区）'
            rowKey='region'
            rows={data.waiting}
            empty='暂无等待中的订阅'
            columns={[
              { title: '地区', dataIndex: 'region' },
              { title: '订阅次数', dataIndex: 'optIns', align: 'right' },
              { title: '读者数', dataIndex: 'readers', align: 'right' },
            ]}
          />
          <Section
            lg={8}
            title='消息（按状态）'
            rowKey='status'
            rows={data.messages}
            empty='暂无消息'
            columns={[
              { title: '状态', render: (_, row) => MESSAGE_STATUS[row.status] ?? row.status },
              { title: '条数', dataIndex: 'count', align: 'right' },
            ]}
          />
          <Section
            lg={8}
            title='最近的发送失败'
            rowKey='id'
            rows={data.failures}
            empty='没有失败'
            columns={[
              { title: '消息', render: (_, row) => `#${row.id}` },
              { title: '期刊', render: (_, row) => `#${row.issueId}` },
              {
                title: '错误码',
                render: (_, row) =>
                  row.errcode === null
                    ? '—'
                    : `${row.errcode}${ERRCODES[row.errcode] ? `（${ERRCODES[row.errcode]}）` : ''}`,
              },
              { title: '尝试次数', dataIndex: 'attempts', align: 'right' },
            ]}
          />
        </Row>
      )}
    </Card>
  )
}

function Shares() {
  const [days, setDays] = useState(30)
  const [issueId, setIssueId] = useState<number | null>(null)
  const report = useQuery({
    queryKey: ['reports', 'shares', days, issueId],
    queryFn: () => api.get<ShareReportData>('/reports/shares', { days, issueId }),
  })
  const data = report.data
  return (
    <Card
      title='分享打开'
      extra={
        <Space wrap>
          <Radio.Group
            value={days}
            onChange={(event) => setDays(event.target.value as number)}
            optionType='button'
            options={[
              { value: 7, label: '近7天' },
              { value: 30, label: '近30天' },
              { value: 90, label: '近90天' },
            ]}
          />
          <InputNumber
            aria-label='期刊ID'
            placeholder='期刊ID（全部）'
            min={1}
            max={2147483647}
            precision={0}
            value={issueId}
            onChange={(value) => setIssueId(typeof value === 'number' ? value : null)}
            style={{ width: 150 }}
          />
        </Space>
      }
    >
      {report.isError && <Alert type='error' showIcon message='加载失败' description={errorText(report.error)} />}
      {data && (
        <Space direction='vertical' size='large' style={{ width: '100%' }}>
          <Space size='large'>
            <Statistic title='打开次数' value={data.total} />
            <Typography.Text type='secondary'>
              自 {time(data.since)} 起；同一分享者、期刊、读者每天只计一次
            </Typography.Text>
          </Space>
          <Row gutter={[24, 24]}>
            <Section
              lg={10}
              title='按期刊'
              rowKey='issueId'
              rows={data.byIssue}
              empty='暂无分享打开'
              columns={[
                { title: '期刊', render: (_, row) => `#${row.issueId} ${row.title}` },
                { title: '打开', dataIndex: 'opens', align: 'right' },
              ]}
            />
            <Section
              lg={7}
              title='按分享者'
              rowKey='sharer'
              rows={data.bySharer}
              empty='暂无'
              columns={[
                { title: '分享码（已隐藏部分）', dataIndex: 'sharer' },
                { title: '打开', dataIndex: 'opens', align: 'right' },
              ]}
            />
            <Section
              lg={7}
              title='按场景'
              rowKey={(row) => String(row.scene)}
              rows={data.byScene}
              empty='暂无'
              columns={[
                {
                  title: '场景',
                  render: (_, row) => (row.scene === null ? 'H5 / 未知' : `${row.scene} ${row.sceneName}`),
                },
                { title: '打开', dataIndex: 'opens', align: 'right' },
              ]}
            />
          </Row>
        </Space>
      )}
    </Card>
  )
}
