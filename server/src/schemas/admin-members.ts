import { Type } from '@sinclair/typebox'
import { Day, ORDER_FILTERS } from './admin'
import { Nullable } from './common'

/** Schemas of the console's exports, member import and phone links (docs/api.md#operator-console). */

const Time = Type.String({ description: 'ISO 8601, UTC' })

/** The most rows one CSV export holds (newest first); narrow the filters for the rest */
export const EXPORT_MAX_ROWS = 100000
/** The largest members file the console takes, in bytes of UTF-8, and its most rows */
export const MEMBER_FILE_MAX_BYTES = 1024 * 1024
export const MEMBER_FILE_MAX_ROWS = 5000

const Csv = Type.String({ description: 'text/csv; charset=utf-8, starting with a BOM' })
export const CsvResponse = Csv

export const OrdersCsvQuery = Type.Object({ ...ORDER_FILTERS }, { additionalProperties: false })

export const ReadersCsvQuery = Type.Object(
  {
    vip: Type.Optional(
      Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('never')], {
        description: 'active: VIP now; expired: had VIP; never: never had VIP',
      }),
    ),
    /** Registered on or after this Asia/Shanghai day */
    from: Type.Optional(Day),
    /** Registered on or before this Asia/Shanghai day */
    to: Type.Optional(Day),
  },
  { additionalProperties: false },
)

const MemberFile = Type.String({
  minLength: 1,
  maxLength: MEMBER_FILE_MAX_BYTES,
  description: 'The CSV file as text: phone,name,vip_expires_at (a 4th column 原因 is ignored), at most 1 MB',
})

export const MemberCheckBody = Type.Object({ csv: MemberFile }, { additionalProperties: false })

export const MemberImportBody = Type.Object(
  {
    csv: MemberFile,
    /** Why, for the audit trail (the import gives VIP) */
    reason: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
)

const Problem = Type.Object({
  code: Type.String(),
  /** In English, as npm run admin -- import-members prints it */
  message: Type.String(),
  /** In Chinese, as the console and the errors CSV show it */
  zh: Type.String(),
})

export const MemberImportReport = Type.Object({
  /** The file was imported (import only, and only its accepted rows) */
  imported: Type.Boolean(),
  /** A problem of the whole file (header, quoting): every row is refused */
  fileProblem: Nullable(
    Type.Object({ line: Type.Integer(), code: Type.String(), message: Type.String(), zh: Type.String() }),
  ),
  /** Rows accepted */
  accepted: Type.Integer(),
  /** What the accepted rows do (or did) to the members: created, changed, already so */
  result: Type.Object({ created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer() }),
  refused: Type.Array(
    Type.Object({ line: Type.Integer(), cells: Type.Array(Type.String()), problems: Type.Array(Problem) }),
  ),
  /** The refused rows with a column 原因, to fix and upload again (a BOM and the header only when none was refused) */
  errorsCsv: Type.String(),
})

export const PhoneConflictList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      /** 138****5678, in full for admin */
      phone: Type.String(),
      /** The reader who was refused */
      triedBy: Nullable(Type.Integer()),
      /** The reader who holds the phone now */
      holderId: Nullable(Type.Integer()),
      member: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })),
      detail: Type.String(),
      createdAt: Time,
    }),
  ),
})

export const UnlinkBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
)

export const UnlinkResult = Type.Object({
  readerId: Type.Integer(),
  /** The phone that was bound (masked unless admin) */
  phone: Type.String(),
  /** The web member of that phone, now unlinked; null when there was none */
  memberId: Nullable(Type.Integer()),
})
