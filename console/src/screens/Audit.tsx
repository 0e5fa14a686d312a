/** 操作日志 (admin only): what operators did, newest first. */
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { Alert, Card, Table } from 'antd'
import { api, errorText } from '../api'
import { CursorPager, JsonBlock, useCursorPaging } from '../components'
import { pick, text, time } from '../format'
import type { Loose, Page } from '../types'

const ACTIONS: Record<string, string> = {
  'order.refund': '退款',
  'reader.vip': '调整会员',
  'issue.import': '导入期刊',
  'issue.publish': '发布期刊',
  'issue.unpublish': '下线期刊',
  'session.password': '密码登录',
  'session.scan': '扫码登录',
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

export default function Audit() {
  const paging = useCursorPaging()
  const list = useQuery({
    queryKey: ['audit', paging.cursor],
    queryFn: () => api.get<Page<Loose>>('/audit', { cursor: paging.cursor, limit: 50 }),
    placeholderData: keepPreviousData,
  })
  return (
    <Card>
      {list.isError && (
        <Alert
          type='error'
          showIcon
          message='操作日志加载失败'
          description={errorText(list.error)}
          style={{ marginBottom: 16 }}
        />
      )}
      <Table
        rowKey={(row, index) => String(pick(row, 'id') ?? index)}
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: '暂无操作记录' }}
        expandable={{
          rowExpandable: (row) => pick(row, 'before', 'after', 'beforeJson', 'afterJson') !== undefined,
          expandedRowRender: (row) => (
            <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 12 }}>
              <div>
                <div>操作前</div>
                <JsonBlock value={parseJson(pick(row, 'before', 'beforeJson')) ?? '—'} />
              </div>
              <div>
                <div>操作后</div>
                <JsonBlock value={parseJson(pick(row, 'after', 'afterJson')) ?? '—'} />
              </div>
            </div>
          ),
        }}
        columns={[
          { title: '时间', width: 180, render: (_, row: Loose) => time(pick(row, 'createdAt', 'at')) },
          {
            title: '操作人',
            render: (_, row: Loose) => {
              const operator = pick(row, 'operatorName', 'operator')
              return text(typeof operator === 'object' && operator ? pick(operator as Loose, 'name') : operator)
            },
          },
          {
            title: '操作',
            render: (_, row: Loose) => {
              const action = String(pick(row, 'action') ?? '')
              return ACTIONS[action] ?? text(action)
            },
          },
          { title: '对象', render: (_, row: Loose) => text(pick(row, 'target')) },
          { title: '原因', render: (_, row: Loose) => text(pick(row, 'reason')) },
        ]}
      />
      <CursorPager paging={paging} nextCursor={list.data?.nextCursor} loading={list.isFetching} />
    </Card>
  )
}
