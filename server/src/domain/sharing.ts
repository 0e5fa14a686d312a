import crypto from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { notFound } from '../errors'
import type { Catalog } from './catalog'
import type { BodyNode } from './issue-markdown'
import { fullTitle } from './issues'
import { SHARE_CODE_ALPHABET as CODE_ALPHABET, SHARE_CODE_LENGTH } from '../schemas/sharing'
import { renderShareCard, shareCardEtag, shareCardInput, type CardShape } from './share-card'
import { shanghaiDate } from '../infra/time'
import { TtlCache } from '../infra/ttl-cache'

/** WeChat launch scenes of shares (docs: 场景值) */
export const SHARE_SCENES: Record<number, string> = { 1007: '单聊', 1008: '群聊', 1154: '朋友圈' }

/** 60 random bits (32 letters, no modulo bias since 256 is a multiple of 32). */
export function newShareCode(): string {
  const bytes = crypto.randomBytes(SHARE_CODE_LENGTH)
  return Array.from(bytes, (byte) => CODE_ALPHABET[byte % CODE_ALPHABET.length]).join('')
}

/** A share code as the publisher sees it in reports: enough to tell sharers apart, not to reuse the code. */
export function maskShareCode(code: string): string {
  return `${code.slice(0, 3)}******${code.slice(-2)}`
}

export interface ShareCard {
  png: Buffer
  etag: string
}

/**
 * Share card images, the same for every viewer: drawn from the free fields of a published issue,
 * cached per issue and content version (an edit makes a new key; the app drops the cache too).
 */
export class ShareCards {
  private readonly cache: TtlCache<ShareCard>
  private readonly rendering = new Map<string, Promise<ShareCard | undefined>>()

  constructor(
    private readonly db: Kysely<Database>,
    private readonly catalog: Catalog,
    options: { ttlMs: number; maxEntries: number },
  ) {
    this.cache = new TtlCache<ShareCard>(options.ttlMs, options.maxEntries)
  }

  clear(): void {
    this.cache.clear()
  }

  /**
   * The card of a published issue, or undefined when there is none (unknown, draft, scheduled).
   * `beforeRender` runs before this request starts a render (not for a cached card, nor when it
   * joins a render under way) and may throw to refuse it, e.g. a throttle.
   */
  async card(
    issueId: number,
    shape: CardShape,
    now: number,
    beforeRender?: () => Promise<void>,
  ): Promise<ShareCard | undefined> {
    const version = await this.db
      .selectFrom('issues')
      .select('content_hash')
      .where('id', '=', issueId)
      .where('status', '=', 'published')
      .where('published_at', '<=', now)
      .executeTakeFirst()
    if (!version) return undefined
    const key = `${issueId}:${version.content_hash}:${shape}`
    const cached = this.cache.get(key, now)
    if (cached) return cached
    // Concurrent first requests for one card share one render.
    let pending = this.rendering.get(key)
    if (!pending && beforeRender) {
      await beforeRender()
      pending = this.rendering.get(key)
    }
    if (!pending) {
      pending = this.render(issueId, shape, now).finally(() => this.rendering.delete(key))
      this.rendering.set(key, pending)
    }
    const card = await pending
    if (card) this.cache.set(key, card, now)
    return card
  }

  private async render(issueId: number, shape: CardShape, now: number): Promise<ShareCard | undefined> {
    const row = await this.db
      .selectFrom('issues')
      .select(['title', 'region_id', 'number', 'published_at', 'access', 'paywall_at', 'body_json'])
      .where('id', '=', issueId)
      .where('status', '=', 'published')
      .where('published_at', '<=', now)
      .executeTakeFirst()
    if (!row) return undefined
    const snapshot = await this.catalog.get(now)
    const input = shareCardInput({
      title: row.title,
      regionName: snapshot.regionsById.get(row.region_id)?.name ?? '',
      number: row.number,
      publishedAt: row.published_at,
      access: row.access,
      paywallAt: row.paywall_at,
      body: JSON.parse(row.body_json) as BodyNode[],
    })
    return { png: await renderShareCard(input, shape), etag: shareCardEtag(input, shape) }
  }
}

export type ShareOpenOutcome = 'recorded' | 'repeat' | 'own_share' | 'unknown_sharer'

export interface ShareOpenInput {
  issueId: number
  sharer: string
  scene: number | null
  /** The signed-in viewer's user id, or null */
  viewerUserId: number | null
  /** viewerKey(request): the user, or a hash of an anonymous reader's address and browser */
  viewerKey: string
}

export interface ShareStatsQuery {
  issueId?: number
  days: number
  now: number
}

export interface ShareStats {
  since: number
  total: number
  byIssue: { issueId: number; title: string; opens: number }[]
  bySharer: { sharer: string; opens: number }[]
  byScene: { scene: number | null; opens: number }[]
}

/** Share codes per reader, share opens, and the publisher's counts of them. */
export class Sharing {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly catalog: Catalog,
  ) {}

  /** The reader's share code: made once, then always the same. */
  async codeFor(userId: number, now: number): Promise<string> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const existing = await this.db
        .selectFrom('share_codes')
        .select('code')
        .where('user_id', '=', userId)
        .executeTakeFirst()
      if (existing) return existing.code
      // Two first requests at once both insert; one wins and both read its code. A clash with another
      // reader's code (60 random bits) inserts nothing too, and the next attempt draws a new one.
      await this.db
        .insertInto('share_codes')
        .values({ user_id: userId, code: newShareCode(), created_at: now })
        .onConflict((oc) => oc.doNothing())
        .execute()
    }
    throw new Error('could not make a share code')
  }

  /**
   * Records that a viewer opened an issue someone shared: at most once per sharer, issue, viewer and
   * day. An unknown code and a reader opening their own share record nothing.
   */
  async recordOpen(open: ShareOpenInput, now: number): Promise<ShareOpenOutcome> {
    const issue = await this.db
      .selectFrom('issues')
      .select('id')
      .where('id', '=', open.issueId)
      .where('status', '=', 'published')
      .where('published_at', '<=', now)
      .executeTakeFirst()
    if (!issue) throw notFound('ISSUE_NOT_FOUND', `there is no published issue ${open.issueId}`)
    const sharer = await this.db
      .selectFrom('share_codes')
      .select('user_id')
      .where('code', '=', open.sharer)
      .executeTakeFirst()
    if (!sharer) return 'unknown_sharer'
    if (sharer.user_id === open.viewerUserId) return 'own_share'
    const result = await this.db
      .insertInto('share_opens')
      .values({
        sharer_user_id: sharer.user_id,
        issue_id: open.issueId,
        scene: open.scene,
        viewer_hash: crypto.createHash('sha256').update(open.viewerKey).digest('hex').slice(0, 32),
        day: shanghaiDate(now),
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['sharer_user_id', 'issue_id', 'viewer_hash', 'day']).doNothing())
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0 ? 'recorded' : 'repeat'
  }

  /** Opens in the last `days` days, per issue, per sharer (masked) and per scene, most first. */
  async stats(query: ShareStatsQuery): Promise<ShareStats> {
    const since = query.now - query.days * 86400000
    let base = this.db.selectFrom('share_opens').where('share_opens.created_at', '>=', since)
    if (query.issueId !== undefined) base = base.where('share_opens.issue_id', '=', query.issueId)
    const [byIssue, bySharer, byScene, snapshot] = await Promise.all([
      base
        .innerJoin('issues', 'issues.id', 'share_opens.issue_id')
        .select(['share_opens.issue_id', 'issues.title', 'issues.region_id', 'issues.number'])
        .select((eb) => eb.fn.countAll<string | number>().as('opens'))
        .groupBy(['share_opens.issue_id', 'issues.title', 'issues.region_id', 'issues.number'])
        .orderBy('opens', 'desc')
        .orderBy('share_opens.issue_id')
        .limit(100)
        .execute(),
      base
        .innerJoin('share_codes', 'share_codes.user_id', 'share_opens.sharer_user_id')
        .select('share_codes.code')
        .select((eb) => eb.fn.countAll<string | number>().as('opens'))
        .groupBy('share_codes.code')
        .orderBy('opens', 'desc')
        .orderBy('share_codes.code')
        .limit(100)
        .execute(),
      base
        .select('share_opens.scene')
        .select((eb) => eb.fn.countAll<string | number>().as('opens'))
        .groupBy('share_opens.scene')
        .orderBy('opens', 'desc')
        .orderBy('share_opens.scene')
        .execute(),
      this.catalog.get(query.now),
    ])
    const regionName = (id: number) => snapshot.regionsById.get(id)?.name ?? ''
    return {
      since,
      total: byScene.reduce((sum, row) => sum + Number(row.opens), 0),
      byIssue: byIssue.map((row) => ({
        issueId: row.issue_id,
        title: fullTitle(regionName(row.region_id), row.number, row.title),
        opens: Number(row.opens),
      })),
      bySharer: bySharer.map((row) => ({ sharer: maskShareCode(row.code), opens: Number(row.opens) })),
      byScene: byScene.map((row) => ({ scene: row.scene, opens: Number(row.opens) })),
    }
  }
}
