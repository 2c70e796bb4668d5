import type { ApprovalReason, BroadcastState, SkipReason } from '../../domain/broadcast.ts'
import { isUrgentCategory } from '../../domain/broadcast.ts'
import { type BroadcastCategory, categoryName } from '../../domain/broadcast-categories.ts'
import type { DirectorySnapshot } from '../ports.ts'
import type { BroadcastProgress, BroadcastRecord, DeliveryCounts } from './ports.ts'

type Ref = { id: string; name: string }

/** A broadcast as the inbox shows it (docs/inbox-api.md, Broadcasts). */
export interface BroadcastView {
  id: string
  title: string
  text: { zh: string; en: string | null }
  imageUrl: string | null
  /** The uploaded picture sent with the text: GET /api/attachments/:id. */
  imageId: string | null
  linkUrl: string | null
  category: BroadcastCategory
  categoryName: { zh: string; en: string }
  /** Urgent categories (weather, public_appeal) also go out in quiet hours. */
  urgent: boolean
  targets: {
    station: boolean
    beats: Array<{ id: string; code: string; name: string }>
    compounds: Array<{ id: string; name: string }>
    tags: string[]
    groups: Array<{ accountId: string; name: string }>
  }
  sendAt: string | null
  state: BroadcastState
  author: Ref
  approval: {
    required: boolean
    reason: ApprovalReason | null
    decision: 'approved' | 'rejected' | null
    by: Ref | null
    at: string | null
    note: string | null
  }
  estimate: { residents: number; groups: number }
  progress: (Omit<BroadcastProgress, 'sending'> & { pending: number }) | null
  createdAt: string
  startedAt: string | null
  pausedAt: string | null
  pausedBy: Ref | null
  finishedAt: string | null
  cancelledBy: Ref | null
}

/** The detail adds the deliveries per account. */
export interface BroadcastDetailView extends BroadcastView {
  accounts: Array<{ id: string; counts: ReturnType<typeof publicCounts>; paused: string | null }>
}

export interface PreviewView {
  residents: number
  groups: number
  /** Matched residents who turned this category off: they get nothing. */
  optedOut: number
  /** Matched residents no account of the station holds as a contact. */
  noContact: number
  accounts: Array<{
    id: string
    residents: number
    groups: number
    ratePerMinute: number
    dailyCap: number
    sentToday: number
    estimatedSeconds: number
  }>
  estimatedSeconds: number
  approval: { required: boolean; reason: ApprovalReason | null; threshold: number }
  urgent: boolean
  /** Whether the quiet hours hold non-urgent notices back when it would start. */
  quietHoursNow: boolean
  /** Bytes of the whole message in each language (title, text, link), and the most one send takes. */
  bytes: { zh: number | null; en: number | null; max: number }
  /** The picture that goes with it (sent before the text, in the same send), once checked. */
  image: { id: string; mime: string; size: number } | null
}

export interface ReportView {
  broadcast: BroadcastView
  counts: ReturnType<typeof publicCounts>
  skipped: Record<SkipReason, number>
  accounts: BroadcastDetailView['accounts']
  failures: Array<{
    deliveryId: string
    state: 'failed' | 'unconfirmed'
    accountId: string | null
    resident: { id: string; code: string; name: string | null } | null
    group: string | null
    reason: string | null
    attempts: number
    at: string | null
  }>
  failuresTotal: number
}

/** Deliveries being sent at this moment count as pending for anyone outside the worker. */
export function publicCounts(c: DeliveryCounts) {
  return {
    planned: c.planned,
    sent: c.sent,
    failed: c.failed,
    skipped: c.skipped,
    pending: c.pending + c.sending,
    unconfirmed: c.unconfirmed,
    cancelled: c.cancelled,
  }
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null)

export function broadcastView(r: BroadcastRecord, dir: DirectorySnapshot): BroadcastView {
  const officer = (id: string | null): Ref | null => {
    if (!id) return null
    return { id, name: dir.officers.get(id)?.name ?? id }
  }
  // A rejected broadcast stays rejected; any other decided one was approved.
  const decision = r.decidedAt === null ? null : r.state === 'rejected' ? 'rejected' : 'approved'
  const { sending = 0, ...progress } = r.progress ?? ({} as Partial<BroadcastProgress>)
  return {
    id: r.id,
    title: r.title,
    text: { zh: r.textZh, en: r.textEn },
    imageUrl: r.imageUrl,
    imageId: r.imageId,
    linkUrl: r.linkUrl,
    category: r.category,
    categoryName: { zh: categoryName(r.category, 'zh'), en: categoryName(r.category, 'en') },
    urgent: isUrgentCategory(r.category),
    targets: {
      station: r.targets.station,
      beats: r.targets.beatIds.map((id) => {
        const beat = dir.beats.get(id)
        return { id, code: beat?.code ?? id, name: beat?.name ?? id }
      }),
      compounds: r.targets.compoundIds.map((id) => ({ id, name: dir.compounds.get(id)?.name ?? id })),
      tags: r.targets.tags,
      groups: r.targets.groups,
    },
    sendAt: iso(r.sendAt),
    state: r.state,
    author: officer(r.authorId) as Ref,
    approval: {
      required: r.approvalReason !== null,
      reason: r.approvalReason,
      decision,
      by: officer(r.decidedBy),
      at: iso(r.decidedAt),
      note: r.decisionNote,
    },
    estimate: { residents: r.estimatedResidents, groups: r.estimatedGroups },
    progress: r.progress
      ? ({ ...progress, pending: (progress.pending ?? 0) + sending } as NonNullable<
          BroadcastView['progress']
        >)
      : null,
    createdAt: r.createdAt.toISOString(),
    startedAt: iso(r.startedAt),
    pausedAt: iso(r.pausedAt),
    pausedBy: officer(r.pausedBy),
    finishedAt: iso(r.finishedAt),
    cancelledBy: officer(r.cancelledBy),
  }
}
