import { Type, type Static } from '@sinclair/typebox'
import { BoundedInteger, IdInteger } from './common'

/** The steps the app may report; order_created and paid come from the server's own orders */
export const ClientFunnelStep = Type.Union([
  Type.Literal('opened'),
  Type.Literal('paywall'),
  Type.Literal('plan_sheet'),
])

/** WeChat's launch scene (场景值), e.g. 1007 chat, 1008 group chat, 1154 Moments, 1047 scanned code */
const Scene = BoundedInteger({ minimum: 1000, maximum: 9999 })
/** A share code as it came in the share path; one nobody has counts as no share */
const Share = Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9]+$' })

export const FunnelEvent = Type.Object(
  {
    step: ClientFunnelStep,
    issueId: IdInteger(),
    scene: Type.Optional(Scene),
    share: Type.Optional(Share),
    /** The client's time of the event, epoch ms; clamped by the server to [now − 1 day, now] */
    at: Type.Optional(BoundedInteger({ minimum: 0, maximum: 9007199254740991 })),
  },
  { additionalProperties: false },
)

export const EventBatch = Type.Object(
  {
    /** A random id the app keeps in its storage: hashed here, never joined with an account */
    viewer: Type.String({ minLength: 16, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
    events: Type.Array(FunnelEvent, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
)
export type EventBatchDto = Static<typeof EventBatch>

export const EventBatchAccepted = Type.Object({
  /** Events about published issues; the rest were dropped. Repeats of a step on the same day count once. */
  accepted: Type.Integer(),
})

/** Where an order was bought from, sent with POST /api/orders; it never changes the price */
export const OrderSourceBody = Type.Object(
  { issueId: IdInteger(), share: Type.Optional(Share), scene: Type.Optional(Scene) },
  { additionalProperties: false },
)

export const FunnelQuery = Type.Object(
  {
    issueId: Type.Optional(IdInteger()),
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' })),
    days: Type.Optional(Type.Union([Type.Literal(7), Type.Literal(30), Type.Literal(90)], { default: 7 })),
  },
  { additionalProperties: false },
)

export const FunnelStepName = Type.Union(
  ['opened', 'paywall', 'plan_sheet', 'order_created', 'paid'].map((step) => Type.Literal(step)),
)
export const SceneBucketName = Type.Union(
  ['chat', 'group', 'moments', 'code', 'search', 'other'].map((scene) => Type.Literal(scene)),
)

const StepCounts = Type.Object({
  opened: Type.Integer(),
  paywall: Type.Integer(),
  plan_sheet: Type.Integer(),
  order_created: Type.Integer(),
  paid: Type.Integer(),
})

export const FunnelReport = Type.Object({
  scope: Type.Object({
    issueId: Type.Union([Type.Integer(), Type.Null()]),
    region: Type.Union([Type.Object({ code: Type.String(), name: Type.String() }), Type.Null()]),
    /** 【山西·第32期】… for an issue, the region's name for a region, 全部 for everything */
    title: Type.String(),
  }),
  days: Type.Integer(),
  /** First and last day counted, Asia/Shanghai, inclusive */
  from: Type.String(),
  to: Type.String(),
  steps: Type.Array(
    Type.Object({
      step: FunnelStepName,
      label: Type.String(),
      count: Type.Integer(),
      /** count ÷ the previous step's count; null for the first step or when that is 0 */
      fromPrevious: Type.Union([Type.Number(), Type.Null()]),
      /** count ÷ opened; null when nothing was opened */
      fromOpened: Type.Union([Type.Number(), Type.Null()]),
    }),
  ),
  byScene: Type.Array(Type.Object({ scene: SceneBucketName, label: Type.String(), counts: StepCounts })),
  /** Top sharers (share codes masked), most paid first, then most opened */
  bySharer: Type.Array(Type.Object({ sharer: Type.String(), counts: StepCounts })),
  /** Events that came before this time were read from the daily roll-ups, later ones from raw events; null: none rolled up yet */
  countedBefore: Type.Union([Type.String(), Type.Null()]),
})
export type FunnelReportDto = Static<typeof FunnelReport>
