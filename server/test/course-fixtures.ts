import fs from 'node:fs'
import path from 'node:path'
import type { App } from '../src/plugins/types'
import type { Db } from '../src/db/database'
import { importCourses } from '../src/domain/course-import'
import { SAMPLE_DIR } from './helpers'

/** The sample courses of content/courses/: 1 申论高分写作课 (VIP, 4 lessons), 2 结构化面试精讲 (sold alone, 3 lessons) */
export const SAMPLE_COURSES_DIR = path.join(SAMPLE_DIR, 'courses')
export const VIP_COURSE_SLUG = 'shenlun-gaofen-xiezuo'
export const SALE_COURSE_SLUG = 'jiegouhua-mianshi'

/** Imports the sample courses into a test app's database and course media storage */
export async function importSampleCourses(t: { app: App; db: Db }): Promise<void> {
  const report = await importCourses(t.db.kysely, t.app.services.courseMedia, SAMPLE_COURSES_DIR, Date.now())
  if (report.problems.length > 0) throw new Error(report.problems.join('\n'))
}

/** The bytes of a sample course's file, as committed */
export function sampleCourseFile(slug: string, file: string): Buffer {
  return fs.readFileSync(path.join(SAMPLE_COURSES_DIR, slug, file))
}

/** The sample courses' lesson ids by course slug, in lesson order */
export async function lessonIds(db: Db, slug: string): Promise<number[]> {
  const rows = await db.kysely
    .selectFrom('course_lessons')
    .innerJoin('courses', 'courses.id', 'course_lessons.course_id')
    .select('course_lessons.id')
    .where('courses.slug', '=', slug)
    .orderBy('course_lessons.position')
    .execute()
  return rows.map((row) => row.id)
}

export async function courseId(db: Db, slug: string): Promise<number> {
  return (await db.kysely.selectFrom('courses').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id
}
