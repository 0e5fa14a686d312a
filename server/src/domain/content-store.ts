import crypto from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema'
import { freeLength, gatedIssue, hasVipPart, plainText, summarize } from './gating'
import type { ParsedIssue } from './issue-markdown'
import { COLUMN_TREE, REGIONS, type ColumnDefinition } from './taxonomy'
import { shanghaiMidnight } from '../infra/time'

type Executor = Kysely<Database> | Transaction<Database>

/** Creates the regions and the column tree of taxonomy.ts, keeping names current. Idempotent. */
export async function ensureTaxonomy(db: Executor): Promise<void> {
  for (const [index, region] of REGIONS.entries()) {
    await db
      .insertInto('regions')
      .values({ code: region.code, name: region.name, sort_order: index })
      .onConflict((oc) => oc.column('code').doUpdateSet({ name: region.name, sort_order: index }))
      .execute()
  }
  const walk = async (columns: ColumnDefinition[], parentId: number | null) => {
    for (const [index, column] of columns.entries()) {
      await db
        .insertInto('columns')
        .values({ slug: column.slug, name: column.name, parent_id: parentId, sort_order: index })
        .onConflict((oc) =>
          oc.column('slug').doUpdateSet({ name: column.name, parent_id: parentId, sort_order: index }),
        )
        .execute()
      const row = await db.selectFrom('columns').select('id').where('slug', '=', column.slug).executeTakeFirstOrThrow()
      if (column.children) await walk(column.children, row.id)
    }
  }
  await walk(COLUMN_TREE, null)
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged'

export class IssueConflictError extends Error {}

export function contentHash(issue: ParsedIssue): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([issue.meta, issue.body, issue.paywallAt]))
    .digest('hex')
}

/** Inserts or updates one issue by slug, inside the caller's transaction. */
export async function upsertIssue(db: Executor, issue: ParsedIssue, now: number): Promise<UpsertOutcome> {
  const { meta, body, paywallAt } = issue
  const region = await db.selectFrom('regions').select('id').where('code', '=', meta.region).executeTakeFirstOrThrow()
  const leafSlug = meta.column.split('/').pop() as string
  const column = await db.selectFrom('columns').select('id').where('slug', '=', leafSlug).executeTakeFirstOrThrow()

  const taken = await db
    .selectFrom('issues')
    .select(['slug'])
    .where('column_id', '=', column.id)
    .where('region_id', '=', region.id)
    .where('number', '=', meta.number)
    .where('slug', '!=', meta.slug)
    .executeTakeFirst()
  if (taken) {
    throw new IssueConflictError(
      `issue number ${meta.number} of region ${meta.region} in ${meta.column} already belongs to "${taken.slug}": change the number or the slug`,
    )
  }

  const gated = gatedIssue(meta.access, body, paywallAt)
  const freeNodes = body.slice(0, freeLength(gated))
  const hash = contentHash(issue)
  const values = {
    slug: meta.slug,
    column_id: column.id,
    region_id: region.id,
    number: meta.number,
    title: meta.title,
    topic: meta.topic,
    published_at: shanghaiMidnight(meta.date),
    author: meta.author,
    summary: summarize(freeNodes),
    cover: meta.cover,
    tags_json: JSON.stringify(meta.tags),
    status: meta.status,
    access: meta.access,
    body_json: JSON.stringify(body),
    paywall_at: paywallAt,
    vip: hasVipPart(gated) ? 1 : 0,
    free_text: plainText(freeNodes),
    content_hash: hash,
    updated_at: now,
  }

  const existing = await db
    .selectFrom('issues')
    .select(['id', 'content_hash'])
    .where('slug', '=', meta.slug)
    .executeTakeFirst()
  if (!existing) {
    await db
      .insertInto('issues')
      .values({ ...values, created_at: now })
      .execute()
    return 'created'
  }
  if (existing.content_hash === hash) return 'unchanged'
  await db.updateTable('issues').set(values).where('id', '=', existing.id).execute()
  return 'updated'
}
