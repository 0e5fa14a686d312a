import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './common'

/** Schemas of the operator's run-time settings (domain/site-settings.ts, docs/api.md#settings). */

/** A service or business line: digits with - or spaces, e.g. 400-1788-950 or 186 7402 5063 */
export const PHONE_PATTERN = '^\\+?[0-9][0-9 -]{4,18}[0-9]$'
/** The 公众号 QR image: PNG or JPEG, at most this many bytes */
export const QR_MAX_BYTES = 512 * 1024

const Text = (max: number, description: string) => Type.String({ minLength: 1, maxLength: max, description })

export const PaywallCopy = Type.Object(
  {
    title: Text(40, 'The paywall card’s title, e.g. 本篇为VIP章节'),
    message: Text(120, 'The sentence under it'),
    button: Text(16, 'The button that opens the plans, e.g. 开通VIP会员'),
  },
  { additionalProperties: false },
)

export const ContactSettings = Type.Object(
  {
    servicePhone: Type.String({ pattern: PHONE_PATTERN, maxLength: 20, description: '客服电话, e.g. 400-1788-950' }),
    serviceHours: Text(40, 'When the service line answers, e.g. 09:00—21:30'),
    businessPhone: Type.String({ pattern: PHONE_PATTERN, maxLength: 20, description: '商务合作' }),
    officialAccountName: Text(40, '公众号 name'),
    channelsName: Text(40, '视频号 name'),
    channelsFinderUserName: Type.String({
      maxLength: 64,
      pattern: '^[A-Za-z0-9_-]*$',
      description: '视频号 id (sph…) for wx.openChannelsUserProfile; empty: shown by name only',
    }),
    weiboName: Text(40, '微博 name'),
  },
  { additionalProperties: false },
)
export type ContactSettingsDto = Static<typeof ContactSettings>

/** Every setting as readers get it now */
export const SiteSettingValues = Type.Object({
  paywall: PaywallCopy,
  /** A plan id (GET /api/plans) the purchase page and the paywall preselect */
  preselectedPlan: Type.String({ minLength: 1, maxLength: 32 }),
  contacts: ContactSettings,
})
export type SiteSettingValuesDto = Static<typeof SiteSettingValues>

export const AdminSettings = Type.Object({
  ...SiteSettingValues.properties,
  /** What each setting is when the operator has not set it (contacts: the server's environment) */
  defaults: SiteSettingValues,
  /** The plans one may preselect */
  plans: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  /** The 公众号 QR image readers see, or null when none was uploaded */
  officialAccountQr: Nullable(Type.Object({ url: Type.String(), updatedAt: Type.String({ format: 'date-time' }) })),
})
export type AdminSettingsDto = Static<typeof AdminSettings>

export const UpdateSettingsBody = Type.Object(
  {
    paywall: Type.Optional(PaywallCopy),
    preselectedPlan: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9_-]+$' })),
    contacts: Type.Optional(ContactSettings),
    reason: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateSettingsBodyDto = Static<typeof UpdateSettingsBody>
