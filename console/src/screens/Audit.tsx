/** 操作日志 (admin only): what operators did, newest first, with the state before and after. */
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { Card, Table } from 'antd'
import { api } from '../api'
import { CursorPager, JsonBlock, LoadError, useCursorPaging } from '../components'
import { text, time } from '../format'
import type { AuditPageData, AuditRow } from '../types'

const ACTIONS: Record<string, string> = {
  'order.refund': '退款',
  'reader.vip': '调整会员',
  'order.export': '导出订单',
  'reader.export': '导出读者',
  'member.import': '导入网站会员',
  'reader.unlink_phone': '解除手机绑定',
  'issue.import': '导入期刊',
  'issue.publish': '发布期刊',
  'issue.unpublish': '下线期刊',
  'operator.sign_in': '登录',
  'operator.sign_out': '退出',
  'operator.scan_confirm': '扫码确认登录',
  'operator.scan_refused': '扫码拒绝登录',
}

const present = (value: unknown) => value !== undefined && value !== null

export default function Audit() {
  const paging = useCursorPaging()
  const list = useQuery({
    queryKey: ['audit', paging.cursor],
    queryFn: () => api.get<AuditPageData>('/audit', { cursor: paging.cursor, limit: 50 }),
    placeholderData: keepPreviousData,
  })
  return (
    <Card>
      {list.isError && <LoadError title='操作日志加载失败' error={list.error} />}
      <Table<AuditRow>
        rowKey='id'
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: '暂无操作记录' }}
        expandable={{
          rowExpandable: (row) => present(row.before) || present(row.after),
          expandedRowRender: (row) => (
            <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 12 }}>
              <div>
                <div>操作前</div>
                <JsonBlock value={row.before ?? '—'} />
              </div>
              <div>
                <div>操作后</div>
                <JsonBlock value={row.after ?? '—'} />
              </div>
            </div>
          ),
        }}
        columns={[
          { title: '时间', width: 180, render: (_, row) => time(row.createdAt) },
          { title: '操作人', render: (_, row) => text(row.operatorName) },
          { title: '操作', render: (_, row) => ACTIONS[row.action] ?? text(row.action) },
          { title: '对象', render: (_, row) => text(row.target) },
          { title: '原因', render: (_, row) => text(row.reason) },
        ]}
      />
      <CursorPager paging={paging} nextCursor={list.data?.nextCursor} loading={list.isFetching} />
    </Card>
  )
}
