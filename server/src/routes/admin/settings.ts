import { ApiError, badRequest } from '../../errors'
import type { App } from '../../plugins/types'
import { errorResponses } from '../../schemas/common'
import { AdminSettings, QR_MAX_BYTES, UpdateSettingsBody, type AdminSettingsDto } from '../../schemas/site-settings'
import { upload } from '../me'
import { iso } from './views'

/**
 * 设置 in the console (admin): the paywall copy, the plan preselected for readers, the contacts and
 * the 公众号 QR image, read by readers at once (domain/site-settings.ts). Every change is audited
 * with the settings before and after, and announced so every replica drops what it kept.
 */
export async function adminSettingsRoutes(app: App): Promise<void> {
  const { services } = app
  const { settings, catalog, audit } = services
  const now = services.clock
  const mediaBase = app.config.PUBLIC_BASE_URL.replace(/\/+$/, '')

  const current = async (): Promise<AdminSettingsDto> => {
    const [values, snapshot] = await Promise.all([settings.get(now()), catalog.get(now())])
    const { officialAccountQr, ...rest } = values
    return {
      ...rest,
      defaults: settings.defaults(),
      plans: snapshot.plans.map((plan) => ({ id: plan.id, name: plan.name })),
      officialAccountQr: officialAccountQr
        ? {
            url: `${mediaBase}/api/contacts/official-account-qr?v=${officialAccountQr.updatedAt}`,
            updatedAt: iso(officialAccountQr.updatedAt),
          }
        : null,
    }
  }

  const auditable = ({ paywall, preselectedPlan, contacts, officialAccountQr }: AdminSettingsDto) => ({
    paywall,
    preselectedPlan,
    contacts,
    officialAccountQr: officialAccountQr?.updatedAt ?? null,
  })

  app.get(
    '/admin/settings',
    {
      schema: {
        summary:
          'The paywall copy, preselected plan, contacts and 公众号 QR readers see now, with their defaults (admin)',
        tags: ['admin'],
        response: { 200: AdminSettings, ...errorResponses },
      },
    },
    async (request) => {
      app.requireOperator(request, [])
      return current()
    },
  )

  app.put(
    '/admin/settings',
    {
      schema: {
        summary:
          'Change the paywall copy, the preselected plan (one on sale) or the contacts, each group whole; readers see it at once; audited (admin)',
        tags: ['admin'],
        body: UpdateSettingsBody,
        response: { 200: AdminSettings, ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, [])
      const { reason, ...patch } = request.body
      if (patch.preselectedPlan !== undefined) {
        const { plans } = await catalog.get(now())
        if (!plans.some((plan) => plan.id === patch.preselectedPlan)) {
          throw badRequest(
            'UNKNOWN_PLAN',
            `body/preselectedPlan: there is no plan "${patch.preselectedPlan}" on sale (${plans.map((plan) => plan.id).join(', ')})`,
          )
        }
      }
      const before = await current()
      await settings.update(patch, now())
      services.announce('content')
      const after = await current()
      await audit.record({
        operator: { id: operator.id, name: operator.name },
        action: 'settings.update',
        target: `settings:${Object.keys(patch).join(',')}`,
        reason: reason ?? '',
        before: auditable(before),
        after: auditable(after),
      })
      return after
    },
  )

  app.put(
    '/admin/settings/official-account-qr',
    {
      schema: {
        summary: `Upload the 公众号 QR image: multipart field "file", PNG or JPEG (judged by content), at most ${QR_MAX_BYTES / 1024} KB; audited (admin)`,
        tags: ['admin'],
        consumes: ['multipart/form-data'],
        response: { 200: AdminSettings, 413: errorResponses[400], 415: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, [])
      if (!request.isMultipart()) {
        throw new ApiError(415, 'MULTIPART_REQUIRED', 'send the image as multipart/form-data in a field named "file"')
      }
      const file = await upload(() => request.file({ limits: { fileSize: QR_MAX_BYTES, files: 1, parts: 4 } }))
      if (!file || file.fieldname !== 'file')
        throw badRequest('FILE_REQUIRED', 'send the image in a field named "file"')
      // Past the limit, multipart fails the request with FILE_TOO_LARGE (see the error handler).
      const data = await upload(() => file.toBuffer())
      const before = await current()
      if (!(await settings.putQr(data, now()))) {
        throw new ApiError(415, 'UNSUPPORTED_IMAGE', 'the QR image must be a PNG or JPEG')
      }
      services.announce('content')
      const after = await current()
      await audit.record({
        operator: { id: operator.id, name: operator.name },
        action: 'settings.official_account_qr',
        target: 'settings:officialAccountQr',
        before: { officialAccountQr: before.officialAccountQr?.updatedAt ?? null },
        after: { officialAccountQr: after.officialAccountQr?.updatedAt ?? null, bytes: data.length },
      })
      return after
    },
  )

  app.delete(
    '/admin/settings/official-account-qr',
    {
      schema: {
        summary: 'Remove the 公众号 QR image: readers get the 公众号 name to copy only; audited (admin)',
        tags: ['admin'],
        response: { 200: AdminSettings, ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, [])
      const before = await current()
      await settings.removeQr()
      services.announce('content')
      await audit.record({
        operator: { id: operator.id, name: operator.name },
        action: 'settings.official_account_qr',
        target: 'settings:officialAccountQr',
        before: { officialAccountQr: before.officialAccountQr?.updatedAt ?? null },
        after: { officialAccountQr: null },
      })
      return current()
    },
  )
}
