import crypto from 'node:crypto'
import { Type } from '@sinclair/typebox'
import { maskPhone } from '../../domain/accounts'
import { checkMembersCsv, membersErrorsCsv, type MembersCsvCheck } from '../../domain/members'
import { ApiError } from '../../errors'
import type { App } from '../../plugins/types'
import {
  MEMBER_FILE_MAX_BYTES,
  MEMBER_FILE_MAX_ROWS,
  MemberCheckBody,
  MemberImportBody,
  MemberImportReport,
  PhoneConflictList,
  UnlinkBody,
  UnlinkResult,
} from '../../schemas/admin-members'
import { errorResponses, IdInteger } from '../../schemas/common'
import { iso, phoneFor } from './views'

/** JSON around a file of MEMBER_FILE_MAX_BYTES: its line breaks and quotes escaped, the reason */
const BODY_LIMIT = MEMBER_FILE_MAX_BYTES + 64 * 1024

/**
 * Web-site members in the console, over the services of npm run admin -- import-members,
 * member-links and unlink-phone: check a file, import its accepted rows (admin: it gives VIP),
 * the phone-link conflicts, and freeing a reader's phone (admin). Every change is audited.
 */
export async function adminMemberRoutes(app: App): Promise<void> {
  const { services } = app
  const { members, audit } = services
  const now = services.clock

  /** The file checked row by row, or a 413 / 400 past the console's limits */
  function check(csv: string): MembersCsvCheck {
    if (Buffer.byteLength(csv, 'utf8') > MEMBER_FILE_MAX_BYTES) {
      throw new ApiError(413, 'IMPORT_TOO_LARGE', 'the file is larger than 1 MB: split it into smaller files')
    }
    const checked = checkMembersCsv(csv, MEMBER_FILE_MAX_ROWS)
    if (checked.fileProblem?.code === 'TOO_MANY_ROWS') {
      throw new ApiError(
        400,
        'IMPORT_TOO_MANY_ROWS',
        `the file has more than ${MEMBER_FILE_MAX_ROWS} rows: split it, or use npm run admin -- import-members`,
      )
    }
    return checked
  }

  async function report(checked: MembersCsvCheck, dryRun: boolean) {
    const result =
      checked.accepted.length === 0
        ? { created: 0, updated: 0, unchanged: 0 }
        : await members.import(checked.accepted, now(), { dryRun })
    return {
      imported: !dryRun && checked.accepted.length > 0,
      fileProblem: checked.fileProblem,
      accepted: checked.accepted.length,
      result,
      refused: checked.refused,
      errorsCsv: membersErrorsCsv(checked),
    }
  }

  app.post(
    '/admin/members/check',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: `Check a members CSV (phone,name,vip_expires_at; ≤ 1 MB, ≤ ${MEMBER_FILE_MAX_ROWS} rows) row by row and count what importing it would do; saves nothing (admin)`,
        tags: ['admin'],
        body: MemberCheckBody,
        response: { 200: MemberImportReport, 413: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      app.requireOperator(request, [])
      return report(check(request.body.csv), true)
    },
  )

  app.post(
    '/admin/members/import',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        summary:
          'Import the accepted rows of a members CSV as npm run admin -- import-members does; the report names every refused row and gives them back as a CSV to fix (admin)',
        tags: ['admin'],
        body: MemberImportBody,
        response: { 200: MemberImportReport, 413: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, [])
      const { csv, reason } = request.body
      const answer = await report(check(csv), false)
      await audit.record({
        operator: { id: operator.id, name: operator.name },
        action: 'member.import',
        target: `file:${crypto.createHash('sha256').update(csv).digest('hex').slice(0, 16)}`,
        reason,
        after: {
          accepted: answer.accepted,
          refused: answer.refused.length,
          fileProblem: answer.fileProblem?.code ?? null,
          ...answer.result,
        },
      })
      return answer
    },
  )

  app.get(
    '/admin/members/conflicts',
    {
      schema: {
        summary:
          'Open phone-link conflicts: refused bindings of a phone another reader holds, with no link or unlink since (finance, admin)',
        tags: ['admin'],
        response: { 200: PhoneConflictList, ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, ['finance'])
      const rows = await members.conflicts()
      return {
        items: rows.map((row) => ({
          ...row,
          phone: phoneFor(row.phone, operator.role) ?? '',
          createdAt: iso(row.createdAt),
        })),
      }
    },
  )

  app.post(
    '/admin/readers/:id/unlink-phone',
    {
      schema: {
        summary:
          'Free the phone a reader has bound, and unlink its web member, as npm run admin -- unlink-phone; audited (admin)',
        tags: ['admin'],
        params: Type.Object({ id: IdInteger() }),
        body: UnlinkBody,
        response: { 200: UnlinkResult, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, [])
      const { id } = request.params
      const { reason } = request.body
      const unlinked = await members.unlinkReader(id, `operator ${operator.name}: ${reason}`, now())
      await audit.record({
        operator: { id: operator.id, name: operator.name },
        action: 'reader.unlink_phone',
        target: `reader:${id}`,
        reason,
        before: { phone: maskPhone(unlinked.phone), memberId: unlinked.memberId },
        after: { phone: null, memberId: null },
      })
      return { readerId: id, phone: phoneFor(unlinked.phone, operator.role) ?? '', memberId: unlinked.memberId }
    },
  )
}
