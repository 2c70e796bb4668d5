import { type BroadcastCategory, categoryName } from './broadcast-categories.ts'
import type { Language } from './types.ts'

/**
 * Where a broadcast stands. `pending_approval` → `scheduled` (approved, or
 * needing no approval) → `sending` (planned: its deliveries exist) ⇄ `paused`
 * → `completed`; `rejected` and `cancelled` end it early.
 */
export type BroadcastState =
  | 'pending_approval'
  | 'rejected'
  | 'scheduled'
  | 'sending'
  | 'paused'
  | 'completed'
  | 'cancelled'

/**
 * One recipient's delivery. `sending` is claimed by a worker that is sending
 * it now; `unconfirmed` is a claim whose worker died before it recorded the
 * outcome: it may or may not have reached the resident and is never re-sent
 * on its own (see docs/architecture.md, Broadcasts).
 */
export type DeliveryState =
  | 'pending'
  | 'sending'
  | 'sent'
  | 'failed'
  | 'skipped'
  | 'unconfirmed'
  | 'cancelled'

export type SkipReason = 'opted_out' | 'no_contact'

/** What a broadcast targets; recipients are the union of all of it. */
export interface BroadcastTargets {
  /** Every resident the station's accounts hold as a contact. */
  station: boolean
  beatIds: string[]
  compoundIds: string[]
  /** Residents carrying any of these tags (e.g. elderly living alone, landlord). */
  tags: string[]
  /** WeChat groups the station's accounts serve: one send each, whoever is in them. */
  groups: Array<{ accountId: string; name: string }>
}

export interface BroadcastContent {
  title: string
  textZh: string
  textEn: string | null
  imageUrl: string | null
  linkUrl: string | null
  category: BroadcastCategory
}

/**
 * Categories that may go out in quiet hours: a weather warning or a
 * missing-person appeal loses its point by morning; fraud, fire-safety,
 * traffic and other notices wait until the quiet hours end.
 */
const URGENT: ReadonlySet<BroadcastCategory> = new Set(['weather', 'public_appeal'])

export function isUrgentCategory(category: BroadcastCategory): boolean {
  return URGENT.has(category)
}

export const MAX_TITLE_CHARS = 100

/** What one resident receives, in their language: the English text where there is one, else the Chinese. */
export function composeText(content: BroadcastContent, language: Language): string {
  const english = language === 'en' && content.textEn !== null
  const head = english
    ? `[${capitalize(categoryName(content.category, 'en'))}] ${content.title}`
    : `【${categoryName(content.category, 'zh')}】${content.title}`
  const lines = [head, english ? content.textEn : content.textZh]
  if (content.linkUrl) lines.push(english ? `More: ${content.linkUrl}` : `详情：${content.linkUrl}`)
  // Channels carry text only for now: the picture goes as a link to it.
  if (content.imageUrl) lines.push(english ? `Picture: ${content.imageUrl}` : `图片：${content.imageUrl}`)
  return lines.join('\n')
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

const encoder = new TextEncoder()

export const utf8Bytes = (text: string): number => encoder.encode(text).length

/**
 * What is wrong with a notice's content, as messages naming the field; empty
 * when nothing is. Each language's whole message (title, text, link, picture)
 * must fit one send: splitting a notice in two doubles what it costs an
 * account's pace and can reach a resident half-read.
 */
export function contentProblems(content: BroadcastContent, maxBytes: number): string[] {
  const problems: string[] = []
  if (!content.title.trim()) problems.push('title: must not be empty')
  if (!content.textZh.trim()) problems.push('text.zh: must not be empty')
  if (content.textEn !== null && !content.textEn.trim())
    problems.push('text.en: must not be empty (leave it out instead)')
  if (problems.length) return problems
  const variants: Array<[string, Language]> = [['text.zh', 'zh']]
  if (content.textEn !== null) variants.push(['text.en', 'en'])
  for (const [field, language] of variants) {
    const bytes = utf8Bytes(composeText(content, language))
    if (bytes > maxBytes) {
      problems.push(
        `${field}: the message with its title${content.linkUrl || content.imageUrl ? ', link and picture' : ''} is ` +
          `${bytes} bytes; WeChat takes at most ${maxBytes} bytes in one message (a Chinese character is 3 bytes): ` +
          `shorten it by ${bytes - maxBytes} bytes`,
      )
    }
  }
  return problems
}

export type ApprovalReason = 'station_wide' | 'over_threshold'

/** Why a supervisor must approve the broadcast first, or null when the author may send it. */
export function approvalReason(
  targets: BroadcastTargets,
  recipients: number,
  threshold: number,
): ApprovalReason | null {
  if (targets.station) return 'station_wide'
  if (recipients > threshold) return 'over_threshold'
  return null
}

export function targetsEmpty(targets: BroadcastTargets): boolean {
  return (
    !targets.station &&
    targets.beatIds.length === 0 &&
    targets.compoundIds.length === 0 &&
    targets.tags.length === 0 &&
    targets.groups.length === 0
  )
}

/** The recipient key of a group delivery: unique per broadcast, as a resident's id is. */
export const groupRecipient = (accountId: string, name: string): string => `g/${accountId}/${name}`

export type BroadcastAction = 'approve' | 'reject' | 'pause' | 'resume' | 'cancel' | 'resend'

/** The states each action may start from; anything else is a conflict with the broadcast's state. */
const FROM: Record<BroadcastAction, readonly BroadcastState[]> = {
  approve: ['pending_approval'],
  reject: ['pending_approval'],
  pause: ['sending'],
  resume: ['paused', 'sending'],
  cancel: ['pending_approval', 'scheduled', 'sending', 'paused'],
  resend: ['sending', 'paused', 'completed'],
}

export function allowedFrom(action: BroadcastAction): readonly BroadcastState[] {
  return FROM[action]
}

const STATE_WORDS: Record<BroadcastState, string> = {
  pending_approval: 'waiting for approval',
  rejected: 'rejected',
  scheduled: 'scheduled',
  sending: 'sending',
  paused: 'paused',
  completed: 'completed',
  cancelled: 'cancelled',
}

/** Why an action cannot be taken now, in words for a 409. */
export function conflictMessage(action: BroadcastAction, state: BroadcastState): string {
  return `the broadcast is ${STATE_WORDS[state]}: it cannot be ${
    {
      approve: 'approved',
      reject: 'rejected',
      pause: 'paused',
      resume: 'resumed',
      cancel: 'cancelled',
      resend: 'sent again',
    }[action]
  } now`
}
