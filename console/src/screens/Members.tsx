/**
 * 导入网站会员 and 手机号冲突, two tabs of 读者: a members CSV checked row by row, then imported
 * with a reason (admin), with a report of every refused row and a CSV of them to fix and upload
 * again; and the refused phone bindings an admin resolves by freeing the holder's phone.
 */
import { useState } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App, Button, Card, Space, Table, Typography, Upload } from 'antd'
import { api, errorText } from '../api'
import { ReasonModal } from '../components'
import { text, time } from '../format'
import { useCan } from '../session'
import type { MemberImportReport, PhoneConflict, UnlinkResult } from '../types'

/** The API's limits on a members file */
const MAX_BYTES = 1024 * 1024
const MAX_ROWS = 5000

/** Saves `content` as a file the browser downloads */
export function downloadText(fileName: string, content: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([content], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
}

function ImportReport({ report, title }: { report: MemberImportReport; title: string }) {
  const refused = report.refused.length
  const { created, updated, unchanged } = report.result
  const summary = report.fileProblem
    ? `文件第 ${report.fileProblem.line} 行：${report.fileProblem.zh}，没有导入任何行`
    : `接受 ${report.accepted} 行（新增 ${created}，更新 ${updated}，无变化 ${unchanged}），拒绝 ${refused} 行`
  return (
    <Space direction='vertical' style={{ width: '100%' }} data-testid='import-report'>
      <Alert
        type={report.fileProblem || refused > 0 ? 'warning' : 'success'}
        showIcon
        message={title}
        description={summary}
        action={
          (refused > 0 || report.fileProblem) && (
            <Button onClick={() => downloadText('members-errors.csv', report.errorsCsv)}>下载错误行CSV</Button>
          )
        }
      />
      {refused > 0 && (
        <Table
          size='small'
          rowKey='line'
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          dataSource={report.refused}
          columns={[
            { title: '行号', dataIndex: 'line', width: 80 },
            { title: '手机号', render: (_, row) => text(row.cells[0]) },
            { title: '姓名', render: (_, row) => text(row.cells[1]) },
            { title: '会员到期', render: (_, row) => text(row.cells[2]) },
            {
              title: '原因',
              render: (_, row) => (
                <Typography.Text type='danger'>{row.problems.map((problem) => problem.zh).join('；')}</Typography.Text>
              ),
            },
          ]}
        />
      )}
    </Space>
  )
}

export function MemberImport() {
  const { message } = App.useApp()
  const [file, setFile] = useState<{ name: string; csv: string } | null>(null)
  const [confirming, setConfirming] = useState(false)
  const check = useMutation({
    mutationFn: (csv: string) => api.post<MemberImportReport>('/members/check', { csv }),
  })
  const importing = useMutation({
    mutationFn: (values: { csv: string; reason: string }) => api.post<MemberImportReport>('/members/import', values),
    onSuccess: (report) => {
      setConfirming(false)
      void message.success(report.imported ? `已导入 ${report.accepted} 行` : '没有可导入的行')
    },
    onError: (error) => void message.error(`导入失败：${errorText(error)}`),
  })
  const checked = check.data
  const done = importing.data

  const choose = (chosen: File) => {
    if (chosen.size > MAX_BYTES) {
      void message.error('文件超过 1 MB，请拆分后再上传')
      return
    }
    void chosen.text().then((csv) => {
      setFile({ name: chosen.name, csv })
      importing.reset()
      check.mutate(csv)
    })
  }

  return (
    <Space direction='vertical' size='large' style={{ width: '100%' }}>
      <Typography.Paragraph type='secondary' style={{ marginBottom: 0 }}>
        CSV 表头为 <Typography.Text code>phone,name,vip_expires_at</Typography.Text>
        （手机号、姓名、会员到期日 YYYY-MM-DD，无会员留空），UTF-8，不超过 1 MB、{MAX_ROWS} 行。
        先预检、再确认导入；有问题的行不会导入，可下载错误行CSV（多一列“原因”），修改后直接重新上传。
        读者绑定同一手机号时，其网站会员期一次性转入。
      </Typography.Paragraph>
      <Space>
        <Upload accept='.csv,text/csv' showUploadList={false} beforeUpload={(chosen) => (choose(chosen), false)}>
          <Button type='primary' loading={check.isPending}>
            选择CSV文件
          </Button>
        </Upload>
        {file && <Typography.Text>{file.name}</Typography.Text>}
        {checked && !done && (
          <Button disabled={checked.accepted === 0} onClick={() => setConfirming(true)}>
            确认导入 {checked.accepted} 行
          </Button>
        )}
      </Space>
      {check.isError && <Alert type='error' showIcon message='预检失败' description={errorText(check.error)} />}
      {done ? (
        <ImportReport report={done} title='导入结果' />
      ) : (
        checked && <ImportReport report={checked} title='预检结果（尚未导入）' />
      )}
      <ReasonModal
        open={confirming}
        title='导入网站会员'
        okText='确认导入'
        loading={importing.isPending}
        description={
          <Alert
            type='info'
            showIcon
            style={{ marginBottom: 16 }}
            message={`将导入 ${checked?.accepted ?? 0} 行，其中的会员期会在读者绑定手机号时转入。`}
          />
        }
        onCancel={() => setConfirming(false)}
        onSubmit={({ reason }) => file && importing.mutate({ csv: file.csv, reason })}
      />
    </Space>
  )
}

export function PhoneConflicts() {
  const { message } = App.useApp()
  const queryClient = useQueryClient()
  const canUnlink = useCan()
  const [target, setTarget] = useState<PhoneConflict | null>(null)
  const list = useQuery({
    queryKey: ['member-conflicts'],
    queryFn: () => api.get<{ items: PhoneConflict[] }>('/members/conflicts'),
  })
  const unlink = useUnlinkPhone(() => {
    setTarget(null)
    void queryClient.invalidateQueries({ queryKey: ['member-conflicts'] })
    void message.success('已解除绑定，该手机号可重新绑定')
  })
  return (
    <Card>
      <Typography.Paragraph type='secondary'>
        读者绑定手机号时，若该号码已被另一位读者（或其关联的网站会员）占用，绑定会被拒绝并记录在此。核实后解除当前持有者的绑定，被拒读者即可重新绑定。
      </Typography.Paragraph>
      {list.isError && <Alert type='error' showIcon message='加载失败' description={errorText(list.error)} />}
      <Table
        size='middle'
        rowKey='id'
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: '没有未处理的冲突' }}
        columns={[
          { title: '时间', render: (_, row) => time(row.createdAt) },
          { title: '手机号', dataIndex: 'phone' },
          { title: '被拒读者', render: (_, row) => (row.triedBy ? `#${row.triedBy}` : '—') },
          { title: '当前持有者', render: (_, row) => (row.holderId ? `#${row.holderId}` : '—') },
          { title: '网站会员', render: (_, row) => (row.member ? `${row.member.name}（#${row.member.id}）` : '—') },
          {
            title: '操作',
            render: (_, row) =>
              canUnlink && row.holderId ? (
                <Button size='small' danger onClick={() => setTarget(row)}>
                  解除持有者绑定
                </Button>
              ) : null,
          },
        ]}
      />
      <ReasonModal
        open={target !== null}
        title={`解除读者 #${target?.holderId ?? ''} 的手机号绑定`}
        okText='确认解除'
        danger
        loading={unlink.isPending}
        onCancel={() => setTarget(null)}
        onSubmit={({ reason }) => target?.holderId && unlink.mutate({ readerId: target.holderId, reason })}
      />
    </Card>
  )
}

/** POST /readers/:id/unlink-phone (admin), with the error shown */
export function useUnlinkPhone(onDone: (result: UnlinkResult) => void) {
  const { message } = App.useApp()
  return useMutation({
    mutationFn: ({ readerId, reason }: { readerId: number; reason: string }) =>
      api.post<UnlinkResult>(`/readers/${readerId}/unlink-phone`, { reason }),
    onSuccess: onDone,
    onError: (error) => void message.error(`解除失败：${errorText(error)}`),
  })
}
