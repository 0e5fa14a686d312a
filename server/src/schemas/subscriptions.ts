import { Type, type Static } from '@sinclair/typebox'

/** A region code as GET /api/regions gives it, e.g. shanxi */
const RegionCode = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' })

export const SubscriptionQuery = Type.Object({ region: RegionCode }, { additionalProperties: false })

export const OptInBody = Type.Object(
  {
    region: RegionCode,
    /** The template the reader accepted in wx.requestSubscribeMessage */
    templateId: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }),
  },
  { additionalProperties: false },
)
export type OptInBodyDto = Static<typeof OptInBody>

export const SubscriptionState = Type.Object({
  /** The one-time subscribe-message template to ask WeChat for; empty when the feature is off */
  templateId: Type.String(),
  /** False when the server has no template: the app hides 通知我下一期 */
  available: Type.Boolean(),
  /** Unused opt-ins of this reader for the region (0 for an anonymous reader): each pays for one message */
  openOptIns: Type.Integer({ minimum: 0 }),
})
export type SubscriptionStateDto = Static<typeof SubscriptionState>
