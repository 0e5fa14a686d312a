/** Pieces several screens share: status tags, the ledger table, cursor paging, a reason dialog, a failed load. */
import { useState } from 'react'
import { Alert, Button, Form, Input, InputNumber, Modal, Space, Table, Tag, Typography } from 'antd'
import { errorText } from './api'
import { LEDGER_EVENTS, LEDGER_SOURCES, ORDER_STATUS, text, time, yuan } from './format'
import type { LedgerRow } from './types'

export function OrderStatusTag({ status }: { status: unknown }) {
  const known = ORDER_STATUS[String(status)]
  return <Tag color={known?.color}>{known?.label ?? text(status)}</Tag>
}

export function LedgerTable({ rows }: { rows: LedgerRow[] }) {
  return (
    <Table
      size='small'
      pagination={false}
      rowKey='id'
      dataSource={rows}
      locale={{ emptyText: '暂无流水' }}
      columns={[
        { title: '时间', width: 170, render: (_, row: LedgerRow) => time(row.createdAt) },
        { title: '事件', render: (_, row: LedgerRow) => LEDGER_EVENTS[row.event] ?? text(row.event) },
        { title: '订单', render: (_, row: LedgerRow) => (row.orderId ? `#${row.orderId}` : '—') },
        { title: '金额', align: 'right', render: (_, row: LedgerRow) => yuan(row.amountFen) },
        { title: '来源', render: (_, row: LedgerRow) => LEDGER_SOURCES[row.source] ?? text(row.source) },
        { title: '说明', render: (_, row: LedgerRow) => text(row.detail) },
      ]}
    />
  )
}

/** Cursor paging: the cursors of the pages seen so far, so 上一页 goes back without a new cursor. */
export function useCursorPaging() {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined])
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    reset: () => setCursors([undefined]),
    next: (cursor: string) => setCursors((list) => [...list, cursor]),
    previous: () => setCursors((list) => (list.length > 1 ? list.slice(0, -1) : list)),
  }
}

export function CursorPager({
  paging,
  nextCursor,
  loading,
}: {
  paging: ReturnType<typeof useCursorPaging>
  nextCursor?: string | null
  loading?: boolean
}) {
  return (
    <Space style={{ marginTop: 16, justifyContent: 'flex-end', width: '100%' }}>
      <Typography.Text type='secondary'>第 {paging.page} 页</Typography.Text>
      <Button disabled={paging.page <= 1 || loading} onClick={paging.previous}>
        上一页
      </Button>
      <Button disabled={!nextCursor || loading} onClick={() => nextCursor && paging.next(nextCursor)}>
        下一页
      </Button>
    </Space>
  )
}

export function JsonBlock({ value }: { value: unknown }) {
  if (value === undefined || value === null) return null
  return (
    <pre
      style={{
        background: '#fafafa',
        border: '1px solid #f0f0f0',
        padding: 12,
        margin: 0,
        maxHeight: 360,
        overflow: 'auto',
        fontSize: 12,
        whiteSpace: 'pre-wrap',
        wordBreak: 'break-all',
      }}
    >
      {typeof value === 'string' ? value : JSON.stringify(value, null, 2)}
    </pre>
  )
}

export interface ReasonValues {
  reason: string
  days?: number
}

/** A dialog asking why (and, with `days`, how many days ±), for actions that land in 操作日志. */
export function ReasonModal({
  open,
  title,
  okText,
  danger,
  withDays,
  maxReason = 200,
  description,
  loading,
  onCancel,
  onSubmit,
}: {
  open: boolean
  title: string
  okText: string
  danger?: boolean
  withDays?: boolean
  /** The API's limit on the reason's length */
  maxReason?: number
  description?: React.ReactNode
  loading?: boolean
  onCancel(): void
  onSubmit(values: ReasonValues): void
}) {
  const [form] = Form.useForm<ReasonValues>()
  return (
    <Modal
      open={open}
      title={title}
      okText={okText}
      cancelText='取消'
      okButtonProps={{ danger, loading }}
      onCancel={onCancel}
      onOk={() => void form.validateFields().then((values) => onSubmit({ ...values, reason: values.reason.trim() }))}
      destroyOnHidden
      afterClose={() => form.resetFields()}
    >
      {description}
      <Form form={form} layout='vertical' preserve={false}>
        {withDays && (
          <Form.Item
            label='调整天数'
            name='days'
            extra='正数为延长，负数为扣减'
            rules={[
              { required: true, message: '请输入天数' },
              {
                validator: (_, value: number | undefined) =>
                  value === 0 ? Promise.reject(new Error('天数不能为 0')) : Promise.resolve(),
              },
            ]}
          >
            <InputNumber precision={0} min={-3660} max={3660} style={{ width: '100%' }} placeholder='例如 30 或 -7' />
          </Form.Item>
        )}
        <Form.Item
          label='原因'
          name='reason'
          rules={[
            { required: true, whitespace: true, message: '请填写原因' },
            { max: maxReason, message: `原因不超过 ${maxReason} 字` },
          ]}
        >
          <Input.TextArea rows={3} placeholder='将记录在操作日志中' showCount maxLength={maxReason} />
        </Form.Item>
      </Form>
    </Modal>
  )
}

/** A list that failed to load: what failed, and the server's reason. */
export function LoadError({ title, error }: { title: string; error: unknown }) {
  return <Alert type='error' showIcon message={title} description={errorText(error)} style={{ marginBottom: 16 }} />
}
