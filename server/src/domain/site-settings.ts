import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { sniffImage, IMAGE_CONTENT_TYPES, type ImageType } from '../infra/media-storage'
import type { ContactSettingsDto, SiteSettingValuesDto, UpdateSettingsBodyDto } from '../schemas/site-settings'

/** What the paywall says before the operator says otherwise; the message is the web site's own sentence. */
export const PAYWALL_DEFAULTS = {
  title: '本篇为VIP章节',
  message: '抱歉哦,本篇为vip章节,需要本站VIP会员才可以继续阅读哦~',
  button: '开通VIP会员',
}
export const PRESELECTED_PLAN_DEFAULT = 'half_year'

/** The plan to preselect: the operator's choice while it is on sale, else the first on sale. */
export function preselectedPlan(plans: ReadonlyArray<{ id: string }>, wanted: string): string {
  return plans.some((plan) => plan.id === wanted) ? wanted : (plans[0]?.id ?? '')
}

/** The `media` row of the 公众号 QR image; its type and time are the `officialAccountQr` setting. */
export const QR_MEDIA_NAME = 'site-official-account-qr'

type Key = 'paywall' | 'preselectedPlan' | 'contacts' | 'officialAccountQr'
interface Stored {
  paywall?: Partial<SiteSettingValuesDto['paywall']>
  preselectedPlan?: string
  contacts?: Partial<ContactSettingsDto>
  officialAccountQr?: { type: ImageType; updatedAt: number }
}

export interface ResolvedSettings extends SiteSettingValuesDto {
  officialAccountQr: { type: ImageType; updatedAt: number } | null
}

/** Keeps only the fields that differ from their defaults, so a default changed later still applies. */
function differing<T extends object>(value: T, defaults: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([key, field]) => defaults[key as keyof T] !== field),
  ) as Partial<T>
}

/**
 * The operator's run-time settings: the paywall copy, the plan preselected for readers, the
 * contacts and the 公众号 QR image. One row per key in `site_settings`; a field not set is its
 * default (contacts: the environment's SERVICE_PHONE …). Read on every paywall, so kept a few
 * seconds per process and dropped with the content caches: a change here is announced as
 * `content`, which every replica on one PostgreSQL hears at once (and SQLite processes see
 * through data_version); the TTL bounds a missed notification.
 */
export class SiteSettings {
  private cached: { value: ResolvedSettings; until: number } | null = null

  constructor(
    private readonly db: Kysely<Database>,
    private readonly contactDefaults: ContactSettingsDto,
    private readonly ttlMs = 5000,
  ) {}

  defaults(): SiteSettingValuesDto {
    return {
      paywall: { ...PAYWALL_DEFAULTS },
      preselectedPlan: PRESELECTED_PLAN_DEFAULT,
      contacts: { ...this.contactDefaults },
    }
  }

  clear(): void {
    this.cached = null
  }

  async get(now: number): Promise<ResolvedSettings> {
    if (this.cached && this.cached.until > now) return this.cached.value
    const stored = await this.stored()
    const defaults = this.defaults()
    const value: ResolvedSettings = {
      paywall: { ...defaults.paywall, ...stored.paywall },
      preselectedPlan: stored.preselectedPlan ?? defaults.preselectedPlan,
      contacts: { ...defaults.contacts, ...stored.contacts },
      officialAccountQr: stored.officialAccountQr ?? null,
    }
    if (this.ttlMs > 0) this.cached = { value, until: now + this.ttlMs }
    return value
  }

  /** Writes the groups given (each whole); fields equal to their defaults are stored as unset. */
  async update(patch: Omit<UpdateSettingsBodyDto, 'reason'>, now: number): Promise<void> {
    const defaults = this.defaults()
    const rows: Array<[Key, unknown]> = []
    if (patch.paywall) rows.push(['paywall', differing(patch.paywall, defaults.paywall)])
    if (patch.preselectedPlan !== undefined) rows.push(['preselectedPlan', patch.preselectedPlan])
    if (patch.contacts) rows.push(['contacts', differing(patch.contacts, defaults.contacts)])
    await this.db.transaction().execute(async (trx) => {
      for (const [key, value] of rows) {
        const value_json = JSON.stringify(value)
        await trx
          .insertInto('site_settings')
          .values({ key, value_json, updated_at: now })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value_json, updated_at: now }))
          .execute()
      }
    })
    this.clear()
  }

  /** Stores the 公众号 QR image (its type judged by content); null when it is no PNG or JPEG. */
  async putQr(data: Buffer, now: number): Promise<ImageType | null> {
    const type = sniffImage(data)
    if (type !== 'png' && type !== 'jpeg') return null
    const value_json = JSON.stringify({ type, updatedAt: now })
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('media')
        .values({ name: QR_MEDIA_NAME, data, created_at: now })
        .onConflict((oc) => oc.column('name').doUpdateSet({ data, created_at: now }))
        .execute()
      await trx
        .insertInto('site_settings')
        .values({ key: 'officialAccountQr', value_json, updated_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value_json, updated_at: now }))
        .execute()
    })
    this.clear()
    return type
  }

  async removeQr(): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('media').where('name', '=', QR_MEDIA_NAME).execute()
      await trx.deleteFrom('site_settings').where('key', '=', 'officialAccountQr').execute()
    })
    this.clear()
  }

  /** The QR image and its content type, or null when none was uploaded. */
  async readQr(): Promise<{ data: Buffer; contentType: string } | null> {
    const [row, stored] = await Promise.all([
      this.db.selectFrom('media').select('data').where('name', '=', QR_MEDIA_NAME).executeTakeFirst(),
      this.stored(),
    ])
    if (!row || !stored.officialAccountQr) return null
    return { data: Buffer.from(row.data), contentType: IMAGE_CONTENT_TYPES[stored.officialAccountQr.type] }
  }

  private async stored(): Promise<Stored> {
    const rows = await this.db.selectFrom('site_settings').select(['key', 'value_json']).execute()
    const stored: Record<string, unknown> = {}
    for (const row of rows) {
      try {
        stored[row.key] = JSON.parse(row.value_json)
      } catch {
        // A row nobody can read counts as unset rather than breaking every paywall.
      }
    }
    return stored as Stored
  }
}
