import { FUNNEL_STEPS, type StepCounts } from '../../domain/funnel'
import { fullTitle } from '../../domain/issues'
import { badRequest, notFound } from '../../errors'
import type { App } from '../../plugins/types'
import { errorResponses } from '../../schemas/common'
import { FunnelQuery, FunnelReport, type FunnelReportDto } from '../../schemas/funnel'

const STEP_LABELS: Record<(typeof FUNNEL_STEPS)[number], string> = {
  opened: '打开文章',
  paywall: '看到付费墙',
  plan_sheet: '打开开通页',
  order_created: '创建订单',
  paid: '支付成功',
}

const SCENE_LABELS: Record<string, string> = {
  chat: '单聊 1007',
  group: '群聊 1008',
  moments: '朋友圈 1154',
  code: '小程序码 1047',
  search: '搜索',
  other: '其他',
}

const ratio = (count: number, of: number) => (of > 0 ? Math.round((count / of) * 10000) / 10000 : null)

function steps(counts: StepCounts): FunnelReportDto['steps'] {
  return FUNNEL_STEPS.map((step, index) => ({
    step,
    label: STEP_LABELS[step],
    count: counts[step],
    fromPrevious: index === 0 ? null : ratio(counts[step], counts[FUNNEL_STEPS[index - 1]]),
    fromOpened: ratio(counts[step], counts.opened),
  }))
}

/**
 * The paywall funnel of one issue, one region or everything. Every operator role may read it: it holds
 * counts and masked share codes only, no reader and no money.
 */
export async function adminFunnelRoutes(app: App): Promise<void> {
  const { services } = app

  app.get(
    '/admin/funnel',
    {
      schema: {
        summary:
          'Paywall funnel over 7, 30 or 90 days: opened → paywall → plan sheet → order created → paid, by scene and top sharers',
        description:
          'One of `issueId` or `region` (a region code), or neither for every issue. App steps count viewers per issue and day (a viewer counted once per step, issue and day); order steps count readers whose order carries the issue as its source. Every operator role may read it.',
        tags: ['admin'],
        querystring: FunnelQuery,
        response: { 200: FunnelReport, ...errorResponses },
      },
    },
    async (request): Promise<FunnelReportDto> => {
      app.requireOperator(request)
      const { issueId, region: regionCode, days = 7 } = request.query
      if (issueId !== undefined && regionCode !== undefined)
        throw badRequest('BAD_QUERY', 'give either issueId or region, not both')
      const now = services.clock()
      const snapshot = await services.catalog.get(now)
      let scope: FunnelReportDto['scope'] = { issueId: null, region: null, title: '全部' }
      let regionId: number | undefined
      if (issueId !== undefined) {
        const issue = await services.funnel.issue(issueId)
        if (!issue) throw notFound('ISSUE_NOT_FOUND', `there is no issue ${issueId}`)
        const region = snapshot.regionsById.get(issue.region_id)
        scope = {
          issueId,
          region: region ? { code: region.code, name: region.name } : null,
          title: fullTitle(region?.name ?? '', issue.number, issue.title),
        }
      } else if (regionCode !== undefined) {
        const region = snapshot.regionsByCode.get(regionCode)
        if (!region) throw notFound('REGION_NOT_FOUND', `there is no region "${regionCode}"`)
        regionId = region.id
        scope = { issueId: null, region: { code: region.code, name: region.name }, title: region.name }
      }
      const report = await services.funnel.report({ issueId, regionId, days, now })
      return {
        scope,
        days,
        from: report.from,
        to: report.to,
        steps: steps(report.totals),
        byScene: report.byScene.map((row) => ({ ...row, label: SCENE_LABELS[row.scene] ?? row.scene })),
        bySharer: report.bySharer,
        countedBefore: report.countedBefore === null ? null : new Date(report.countedBefore).toISOString(),
      }
    },
  )
}
