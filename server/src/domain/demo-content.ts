import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { ensureTaxonomy, upsertIssue } from './content-store'
import { parseIssueMarkdown } from './issue-markdown'
import { REGIONS } from './taxonomy'

const TOPICS = [
  '数字经济赋能高质量发展',
  '乡村振兴与共同富裕',
  '生态文明建设新实践',
  '营商环境优化提升',
  '基层治理现代化',
  '科技创新驱动发展',
  '区域协调发展战略',
  '民生保障与公共服务',
  '文化强省建设',
  '新型城镇化推进',
]

const PROVINCES = REGIONS.filter((region) => region.code !== 'zhongyang')
const WEEK_MS = 7 * 86400000

/** The Markdown of one synthetic issue, marked 示例 in its title; the same inputs give the same text. */
export function demoIssueMarkdown(regionCode: string, regionName: string, number: number, date: string): string {
  const topic = TOPICS[number % TOPICS.length]
  return `---
slug: demo-${regionCode}-${number}
column: linxuan/shengshi/redian
region: ${regionCode}
number: ${number}
title: 示例·${topic}
date: ${date}
author: 北辰遴选·示例老师
access: ${number % 5 === 0 ? 'free' : 'vip'}
topic: ${topic}
---

## 一、背景链接

${regionName}第${number}期示例：近期，${regionName}围绕${topic}出台系列举措，推动各项工作取得新进展。

## 二、深度解读

★${topic}的重要意义

推进${topic}，是贯彻新发展理念、构建新发展格局的必然要求，是${regionName}实现高质量发展的关键一环。

一是加强统筹谋划。坚持系统观念，完善政策体系，形成工作合力。

二是突出重点任务。聚焦关键环节，补齐短板弱项，提升发展质效。
${number % 5 === 0 ? '' : '\n<!-- vip -->\n'}
## 三、实战应用

例题1：请结合给定材料，概括${regionName}推进${topic}的主要做法。要求：准确全面，条理清晰，300字左右。

【参考作答】

示例参考作答第${number}期：一是完善顶层设计，二是强化要素保障，三是优化服务供给，四是健全考核机制。(298字)
`
}

/**
 * Generates `count` synthetic issues spread over the provinces, numbered after each
 * province's last issue and dated a week apart, and upserts them in batches.
 */
export async function generateDemoIssues(
  db: Kysely<Database>,
  count: number,
  options: { now?: number; progress?: (done: number) => void } = {},
): Promise<number> {
  const now = options.now ?? Date.now()
  await ensureTaxonomy(db)
  const maxRows = await db
    .selectFrom('issues')
    .innerJoin('regions', 'regions.id', 'issues.region_id')
    .select(['regions.code', (eb) => eb.fn.max('issues.number').as('max_number')])
    .groupBy('regions.code')
    .execute()
  const nextNumber = new Map(maxRows.map((row) => [row.code, Number(row.max_number) + 1]))
  const perRegion = Math.ceil(count / PROVINCES.length)
  const newest = now - WEEK_MS

  let made = 0
  const batchSize = 500
  while (made < count) {
    const size = Math.min(batchSize, count - made)
    await db.transaction().execute(async (trx) => {
      for (let k = 0; k < size; k++) {
        const index = made + k
        const region = PROVINCES[index % PROVINCES.length]
        const number = (nextNumber.get(region.code) ?? 1) + Math.floor(index / PROVINCES.length)
        const weeksAgo = perRegion - Math.floor(index / PROVINCES.length)
        const date = new Date(newest - weeksAgo * WEEK_MS + 8 * 3600000).toISOString().slice(0, 10)
        const parsed = parseIssueMarkdown(demoIssueMarkdown(region.code, region.name, number, date))
        if (!parsed.ok) throw new Error(`demo issue is invalid: ${JSON.stringify(parsed.problems)}`)
        await upsertIssue(trx, parsed.issue, now)
      }
    })
    made += size
    options.progress?.(made)
  }
  return made
}
