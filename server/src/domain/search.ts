import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { DialectName } from '../db/database'
import type { Database } from '../db/schema'
import { badRequest } from '../errors'
import type { SearchPageDto, SearchQueryDto, SnippetSegmentDto } from '../schemas/search'
import type { Catalog } from './catalog'
import { cursorPage, decodeCursor } from '../infra/cursor'
import { SUMMARY_COLUMNS, type IssueReader, type SummaryRow } from './issues'

export const MAX_QUERY_CHARS = 50
export const MAX_QUERY_WORDS = 8
/** Characters of text a snippet shows around the first match */
export const SNIPPET_WIDTH = 60
/** Trigram indexes need words of at least this many characters; shorter ones are scanned with LIKE */
export const TRIGRAM = 3

const invalidQuery = (why: string) => badRequest('INVALID_QUERY', `query parameter "q" ${why}`)

/**
 * The words of a search query: trimmed, split on spaces (the ideographic one too), each of
 * which must occur. A query that is too long, holds control characters or has nothing
 * but punctuation is refused with a 400 INVALID_QUERY.
 */
export function parseQuery(raw: string): string[] {
  if (/\p{Cc}/u.test(raw)) throw invalidQuery('contains control characters: type plain words')
  const trimmed = raw.trim()
  if (trimmed === '') throw invalidQuery('is empty: type a word to search for')
  if ([...trimmed].length > MAX_QUERY_CHARS) throw invalidQuery(`is longer than ${MAX_QUERY_CHARS} characters`)
  const words = [...new Set(trimmed.split(/\s+/u).filter((word) => /[\p{L}\p{N}]/u.test(word)))]
  if (words.length === 0) throw invalidQuery('has only punctuation: type a word to search for')
  if (words.length > MAX_QUERY_WORDS) throw invalidQuery(`has more than ${MAX_QUERY_WORDS} words`)
  return words
}

/** Lower-cases ASCII only, so positions in the folded text are positions in the original. */
const fold = (text: string) => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase())

/**
 * About `width` characters of `text` around the first match of any word, cut into
 * segments with every match in view marked `hit`. Text only, never markup.
 */
export function snippetSegments(rawText: string, words: string[], width = SNIPPET_WIDTH): SnippetSegmentDto[] {
  const text = rawText.replace(/\s+/g, ' ').trim()
  const folded = fold(text)
  const needles = words.map(fold).sort((a, b) => b.length - a.length)
  let first = -1
  let firstLength = 0
  for (const needle of needles) {
    const at = folded.indexOf(needle)
    if (at >= 0 && (first < 0 || at < first)) {
      first = at
      firstLength = needle.length
    }
  }
  // The match sits about a third of the way in, so some text before it gives context.
  let start = first < 0 ? 0 : Math.max(0, first - Math.floor(Math.max(0, width - firstLength) / 3))
  let end = Math.min(text.length, start + width)
  start = Math.max(0, end - width)
  if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start--
  if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end++

  const segments: SnippetSegmentDto[] = []
  const push = (part: string, hit: boolean) => {
    const last = segments[segments.length - 1]
    if (last && last.hit === hit) last.text += part
    else segments.push({ text: part, hit })
  }
  if (start > 0) push('…', false)
  for (let i = start; i < end;) {
    const needle = first < 0 ? undefined : needles.find((candidate) => folded.startsWith(candidate, i))
    if (needle) {
      push(text.slice(i, Math.min(end, i + needle.length)), true)
      i += needle.length
    } else {
      push(text[i], false)
      i++
    }
  }
  if (end < text.length) push('…', false)
  return segments
}

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff

/** A LIKE pattern that finds `word` anywhere, with % _ and \ taken literally. */
export function containsPattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
}

/** An FTS5 query: every word as a quoted phrase, which the trigram tokenizer matches as a substring. */
export function ftsMatch(words: string[]): string {
  return words.map((word) => `"${word.replace(/"/g, '""')}"`).join(' AND ')
}

export interface SearchTuning {
  /** Fewer matches than this, and the index drives the query; more, and a newest-first scan meets them soon */
  indexDrivenMax: number
  /** How many of the newest visible issues a scan looks through before asking the index */
  scanWindow: number
  /** A two-character word with more trigrams than this is matched by scanning */
  maxWordTrigrams: number
}

/** Measured with 100k issues (npm run bench:search) */
export const DEFAULT_TUNING: SearchTuning = { indexDrivenMax: 2000, scanWindow: 1000, maxWordTrigrams: 300 }

type SearchRow = SummaryRow & { free_text: string }
const COLUMNS = sql.join([...SUMMARY_COLUMNS, 'free_text'].map((column) => sql.ref(`issues.${column}`)))

/**
 * Full-text search of published issues, newest first. Only the title and the free part
 * (issues.free_text) are searched and quoted, never body_json: search serves the same
 * free text to every viewer, members included, so a result can never carry VIP text.
 *
 * SQLite: words of three characters or more are looked up in the FTS5 trigram index; a
 * two-character word (山西) through the trigrams that start with it (fts5vocab), since
 * every indexed value ends with a space. Rare words let the index drive the query; common
 * ones are met soon by a newest-first scan over the published-date index. PostgreSQL:
 * ILIKE, served by the pg_trgm GIN indexes.
 */
export class IssueSearch {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
    private readonly catalog: Catalog,
    private readonly issues: IssueReader,
    private readonly tuning: SearchTuning = DEFAULT_TUNING,
  ) {}

  async search(query: SearchQueryDto, words: string[], now: number): Promise<SearchPageDto> {
    const snapshot = await this.catalog.get(now)
    const limit = query.limit ?? 20
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    const visible: RawBuilder<unknown>[] = [sql`issues.status = 'published'`]
    if (!cursor || cursor.publishedAt > now) visible.push(sql`issues.published_at <= ${now}`)
    if (cursor) visible.push(sql`(issues.published_at, issues.id) < (${cursor.publishedAt}, ${cursor.id})`)
    if (query.region !== undefined) {
      const region = snapshot.regionsByCode.get(query.region)
      if (!region) throw badRequest('UNKNOWN_REGION', `query parameter "region": there is no region "${query.region}"`)
      visible.push(sql`issues.region_id = ${region.id}`)
    }
    const like = this.dialect === 'postgres' ? sql`ilike` : sql`like`
    const contains = (some: string[]) =>
      some.map((word) => {
        const pattern = containsPattern(word)
        return sql`(issues.title ${like} ${pattern} escape '\\' or issues.free_text ${like} ${pattern} escape '\\')`
      })
    const select = async (from: RawBuilder<unknown>, conditions: RawBuilder<unknown>[]) => {
      const result = await sql<SearchRow>`select ${COLUMNS} from ${from} where ${sql.join(conditions, sql` and `)}
        order by issues.published_at desc, issues.id desc limit ${limit + 1}`.execute(this.db)
      return result.rows
    }
    const page = (rows: SearchRow[]): SearchPageDto =>
      cursorPage(
        rows,
        limit,
        (row) => row.published_at,
        (row) => {
          const inText = words.some((word) => fold(row.free_text).includes(fold(word)))
          return {
            ...this.issues.summary(row, snapshot),
            snippet: snippetSegments(inText ? row.free_text : row.title, words),
          }
        },
      )
    const scan = async () => page(await select(sql`issues`, [...visible, ...contains(words)]))
    if (this.dialect === 'postgres') return scan()

    const long = words.filter((word) => [...word].length >= TRIGRAM)
    const short = words.filter((word) => [...word].length < TRIGRAM)
    const indexed = async (match: string, unindexed: string[]) =>
      page(
        await select(sql`issues_fts cross join issues on issues.id = issues_fts.rowid`, [
          sql`issues_fts match ${match}`,
          ...visible,
          ...contains(unindexed),
        ]),
      )

    if (long.length > 0) {
      const count = await this.countMatches(ftsMatch(long))
      if (count === 0) return page([])
      if (count < this.tuning.indexDrivenMax) return indexed(ftsMatch(long), short)
    }
    // Common words, or short ones: the newest issues first, through a window of them.
    const boundary = await sql<{ published_at: number }>`select issues.published_at from issues
      where ${sql.join(visible, sql` and `)} order by issues.published_at desc, issues.id desc
      limit 1 offset ${this.tuning.scanWindow}`.execute(this.db)
    const edge = boundary.rows[0]?.published_at
    const recent = await select(sql`issues`, [
      ...visible,
      ...(edge === undefined ? [] : [sql`issues.published_at >= ${edge}`]),
      ...contains(words),
    ])
    if (edge === undefined || recent.length > limit) return page(recent)

    // Not among the newest issues: ask the index, two-character words included.
    const groups: string[] = []
    const unindexed = words.filter((word) => [...word].length < 2)
    for (const word of short.filter((word) => [...word].length === 2)) {
      const trigrams = await this.trigramsStartingWith(word)
      if (trigrams.length === 0) return page([])
      if (trigrams.length > this.tuning.maxWordTrigrams) unindexed.push(word)
      else groups.push(`(${ftsMatch(trigrams).replace(/ AND /g, ' OR ')})`)
    }
    const match = [...(long.length > 0 ? [ftsMatch(long)] : []), ...groups].join(' AND ')
    return match === '' ? scan() : indexed(match, unindexed)
  }

  /** How many rows match, counted up to tuning.indexDrivenMax. */
  private async countMatches(match: string): Promise<number> {
    const result = await sql<{ n: number }>`select count(*) as n from
      (select rowid from issues_fts where issues_fts match ${match} limit ${this.tuning.indexDrivenMax})`.execute(
      this.db,
    )
    return Number(result.rows[0]?.n ?? 0)
  }

  /** The indexed trigrams that begin with a two-character word (the tokenizer lower-cases). */
  private async trigramsStartingWith(word: string): Promise<string[]> {
    const low = word.toLowerCase()
    const result = await sql<{ term: string }>`select term from issues_fts_vocab
      where term >= ${low} and term <= ${`${low}\u{10FFFF}`} limit ${this.tuning.maxWordTrigrams + 1}`.execute(this.db)
    return result.rows.map((row) => row.term).filter((term) => term.startsWith(low))
  }
}
