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

/** 原因 in a form: required, at most `max` characters, written to 操作日志 with the change */
export function ReasonItem({ max = 200, rows = 3 }: { max?: number; rows?: number }) {
  return (
    <Form.Item
      label='原因'
      name='reason'
      rules={[
        { required: true, whitespace: true, message: '请填写原因' },
        { max, message: `原因不超过 ${max} 字` },
      ]}
    >
      <Input.TextArea rows={rows} placeholder='将记录在操作日志中' showCount maxLength={max} />
    </Form.Item>
  )
}

export interface ReasonValues {
  reason: string
  /** With `withDays` or `change`: the whole number ± asked for */
  days?: number
  /** With `amount`: how much, in yuan */
  amountYuan?: number
}

/** A signed whole number a dialog asks for, as +n / -n */
export interface SignedChange {
  label: string
  unit: string
  extra: string
  max: number
  placeholder: string
}

const DAYS: SignedChange = {
  label: '调整天数',
  unit: '天数',
  extra: '正数为延长，负数为扣减',
  max: 3660,
  placeholder: '例如 30 或 -7',
}

/** A dialog asking why (and, with `days`, how many days ±), for actions that land in 操作日志. */
export function ReasonModal({
  open,
  title,
  okText,
  danger,
  withDays,
  change = withDays ? DAYS : undefined,
  amount,
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
  /** Asks a whole number ± other than days (in `days` of the values) */
  change?: SignedChange
  /** Asks an amount too, up to `maxFen` (prefilled with it) */
  amount?: { label: string; maxFen: number }
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
      onOk={() =>
        // A refusal is shown on the fields themselves: nothing more to do with it here.
        void form
          .validateFields()
          .then((values) => onSubmit({ ...values, reason: values.reason.trim() }))
          .catch(() => undefined)
      }
      destroyOnHidden
      afterClose={() => form.resetFields()}
    >
      {description}
      <Form
        form={form}
        layout='vertical'
        preserve={false}
        initialValues={amount ? { amountYuan: amount.maxFen / 100 } : undefined}
      >
        {amount && (
          <Form.Item
            label={amount.label}
            name='amountYuan'
            extra={`最多 ${yuan(amount.maxFen)}`}
            rules={[{ required: true, message: '请输入金额' }]}
          >
            <InputNumber min={0.01} max={amount.maxFen / 100} precision={2} style={{ width: '100%' }} addonAfter='元' />
          </Form.Item>
        )}
        {change && (
          <Form.Item
            label={change.label}
            name='days'
            extra={change.extra}
            rules={[
              { required: true, message: `请输入${change.unit}` },
              {
                validator: (_, value: number | undefined) =>
                  value === 0 ? Promise.reject(new Error(`${change.unit}不能为 0`)) : Promise.resolve(),
              },
            ]}
          >
            <InputNumber
              precision={0}
              min={-change.max}
              max={change.max}
              style={{ width: '100%' }}
              placeholder={change.placeholder}
            />
          </Form.Item>
        )}
        <ReasonItem max={maxReason} />
      </Form>
    </Modal>
  )
}

/** A price with its 原价 struck through under it (none when null), right-aligned in a table cell */
export function PriceCell({ priceFen, originalPriceFen }: { priceFen: number; originalPriceFen: number | null }) {
  return (
    <Space direction='vertical' size={0} style={{ textAlign: 'right' }}>
      <span>{yuan(priceFen)}</span>
      {originalPriceFen !== null && (
        <Typography.Text delete type='secondary' style={{ fontSize: 12 }}>
          {yuan(originalPriceFen)}
        </Typography.Text>
      )}
    </Space>
  )
}

/** The API's highest price, ¥100,000 (server/src/domain/store.ts MAX_PRICE_FEN) */
const MAX_PRICE_YUAN = 100000

/**
 * 售价 and 原价 in yuan in a form (fields `price` and `original`): the price required, 原价 optional and
 * above it, both ¥0.01 to ¥100,000, as the API checks them.
 */
export function PriceItems({ disabled }: { disabled?: boolean }) {
  return (
    <Space size='large' align='start'>
      <Form.Item label='售价（元）' name='price' rules={[{ required: true, message: '请填写售价' }]}>
        <InputNumber min={0.01} max={MAX_PRICE_YUAN} precision={2} style={{ width: 160 }} disabled={disabled} />
      </Form.Item>
      <Form.Item
        label='原价（元）'
        name='original'
        dependencies={['price']}
        rules={[
          ({ getFieldValue }) => ({
            validator: (_, value: number | null | undefined) =>
              value && value <= (getFieldValue('price') as number)
                ? Promise.reject(new Error('原价需高于售价'))
                : Promise.resolve(),
          }),
        ]}
      >
        <InputNumber
          min={0.01}
          max={MAX_PRICE_YUAN}
          precision={2}
          style={{ width: 160 }}
          placeholder='可不填'
          disabled={disabled}
        />
      </Form.Item>
    </Space>
  )
}

/** A list that failed to load: what failed, and the server's reason. */
export function LoadError({ title, error }: { title: string; error: unknown }) {
  return <Alert type='error' showIcon message={title} description={errorText(error)} style={{ marginBottom: 16 }} />
}
