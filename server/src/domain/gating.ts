import type { IssueAccess } from '../db/schema'
import type { BlockDto, SectionDto } from '../schemas/content'
import type { BodyNode } from './issue-markdown'

/**
 * The paywall, after Ghost's content-gating: one pure function
 * decides access, one function cuts the body for the viewer. Nothing else in
 * the server decides what text a viewer may read.
 */

export interface GatedIssue {
  access: IssueAccess
  /** Number of nodes in the body */
  bodyLength: number
  /** Where the VIP part starts; null when the issue has no marker */
  paywallAt: number | null
}

export interface Viewer {
  userId: number
  /** Membership expiry in epoch ms; null when the viewer never had one */
  membershipExpiresAt: number | null
}

export type AccessDecision =
  | { granted: true; reason: 'free' | 'member' }
  | { granted: false; reason: 'login_required' | 'membership_required' | 'membership_expired' }

/** What the paywall needs to know of an issue with this body. */
export function gatedIssue(access: IssueAccess, body: BodyNode[], paywallAt: number | null): GatedIssue {
  return { access, bodyLength: body.length, paywallAt }
}

/** A stored issue row as the paywall reads it */
export interface StoredIssue {
  access: IssueAccess
  body_json: string
  paywall_at: number | null
}

export interface Cut {
  body: BodyNode[]
  gated: GatedIssue
  decision: AccessDecision
  /** The sections this viewer may read */
  sections: SectionDto[]
}

/** A stored issue cut for a viewer: the one way from a row to the sections the viewer may read. */
export function cutIssue(row: StoredIssue, viewer: Viewer | null, now: number): Cut {
  const body = JSON.parse(row.body_json) as BodyNode[]
  const gated = gatedIssue(row.access, body, row.paywall_at)
  const decision = decideAccess(gated, viewer, now)
  return { body, gated, decision, sections: visibleSections(body, gated, decision) }
}

/** Where the free part ends: the marker, the start (VIP without marker) or the end (free, or marker last). */
export function freeLength(issue: GatedIssue): number {
  if (issue.access === 'free') return issue.bodyLength
  if (issue.paywallAt === null) return 0
  return Math.min(Math.max(issue.paywallAt, 0), issue.bodyLength)
}

/** True when some of the issue is for members only. */
export function hasVipPart(issue: GatedIssue): boolean {
  return freeLength(issue) < issue.bodyLength
}

export function decideAccess(issue: GatedIssue, viewer: Viewer | null, now: number): AccessDecision {
  if (!hasVipPart(issue)) return { granted: true, reason: 'free' }
  if (!viewer) return { granted: false, reason: 'login_required' }
  if (viewer.membershipExpiresAt === null) return { granted: false, reason: 'membership_required' }
  if (viewer.membershipExpiresAt <= now) return { granted: false, reason: 'membership_expired' }
  return { granted: true, reason: 'member' }
}

/** The body this decision lets the viewer read, grouped into sections with stable ids. */
export function visibleSections(body: BodyNode[], issue: GatedIssue, decision: AccessDecision): SectionDto[] {
  const visible = decision.granted ? body.length : freeLength(issue)
  return groupSections(body, visible)
}

/** Groups the first `count` nodes into sections; ids count every heading of the whole body so they stay stable. */
export function groupSections(body: BodyNode[], count: number): SectionDto[] {
  const sections: SectionDto[] = []
  let current: SectionDto | null = null
  let headings = 0
  for (const node of body.slice(0, count)) {
    if (node.type === 'heading') {
      headings += 1
      current = { id: `s${headings}`, heading: node.text, blocks: [] }
      sections.push(current)
      continue
    }
    if (!current) {
      current = { id: 's0', heading: '', blocks: [] }
      sections.push(current)
    }
    current.blocks.push(node)
  }
  return sections
}

/** What the paywall holds back, named without its text: section headings and counts only. */
export interface LockedSummary {
  /** Headings of the locked sections; a section the cut falls inside is named "<heading>（续）" */
  sections: string[]
  /** 例题 after the cut */
  questions: number
  /** 参考作答 after the cut */
  answers: number
}

/** The locked part of a body after `from` nodes, described by its headings and counts. */
export function lockedSummary(body: BodyNode[], from: number): LockedSummary {
  const locked = body.slice(from)
  const sections: string[] = []
  // The cut inside a section: the rest of that section is locked, under the heading readers already saw.
  if (locked.length > 0 && locked[0].type !== 'heading') {
    const open = body
      .slice(0, from)
      .reverse()
      .find((node) => node.type === 'heading')
    if (open?.type === 'heading') sections.push(`${open.text}（续）`)
  }
  for (const node of locked) if (node.type === 'heading') sections.push(node.text)
  return {
    sections,
    questions: locked.filter((node) => node.type === 'question').length,
    answers: locked.filter((node) => node.type === 'answer').length,
  }
}

/** Plain text of nodes, in reading order: used for summaries and search, from the free part only. */
export function plainText(nodes: BodyNode[]): string {
  return nodes.map(nodeText).join('\n')
}

function nodeText(node: BodyNode | BlockDto): string {
  switch (node.type) {
    case 'heading':
    case 'paragraph':
    case 'star_heading':
    case 'remark':
      return node.text
    case 'point':
      return node.text
    case 'question':
      return `${node.prompt}${node.requirements}`
    case 'answer':
      return [node.title, ...node.paragraphs].filter(Boolean).join('\n')
  }
}

/** A summary of at most `max` characters taken from paragraphs and points of the free part. */
export function summarize(freeNodes: BodyNode[], max = 90): string {
  const text = freeNodes
    .filter((node) => node.type === 'paragraph' || node.type === 'point' || node.type === 'remark')
    .map(nodeText)
    .join('')
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
