import crypto from 'node:crypto'
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas'
import type { IssueAccess } from '../db/schema'
import { CJK_FONT } from '../infra/fonts'
import { freeLength, gatedIssue, hasVipPart, summarize } from './gating'
import type { BodyNode } from './issue-markdown'
import { shanghaiDate } from '../infra/time'

/** WeChat shows chat share images at 5:4 and Moments (timeline) images at 1:1. */
export const CARD_SIZES = {
  chat: { width: 1000, height: 800 },
  moments: { width: 800, height: 800 },
} as const
export type CardShape = keyof typeof CARD_SIZES
/** Bump when the drawing changes, so ETags change with it. */
const CARD_VERSION = 1
const BRAND = '北辰遴选'
const SUMMARY_MAX = 40

/** What an issue offers the card: its free fields and the body, of which only the free part is read. */
export interface ShareCardIssue {
  title: string
  regionName: string
  number: number
  publishedAt: number
  access: IssueAccess
  paywallAt: number | null
  body: BodyNode[]
}

/** Everything drawn on a card. Made from free fields only, so it is the same for every viewer. */
export interface ShareCardInput {
  brand: string
  /** 【山西·第32期】 */
  label: string
  title: string
  /** YYYY-MM-DD, Asia/Shanghai */
  date: string
  vip: boolean
  /** A line from the free part; empty when the whole issue is VIP */
  summary: string
}

/** The card's content: never reads the body past freeLength, so no VIP sentence can reach it. */
export function shareCardInput(issue: ShareCardIssue): ShareCardInput {
  const gated = gatedIssue(issue.access, issue.body, issue.paywallAt)
  const freeNodes = issue.body.slice(0, freeLength(gated))
  return {
    brand: BRAND,
    label: `【${issue.regionName}·第${issue.number}期】`,
    title: issue.title,
    date: shanghaiDate(issue.publishedAt),
    vip: hasVipPart(gated),
    summary: summarize(freeNodes, SUMMARY_MAX),
  }
}

/** A strong ETag for a card: changes exactly when what is drawn changes. */
export function shareCardEtag(input: ShareCardInput, shape: CardShape = 'chat'): string {
  const digest = crypto
    .createHash('sha256')
    .update(JSON.stringify([CARD_VERSION, shape, input]))
    .digest('base64url')
  return `"card-${digest.slice(0, 22)}"`
}

const FONT_REGULAR = 'BeichenSans'
const FONT_BOLD = 'BeichenSansBold'
let fontsRegistered = false

function registerFonts(): void {
  if (fontsRegistered) return
  if (!GlobalFonts.registerFromPath(CJK_FONT.regular, FONT_REGULAR)) throw new Error('cannot load the CJK font')
  if (!GlobalFonts.registerFromPath(CJK_FONT.bold, FONT_BOLD)) throw new Error('cannot load the bold CJK font')
  fontsRegistered = true
}

/** Breaks text into at most `maxLines` lines of `width`; the last one ends with an ellipsis when text is left. */
export function wrapText(measure: (text: string) => number, text: string, width: number, maxLines: number): string[] {
  const lines: string[] = []
  let line = ''
  const characters = Array.from(text)
  for (let i = 0; i < characters.length; i += 1) {
    const next = line + characters[i]
    if (measure(next) <= width || line === '') {
      line = next
      continue
    }
    if (lines.length === maxLines - 1) {
      let last = line
      while (last && measure(`${last}…`) > width) last = Array.from(last).slice(0, -1).join('')
      lines.push(`${last}…`)
      return lines
    }
    lines.push(line)
    line = characters[i]
  }
  if (line) lines.push(line)
  return lines
}

function roundedRect(ctx: SKRSContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath()
  ctx.moveTo(x + r, y)
  ctx.arcTo(x + w, y, x + w, y + h, r)
  ctx.arcTo(x + w, y + h, x, y + h, r)
  ctx.arcTo(x, y + h, x, y, r)
  ctx.arcTo(x, y, x + w, y, r)
  ctx.closePath()
}

/** Draws a card as a PNG of the shape's size (CARD_SIZES). */
export async function renderShareCard(input: ShareCardInput, shape: CardShape = 'chat'): Promise<Buffer> {
  registerFonts()
  const { width, height } = CARD_SIZES[shape]
  const canvas = createCanvas(width, height)
  const ctx = canvas.getContext('2d')
  const margin = 72

  const background = ctx.createLinearGradient(0, 0, 0, height)
  background.addColorStop(0, '#9f1d20')
  background.addColorStop(1, '#6e1014')
  ctx.fillStyle = background
  ctx.fillRect(0, 0, width, height)

  ctx.fillStyle = '#fffaf3'
  roundedRect(ctx, 40, 120, width - 80, height - 180, 24)
  ctx.fill()

  ctx.textBaseline = 'middle'
  ctx.fillStyle = '#ffffff'
  ctx.font = `44px ${FONT_BOLD}`
  ctx.fillText(input.brand, margin, 64)
  const brandWidth = ctx.measureText(input.brand).width
  ctx.font = `30px ${FONT_REGULAR}`
  ctx.fillStyle = '#f5d9b8'
  ctx.fillText('· 热点精讲', margin + brandWidth + 20, 66)

  if (input.vip) {
    ctx.font = `30px ${FONT_BOLD}`
    const badgeWidth = ctx.measureText('VIP').width + 40
    ctx.fillStyle = '#e8b04a'
    roundedRect(ctx, width - margin - badgeWidth, 42, badgeWidth, 46, 23)
    ctx.fill()
    ctx.fillStyle = '#5a2a00'
    ctx.fillText('VIP', width - margin - badgeWidth + 20, 66)
  }

  ctx.textBaseline = 'alphabetic'
  let y = 210
  ctx.fillStyle = '#b3261e'
  ctx.font = `40px ${FONT_BOLD}`
  ctx.fillText(input.label, margin, y)

  y += 90
  ctx.fillStyle = '#1f1f1f'
  ctx.font = `60px ${FONT_BOLD}`
  const textWidth = width - 2 * margin
  for (const line of wrapText((text) => ctx.measureText(text).width, input.title, textWidth, 3)) {
    ctx.fillText(line, margin, y)
    y += 82
  }

  if (input.summary) {
    y += 10
    ctx.fillStyle = '#5f5f5f'
    ctx.font = `30px ${FONT_REGULAR}`
    for (const line of wrapText((text) => ctx.measureText(text).width, input.summary, textWidth, 2)) {
      ctx.fillText(line, margin, y)
      y += 46
    }
  }

  ctx.fillStyle = '#8a8a8a'
  ctx.font = `28px ${FONT_REGULAR}`
  ctx.fillText(input.date, margin, height - 100)
  ctx.fillStyle = '#b3261e'
  const cta = '点击阅读全文 ›'
  ctx.fillText(cta, width - margin - ctx.measureText(cta).width, height - 100)

  return canvas.encode('png')
}
