import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { badRequest, notFound } from '../errors'
import type {
  FavoritePageDto,
  FavoriteStateDto,
  HistoryPageDto,
  ProgressDto,
  ProgressOfPageDto,
  ReaderSettingsDto,
  RecordProgressBodyDto,
  StudyPageQueryDto,
  UpdateSettingsBodyDto,
} from '../schemas/study'
import { INT4_MAX } from '../schemas/common'
import type { SectionDto } from '../schemas/content'
import type { Catalog } from './catalog'
import { cutIssue, type Viewer } from './gating'
import type { BodyNode } from './issue-markdown'
import { cursorPage, decodeCursor } from '../infra/cursor'
import { SUMMARY_COLUMNS, type IssueReader } from './issues'

export const DEFAULT_SETTINGS: ReaderSettingsDto = { fontSize: 'medium', theme: 'system', answers: 'folded' }

const iso = (millis: number) => new Date(millis).toISOString()

/**
 * The section of each block a viewer may read, in reading order: blocks are counted over the body
 * with headings left out, the way the app counts the sections' blocks, so an index names the same
 * paragraph for every viewer.
 */
function blockSections(sections: SectionDto[]): string[] {
  return sections.flatMap((section) => section.blocks.map(() => section.id))
}

/** How far through the issue a block is: the share of the whole body's blocks read once it is reached. */
function percentAt(block: number, body: BodyNode[]): number {
  const total = body.filter((node) => node.type !== 'heading').length
  return total === 0 ? 100 : Math.min(100, Math.round((100 * (block + 1)) / total))
}

/**
 * A reader's favorites, reading history and settings. Every query is scoped by the
 * signed-in reader's user id; paths name issues, never rows, so one reader can
 * neither see nor change another's.
 */
export class StudyTools {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly catalog: Catalog,
    private readonly issues: IssueReader,
  ) {}

  private async requirePublished(issueId: number, now: number) {
    const row = await this.db
      .selectFrom('issues')
      .select(['id', 'access', 'body_json', 'paywall_at'])
      .where('id', '=', issueId)
      .where('status', '=', 'published')
      .where('published_at', '<=', now)
      .executeTakeFirst()
    if (!row) throw notFound('ISSUE_NOT_FOUND', `there is no published issue ${issueId}`)
    return row
  }

  async addFavorite(userId: number, issueId: number, now: number): Promise<FavoriteStateDto> {
    await this.requirePublished(issueId, now)
    await this.db
      .insertInto('favorites')
      .values({ user_id: userId, issue_id: issueId, created_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'issue_id']).doNothing())
      .execute()
    const row = await this.db
      .selectFrom('favorites')
      .select('created_at')
      .where('user_id', '=', userId)
      .where('issue_id', '=', issueId)
      .executeTakeFirstOrThrow()
    return { issueId, favorited: true, favoritedAt: iso(row.created_at) }
  }

  /** Whether this reader favorited this issue (a hidden or unknown issue is not a favorite). */
  async favorite(userId: number, issueId: number, now: number): Promise<FavoriteStateDto> {
    const row = await this.db
      .selectFrom('favorites')
      .innerJoin('issues', 'issues.id', 'favorites.issue_id')
      .select('favorites.created_at')
      .where('favorites.user_id', '=', userId)
      .where('favorites.issue_id', '=', issueId)
      .where('issues.status', '=', 'published')
      .where('issues.published_at', '<=', now)
      .executeTakeFirst()
    return { issueId, favorited: row !== undefined, favoritedAt: row ? iso(row.created_at) : null }
  }

  async removeFavorite(userId: number, issueId: number): Promise<void> {
    await this.db.deleteFrom('favorites').where('user_id', '=', userId).where('issue_id', '=', issueId).execute()
  }

  /** Favorited published issues, most recently favorited first. */
  async favorites(userId: number, query: StudyPageQueryDto, now: number): Promise<FavoritePageDto> {
    const limit = query.limit ?? 20
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    let builder = this.db
      .selectFrom('favorites')
      .innerJoin('issues', 'issues.id', 'favorites.issue_id')
      .select([...SUMMARY_COLUMNS, 'favorites.created_at as favorited_at'])
      .where('favorites.user_id', '=', userId)
      .where('issues.status', '=', 'published')
      .where('issues.published_at', '<=', now)
    if (cursor) {
      builder = builder.where((eb) =>
        eb(eb.refTuple('favorites.created_at', 'favorites.issue_id'), '<', eb.tuple(cursor.publishedAt, cursor.id)),
      )
    }
    const rows = await builder
      .orderBy('favorites.created_at', 'desc')
      .orderBy('favorites.issue_id', 'desc')
      .limit(limit + 1)
      .execute()
    const snapshot = await this.catalog.get(now)
    // The cursor's "publishedAt" slot carries the favorite's time here.
    return cursorPage(
      rows,
      limit,
      (row) => row.favorited_at,
      (row) => ({ ...this.issues.summary(row, snapshot), favoritedAt: iso(row.favorited_at) }),
    )
  }

  /**
   * Records the last section (and block) the reader reached. Both must be ones this viewer may read
   * (the same cut as the issue detail): a reader without VIP cannot record a VIP section or block.
   * How far through the issue that is, is worked out here from the block, so it counts the whole body.
   */
  async recordProgress(
    viewer: Viewer,
    issueId: number,
    position: RecordProgressBodyDto,
    now: number,
  ): Promise<ProgressDto> {
    const { sectionId, block } = position
    const row = await this.requirePublished(issueId, now)
    const cut = cutIssue(row, viewer, now)
    if (!cut.sections.some((section) => section.id === sectionId)) {
      throw badRequest(
        'UNKNOWN_SECTION',
        `body field "sectionId": issue ${issueId} has no section "${sectionId}" that you can read`,
      )
    }
    if (block !== undefined && blockSections(cut.sections)[block] !== sectionId) {
      throw badRequest(
        'UNKNOWN_BLOCK',
        `body field "block": issue ${issueId} has no block ${block} in section "${sectionId}" that you can read`,
      )
    }
    const place = {
      section_id: sectionId,
      block_index: block ?? null,
      percent: block === undefined ? null : percentAt(block, cut.body),
    }
    await this.db
      .insertInto('reading_progress')
      .values({ user_id: viewer.userId, issue_id: issueId, ...place, updated_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'issue_id']).doUpdateSet({ ...place, updated_at: now }))
      .execute()
    return { sectionId, block: place.block_index, percent: place.percent, atPaywall: false, readAt: iso(now) }
  }

  /**
   * Where to resume; null when the reader has not read this issue (or it is no longer published, or
   * nothing of it is readable now). A place past what the viewer may read now (read as a member whose
   * membership has ended, or a body that has since grown shorter) comes back as the last block the
   * viewer may read: nothing behind the paywall is named, not even its heading's section.
   */
  async progress(viewer: Viewer, issueId: number, now: number): Promise<ProgressDto | null> {
    const row = await this.db
      .selectFrom('reading_progress')
      .innerJoin('issues', 'issues.id', 'reading_progress.issue_id')
      .select([
        'reading_progress.section_id',
        'reading_progress.block_index',
        'reading_progress.percent',
        'reading_progress.updated_at',
        'issues.access',
        'issues.body_json',
        'issues.paywall_at',
      ])
      .where('reading_progress.user_id', '=', viewer.userId)
      .where('reading_progress.issue_id', '=', issueId)
      .where('issues.status', '=', 'published')
      .where('issues.published_at', '<=', now)
      .executeTakeFirst()
    if (!row) return null
    const cut = cutIssue(row, viewer, now)
    const places = blockSections(cut.sections)
    const readAt = iso(row.updated_at)
    const inCut =
      row.block_index === null
        ? cut.sections.some((section) => section.id === row.section_id)
        : row.block_index < places.length
    if (inCut) {
      const sectionId = row.block_index === null ? row.section_id : places[row.block_index]
      return { sectionId, block: row.block_index, percent: row.percent, atPaywall: false, readAt }
    }
    if (places.length === 0) return null
    const last = places.length - 1
    return {
      sectionId: places[last],
      block: last,
      percent: percentAt(last, cut.body),
      atPaywall: !cut.decision.granted,
      readAt,
    }
  }

  /** How far the reader has read each of these issues (the home list's cards); issues not read are left out. */
  async progressOf(userId: number, ids: number[], now: number): Promise<ProgressOfPageDto> {
    const wanted = [...new Set(ids)].filter((id) => id <= INT4_MAX)
    if (wanted.length === 0) return { items: [] }
    const rows = await this.db
      .selectFrom('reading_progress')
      .innerJoin('issues', 'issues.id', 'reading_progress.issue_id')
      .select(['reading_progress.issue_id', 'reading_progress.percent'])
      .where('reading_progress.user_id', '=', userId)
      .where('reading_progress.issue_id', 'in', wanted)
      .where('issues.status', '=', 'published')
      .where('issues.published_at', '<=', now)
      .execute()
    return { items: rows.map((row) => ({ issueId: row.issue_id, percent: row.percent })) }
  }

  /** Issues the reader has read, most recently read first, with the last section reached. */
  async history(userId: number, query: StudyPageQueryDto, now: number): Promise<HistoryPageDto> {
    const limit = query.limit ?? 20
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    let builder = this.db
      .selectFrom('reading_progress')
      .innerJoin('issues', 'issues.id', 'reading_progress.issue_id')
      .select([
        ...SUMMARY_COLUMNS,
        'reading_progress.section_id',
        'reading_progress.percent',
        'reading_progress.updated_at as read_at',
      ])
      .where('reading_progress.user_id', '=', userId)
      .where('issues.status', '=', 'published')
      .where('issues.published_at', '<=', now)
    if (cursor) {
      builder = builder.where((eb) =>
        eb(
          eb.refTuple('reading_progress.updated_at', 'reading_progress.issue_id'),
          '<',
          eb.tuple(cursor.publishedAt, cursor.id),
        ),
      )
    }
    const rows = await builder
      .orderBy('reading_progress.updated_at', 'desc')
      .orderBy('reading_progress.issue_id', 'desc')
      .limit(limit + 1)
      .execute()
    const snapshot = await this.catalog.get(now)
    return cursorPage(
      rows,
      limit,
      (row) => row.read_at,
      (row) => ({
        ...this.issues.summary(row, snapshot),
        sectionId: row.section_id,
        percent: row.percent,
        readAt: iso(row.read_at),
      }),
    )
  }

  async clearHistory(userId: number): Promise<void> {
    await this.db.deleteFrom('reading_progress').where('user_id', '=', userId).execute()
  }

  async settings(userId: number): Promise<ReaderSettingsDto> {
    const row = await this.db
      .selectFrom('reader_settings')
      .select(['font_size', 'theme', 'answers'])
      .where('user_id', '=', userId)
      .executeTakeFirst()
    return row ? { fontSize: row.font_size, theme: row.theme, answers: row.answers } : { ...DEFAULT_SETTINGS }
  }

  async updateSettings(userId: number, change: UpdateSettingsBodyDto, now: number): Promise<ReaderSettingsDto> {
    const set = {
      ...(change.fontSize ? { font_size: change.fontSize } : {}),
      ...(change.theme ? { theme: change.theme } : {}),
      ...(change.answers ? { answers: change.answers } : {}),
      updated_at: now,
    }
    await this.db
      .insertInto('reader_settings')
      .values({
        user_id: userId,
        font_size: change.fontSize ?? DEFAULT_SETTINGS.fontSize,
        theme: change.theme ?? DEFAULT_SETTINGS.theme,
        answers: change.answers ?? DEFAULT_SETTINGS.answers,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('user_id').doUpdateSet(set))
      .execute()
    return this.settings(userId)
  }
}
