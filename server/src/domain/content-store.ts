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

/** Where an issue goes: its region and column ids, or null before ensureTaxonomy made them. */
export async function issuePlace(
  db: Executor,
  issue: ParsedIssue,
): Promise<{ regionId: number; columnId: number } | null> {
  const { meta } = issue
  const region = await db.selectFrom('regions').select('id').where('code', '=', meta.region).executeTakeFirst()
  const leafSlug = meta.column.split('/').pop() as string
  const column = await db.selectFrom('columns').select('id').where('slug', '=', leafSlug).executeTakeFirst()
  return region && column ? { regionId: region.id, columnId: column.id } : null
}

/** Why the issue cannot be saved under its number (another slug has it), or null when it can. */
export async function numberConflict(
  db: Executor,
  issue: ParsedIssue,
  place: { regionId: number; columnId: number },
): Promise<string | null> {
  const { meta } = issue
  const taken = await db
    .selectFrom('issues')
    .select(['slug'])
    .where('column_id', '=', place.columnId)
    .where('region_id', '=', place.regionId)
    .where('number', '=', meta.number)
    .where('slug', '!=', meta.slug)
    .executeTakeFirst()
  return taken
    ? `issue number ${meta.number} of region ${meta.region} in ${meta.column} already belongs to "${taken.slug}": change the number or the slug`
    : null
}

/** The issues row an issue file becomes (without created_at), as upsertIssue writes it. */
export function issueValues(issue: ParsedIssue, place: { regionId: number; columnId: number }, now: number) {
  const { meta, body, paywallAt } = issue
  const gated = gatedIssue(meta.access, body, paywallAt)
  const freeNodes = body.slice(0, freeLength(gated))
  return {
    slug: meta.slug,
    column_id: place.columnId,
    region_id: place.regionId,
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
    content_hash: contentHash(issue),
    updated_at: now,
  }
}

/** Inserts or updates one issue by slug, inside the caller's transaction. */
export async function upsertIssue(db: Executor, issue: ParsedIssue, now: number): Promise<UpsertOutcome> {
  const place = await issuePlace(db, issue)
  if (!place)
    throw new Error(`region ${issue.meta.region} or column ${issue.meta.column} is missing: run ensureTaxonomy`)
  const conflict = await numberConflict(db, issue, place)
  if (conflict) throw new IssueConflictError(conflict)

  const values = issueValues(issue, place, now)
  const existing = await db
    .selectFrom('issues')
    .select(['id', 'content_hash'])
    .where('slug', '=', issue.meta.slug)
    .executeTakeFirst()
  if (!existing) {
    await db
      .insertInto('issues')
      .values({ ...values, created_at: now })
      .execute()
    return 'created'
  }
  if (existing.content_hash === values.content_hash) return 'unchanged'
  // A file that does not keep the issue scheduled ends a schedule set in the console.
  const schedule = issue.meta.status === 'scheduled' ? {} : { publish_at: null, scheduled_by: null }
  await db
    .updateTable('issues')
    .set({ ...values, ...schedule })
    .where('id', '=', existing.id)
    .execute()
  return 'updated'
}
