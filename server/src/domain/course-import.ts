import fs from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { MediaStorage } from '../infra/media-storage'

/**
 * Courses from folders (docs/courses.md): each folder holds `course.yaml` and, per lesson N,
 * `lesson-N.mp4` with an optional `lesson-N.jpg` poster and `lesson-N.vtt` subtitles, plus an
 * optional public `cover.jpg`. The media go to the course media storage under
 * `course-<folder>-…` names; a lesson's duration is read from its MP4. Importing again updates
 * the course of the same slug (the folder's name) and its lessons in place, so progress and grants
 * keep pointing at the same rows.
 */

export interface CourseImportReport {
  imported: string[]
  problems: string[]
}

interface LessonFile {
  title?: unknown
  outline?: unknown
  preview?: unknown
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,47}$/

/** The public path a course's cover is served at (routes/courses.ts) */
export const coverPath = (name: string) => `/api/media/course-covers/${name}`

/** Names of public course covers: course-<slug>-cover.jpg|png; every other course file is paid */
export const COVER_NAME = /^course-[a-z0-9-]{1,48}-cover\.(jpg|png)$/

/**
 * The length of an MP4 in whole seconds (rounded up), from its movie header (`moov/mvhd`); null
 * when the file has none.
 */
export function mp4DurationSeconds(data: Buffer): number | null {
  const find = (from: number, to: number, type: string): [number, number] | null => {
    let at = from
    while (at + 8 <= to) {
      let size = data.readUInt32BE(at)
      let header = 8
      if (size === 1 && at + 16 <= to) {
        size = Number(data.readBigUInt64BE(at + 8))
        header = 16
      } else if (size === 0) size = to - at
      if (size < header || at + size > to) return null
      if (data.toString('latin1', at + 4, at + 8) === type) return [at + header, at + size]
      at += size
    }
    return null
  }
  const moov = find(0, data.length, 'moov')
  const mvhd = moov && find(moov[0], moov[1], 'mvhd')
  if (!mvhd) return null
  const [body] = mvhd
  const version = data[body]
  const timescale = version === 1 ? data.readUInt32BE(body + 20) : data.readUInt32BE(body + 12)
  const duration = version === 1 ? Number(data.readBigUInt64BE(body + 24)) : data.readUInt32BE(body + 16)
  if (timescale === 0) return null
  return Math.max(1, Math.ceil(duration / timescale))
}

function sortOf(file: string): number {
  try {
    const sort = (parse(fs.readFileSync(file, 'utf8')) as { sort?: unknown }).sort
    return typeof sort === 'number' ? sort : 0
  } catch {
    return 0
  }
}

export interface Cue {
  /** Seconds from the lesson's start */
  start: number
  end: number
  text: string
}

/** The most cues and characters per cue kept of one lesson's subtitles */
const MAX_CUES = 3000
const MAX_CUE_LENGTH = 300

/** `hh:mm:ss.ttt` or `mm:ss.ttt` → seconds */
function vttTime(stamp: string): number | null {
  const match = /^(?:(\d{1,3}):)?([0-5]\d):([0-5]\d)[.,](\d{3})$/.exec(stamp.trim())
  if (!match) return null
  const [, hours, minutes, seconds, millis] = match
  return Number(hours ?? 0) * 3600 + Number(minutes) * 60 + Number(seconds) + Number(millis) / 1000
}

/**
 * The cues of a WebVTT file: each block's timing line (`start --> end`, settings after it ignored)
 * and its text lines joined, tags such as <v Speaker> removed. Blocks without a timing line (the
 * header, NOTE, STYLE, REGION) are skipped; a file that is not WebVTT is refused.
 */
export function parseVtt(source: string): Cue[] {
  const lines = source.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)
  if (!/^WEBVTT(?:[ \t].*)?$/.test(lines[0] ?? '')) throw new Error('not a WebVTT file (it starts with WEBVTT)')
  const cues: Cue[] = []
  const blocks = lines.join('\n').split(/\n{2,}/)
  for (const block of blocks) {
    const rows = block.split('\n')
    const timing = rows.findIndex((row) => row.includes('-->'))
    if (timing === -1) continue
    const [from = '', rest = ''] = (rows[timing] as string).split('-->')
    const start = vttTime(from)
    const end = vttTime(rest.trim().split(/\s+/)[0] ?? '')
    if (start === null || end === null || end <= start) throw new Error(`a cue timing is not valid: ${rows[timing]}`)
    const words = rows
      .slice(timing + 1)
      .map((row) => row.replace(/<[^>]*>/g, '').trim())
      .filter(Boolean)
      .join(' ')
    if (words) cues.push({ start, end, text: words.slice(0, MAX_CUE_LENGTH) })
    if (cues.length > MAX_CUES) throw new Error(`more than ${MAX_CUES} cues`)
  }
  return cues
}

const text = (value: unknown, max: number): string | null =>
  typeof value === 'string' && value.trim().length > 0 && value.trim().length <= max ? value.trim() : null

const fen = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 100000 ? Math.round(value * 100) : null

export async function importCourses(
  db: Kysely<Database>,
  storage: MediaStorage,
  folder: string,
  now: number,
): Promise<CourseImportReport> {
  const report: CourseImportReport = { imported: [], problems: [] }
  if (!fs.existsSync(folder)) return report
  // In the order of their `sort`, so a new database numbers them the same way every time.
  const slugs = fs
    .readdirSync(folder)
    .filter((slug) => fs.statSync(path.join(folder, slug)).isDirectory())
    .map((slug) => ({ slug, sort: sortOf(path.join(folder, slug, 'course.yaml')) }))
    .sort((a, b) => a.sort - b.sort || a.slug.localeCompare(b.slug))
  for (const { slug } of slugs) await importInto(report, db, storage, path.join(folder, slug), slug, now)
  return report
}

/**
 * What `npm run admin -- course import` takes: one course folder (it holds course.yaml, and its
 * name is the slug) or a folder of course folders (as importCourses). A missing folder is a problem.
 */
export async function importCourseFolder(
  db: Kysely<Database>,
  storage: MediaStorage,
  folder: string,
  now: number,
): Promise<CourseImportReport> {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory())
    return { imported: [], problems: [`${folder}: no such folder`] }
  if (!fs.existsSync(path.join(folder, 'course.yaml'))) return importCourses(db, storage, folder, now)
  const report: CourseImportReport = { imported: [], problems: [] }
  await importInto(report, db, storage, folder, path.basename(path.resolve(folder)), now)
  return report
}

async function importInto(
  report: CourseImportReport,
  db: Kysely<Database>,
  storage: MediaStorage,
  dir: string,
  slug: string,
  now: number,
) {
  try {
    await importCourse(db, storage, dir, slug, now)
    report.imported.push(slug)
  } catch (error) {
    report.problems.push(`${dir}: ${(error as Error).message}`)
  }
}

async function importCourse(db: Kysely<Database>, storage: MediaStorage, dir: string, slug: string, now: number) {
  if (!SLUG.test(slug)) throw new Error('the folder name is the slug: lowercase letters, digits and -')
  const file = path.join(dir, 'course.yaml')
  if (!fs.existsSync(file)) throw new Error('no course.yaml')
  const meta = parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
  const title = text(meta.title, 100)
  if (!title) throw new Error('title: 1-100 characters')
  const access = meta.access === 'sale' ? 'sale' : meta.access === 'vip' ? 'vip' : null
  if (!access) throw new Error('access: vip or sale')
  const price = access === 'sale' ? fen(meta.price) : null
  if (access === 'sale' && price === null) throw new Error('price: yuan, above 0, for a course sold alone')
  const original = access === 'sale' && meta.original_price !== undefined ? fen(meta.original_price) : null
  if (original !== null && price !== null && original <= price)
    throw new Error('original_price: above the price, or left out')
  const lessons = Array.isArray(meta.lessons) ? (meta.lessons as LessonFile[]) : []
  if (lessons.length === 0 || lessons.length > 200) throw new Error('lessons: 1-200')

  const prepared = lessons.map((lesson, index) => {
    const position = index + 1
    const lessonTitle = text(lesson.title, 100)
    if (!lessonTitle) throw new Error(`lesson ${position}: title, 1-100 characters`)
    const video = path.join(dir, `lesson-${position}.mp4`)
    if (!fs.existsSync(video)) throw new Error(`lesson ${position}: no lesson-${position}.mp4`)
    const data = fs.readFileSync(video)
    const duration = mp4DurationSeconds(data)
    if (duration === null) throw new Error(`lesson-${position}.mp4: not an MP4 with a movie header`)
    const extra = (extension: string) => {
      const found = path.join(dir, `lesson-${position}.${extension}`)
      return fs.existsSync(found) ? fs.readFileSync(found) : null
    }
    const vtt = extra('vtt')
    let cues: Cue[] | null = null
    try {
      cues = vtt ? parseVtt(vtt.toString('utf8')) : null
    } catch (error) {
      throw new Error(`lesson-${position}.vtt: ${(error as Error).message}`)
    }
    return {
      position,
      title: lessonTitle,
      outline: text(lesson.outline, 1000) ?? '',
      preview: lesson.preview === true ? 1 : 0,
      duration,
      cues,
      files: { mp4: data, jpg: extra('jpg'), vtt },
    }
  })

  const name = (suffix: string) => `course-${slug}-${suffix}`
  const coverFile = path.join(dir, 'cover.jpg')
  const cover = fs.existsSync(coverFile) ? name('cover.jpg') : null
  if (cover) await storage.put(cover, fs.readFileSync(coverFile))
  for (const lesson of prepared)
    for (const [extension, data] of Object.entries(lesson.files))
      if (data) await storage.put(name(`lesson-${lesson.position}.${extension}`), data)

  await db.transaction().execute(async (trx) => {
    const fields = {
      title,
      subtitle: text(meta.subtitle, 200) ?? '',
      teacher: text(meta.teacher, 50) ?? '',
      description: text(meta.description, 5000) ?? '',
      cover: cover ? coverPath(cover) : null,
      access,
      price_fen: price,
      original_price_fen: original,
      sort_order: typeof meta.sort === 'number' ? Math.trunc(meta.sort) : 0,
      updated_at: now,
    } as const
    const existing = await trx.selectFrom('courses').select('id').where('slug', '=', slug).executeTakeFirst()
    const courseId = existing
      ? (await trx.updateTable('courses').set(fields).where('id', '=', existing.id).execute(), existing.id)
      : (
          await trx
            .insertInto('courses')
            .values({ ...fields, slug, on_shelf: 1, created_at: now })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id
    for (const lesson of prepared) {
      const values = {
        title: lesson.title,
        outline: lesson.outline,
        duration_seconds: lesson.duration,
        preview: lesson.preview,
        video: name(`lesson-${lesson.position}.mp4`),
        poster: lesson.files.jpg ? name(`lesson-${lesson.position}.jpg`) : null,
        subtitles: lesson.files.vtt ? name(`lesson-${lesson.position}.vtt`) : null,
        cues: lesson.cues ? JSON.stringify(lesson.cues) : null,
      }
      const found = await trx
        .selectFrom('course_lessons')
        .select('id')
        .where('course_id', '=', courseId)
        .where('position', '=', lesson.position)
        .executeTakeFirst()
      if (found) await trx.updateTable('course_lessons').set(values).where('id', '=', found.id).execute()
      else
        await trx
          .insertInto('course_lessons')
          .values({ ...values, course_id: courseId, position: lesson.position })
          .execute()
    }
  })
}
