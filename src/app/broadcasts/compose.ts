import type { Actor } from '../../domain/access.ts'
import {
  approvalReason,
  type BroadcastContent,
  type BroadcastTargets,
  composeText,
  contentProblems,
  isUrgentCategory,
  targetsEmpty,
  utf8Bytes,
} from '../../domain/broadcast.ts'
import { type BroadcastCategory, categoryName } from '../../domain/broadcast-categories.ts'
import { estimateSeconds, inQuietHours, localDay } from '../../domain/broadcast-pace.ts'
import { AppError } from '../../errors.ts'
import type { DirectorySnapshot } from '../ports.ts'
import type { BroadcastDeps } from './deps.ts'
import { broadcastEvent } from './live.ts'
import type { BroadcastAccount, BroadcastRecord, RecipientCounts } from './ports.ts'
import { type BroadcastView, broadcastView, type PreviewView } from './views.ts'

/** A notice as the author writes it. */
export interface BroadcastDraft {
  title: string
  text: { zh: string; en?: string | null }
  imageUrl?: string | null
  /** An uploaded picture of the station (POST /api/attachments), sent as a picture with the text. */
  imageId?: string | null
  linkUrl?: string | null
  category: BroadcastCategory
  targets: Partial<BroadcastTargets>
  /** ISO 8601 with an offset; absent: as soon as it may go. */
  sendAt?: string | null
}

/** A preview needs only whom and what kind; the text, when given, is measured. */
export type PreviewDraft = Pick<BroadcastDraft, 'category' | 'targets'> &
  Partial<Pick<BroadcastDraft, 'title' | 'text' | 'imageUrl' | 'imageId' | 'linkUrl' | 'sendAt'>>

const invalid = (message: string): AppError => new AppError('INVALID_INPUT', message)

const unique = <T>(values: readonly T[] | undefined): T[] => [...new Set(values ?? [])]

function normalizeTargets(t: Partial<BroadcastTargets>): BroadcastTargets {
  const groups = new Map<string, { accountId: string; name: string }>()
  for (const g of t.groups ?? [])
    groups.set(`${g.accountId}\n${g.name.trim()}`, { ...g, name: g.name.trim() })
  return {
    station: t.station ?? false,
    beatIds: unique(t.beatIds),
    compoundIds: unique(t.compoundIds),
    tags: unique((t.tags ?? []).map((tag) => tag.trim()).filter(Boolean)),
    groups: [...groups.values()],
  }
}

/** Ids of another station (or of nothing) are named back, as any other bad input. */
function checkTargets(
  dir: DirectorySnapshot,
  stationId: string,
  targets: BroadcastTargets,
  accounts: BroadcastAccount[],
): void {
  if (targetsEmpty(targets))
    throw invalid('targets: choose the whole station, or beats, compounds, resident tags or WeChat groups')
  const problems: string[] = []
  const badBeats = targets.beatIds.filter((id) => dir.beats.get(id)?.stationId !== stationId)
  if (badBeats.length) problems.push(`targets.beatIds: no beat ${badBeats.join(', ')} in your station`)
  const badCompounds = targets.compoundIds.filter((id) => {
    const compound = dir.compounds.get(id)
    return !compound || dir.beats.get(compound.beatId)?.stationId !== stationId
  })
  if (badCompounds.length)
    problems.push(`targets.compoundIds: no compound ${badCompounds.join(', ')} in your station`)
  const badGroups = targets.groups.filter(
    (g) => !accounts.find((a) => a.id === g.accountId)?.groups.includes(g.name),
  )
  if (badGroups.length) {
    problems.push(
      `targets.groups: ${badGroups.map((g) => `"${g.name}" of ${g.accountId}`).join(', ')} ` +
        'is not a group your station’s accounts serve',
    )
  }
  if (problems.length) throw invalid(problems.join('; '))
}

function parseSendAt(sendAt: string | null | undefined, now: Date): Date | null {
  if (!sendAt) return null
  const at = new Date(sendAt)
  if (Number.isNaN(at.getTime())) throw invalid('sendAt: expected an ISO 8601 time with an offset')
  if (at.getTime() < now.getTime()) {
    throw invalid(
      `sendAt: ${at.toISOString()} is in the past (it is now ${now.toISOString()}); leave sendAt out to send at once`,
    )
  }
  if (at.getTime() - now.getTime() > 366 * 86_400_000) throw invalid('sendAt: at most a year ahead')
  return at
}

function contentOf(draft: BroadcastDraft): BroadcastContent {
  const en = draft.text.en
  return {
    title: draft.title.trim(),
    textZh: draft.text.zh.trim(),
    textEn: en === undefined || en === null ? null : en.trim(),
    imageUrl: draft.imageUrl || null,
    linkUrl: draft.linkUrl || null,
    category: draft.category,
  }
}

/** Why reachable recipients are none, in words: nobody matched, or those matched cannot get it. */
function nobodyMessage(counts: RecipientCounts, category: BroadcastCategory): string {
  const matched = counts.optedOut + counts.noContact
  if (matched === 0) return 'targets: they match no resident and no group'
  const parts: string[] = []
  if (counts.optedOut) parts.push(`${counts.optedOut} turned ${categoryName(category, 'en')} off`)
  if (counts.noContact) parts.push(`${counts.noContact} are no contact of your station’s WeChat accounts`)
  return `targets: none of the ${matched} residents they match can get it (${parts.join(', ')})`
}

export function createComposer(deps: BroadcastDeps) {
  const { store, settings } = deps

  /** Whom a draft reaches, through which accounts, and how long that takes at their paces. */
  async function reach(actor: Actor, draft: PreviewDraft) {
    const dir = await deps.directory.get()
    const station = dir.stations.get(actor.stationId)
    if (!station) throw new AppError('NOT_FOUND', `station ${actor.stationId} does not exist`)
    const now = deps.clock.now()
    const sendAt = parseSendAt(draft.sendAt, now)
    const accounts = await store.accounts(actor.stationId)
    const targets = normalizeTargets(draft.targets)
    checkTargets(dir, actor.stationId, targets, accounts)
    const counts = await store.countRecipients(actor.stationId, targets, draft.category)
    const start = sendAt ?? now
    // Sends of today count against the cap only when it starts today.
    const sentToday =
      localDay(start, station.timeZone) === localDay(now, station.timeZone)
        ? await deps.counter.sentToday(accounts, now)
        : new Map<string, number>()
    const quiet = isUrgentCategory(draft.category) ? null : settings.quietHours
    const perAccount = counts.byAccount.map((c) => {
      const account = accounts.find((a) => a.id === c.accountId)
      const load = {
        sends: c.residents + c.groups,
        ratePerMinute: account?.ratePerMinute ?? 60,
        dailyCap: account?.dailyCap ?? 500,
        sentToday: sentToday.get(c.accountId) ?? 0,
      }
      return {
        id: c.accountId,
        residents: c.residents,
        groups: c.groups,
        ratePerMinute: load.ratePerMinute,
        dailyCap: load.dailyCap,
        sentToday: load.sentToday,
        estimatedSeconds: estimateSeconds([load], { now: start, timeZone: station.timeZone, quiet }),
      }
    })
    const residents = perAccount.reduce((n, a) => n + a.residents, 0)
    const groups = perAccount.reduce((n, a) => n + a.groups, 0)
    return {
      dir,
      station,
      now,
      sendAt,
      targets,
      counts,
      residents,
      groups,
      perAccount,
      quietNow: quiet !== null && inQuietHours(start, station.timeZone, quiet),
      reason: approvalReason(targets, residents + groups, settings.approvalThreshold),
    }
  }

  const bytesOf = (draft: PreviewDraft): PreviewView['bytes'] => {
    if (!draft.title || !draft.text?.zh) return { zh: null, en: null, max: settings.maxTextBytes }
    const content = contentOf(draft as BroadcastDraft)
    return {
      zh: utf8Bytes(composeText(content, 'zh')),
      en: content.textEn === null ? null : utf8Bytes(composeText(content, 'en')),
      max: settings.maxTextBytes,
    }
  }

  /** The draft's picture, checked to be one of the station's uploads. */
  async function pictureOf(actor: Actor, draft: PreviewDraft) {
    if (!draft.imageId) return null
    if (!deps.pictures) throw invalid('imageId: pictures cannot be sent from here')
    const found = await deps.pictures.pictureOf(actor.stationId, draft.imageId, 'imageId')
    return { id: found.id, mime: found.mime, size: found.size }
  }

  async function preview(actor: Actor, draft: PreviewDraft): Promise<PreviewView> {
    const image = await pictureOf(actor, draft)
    const r = await reach(actor, draft)
    return {
      residents: r.residents,
      groups: r.groups,
      optedOut: r.counts.optedOut,
      noContact: r.counts.noContact,
      accounts: r.perAccount,
      estimatedSeconds: Math.max(0, ...r.perAccount.map((a) => a.estimatedSeconds)),
      approval: { required: r.reason !== null, reason: r.reason, threshold: settings.approvalThreshold },
      urgent: isUrgentCategory(draft.category),
      quietHoursNow: r.quietNow,
      bytes: bytesOf(draft),
      image,
    }
  }

  /**
   * Stores a new broadcast: waiting for a supervisor when it is station-wide
   * or over the threshold, else scheduled (and planned at once when it has no
   * later time).
   */
  async function create(actor: Actor, draft: BroadcastDraft): Promise<BroadcastView> {
    const content = contentOf(draft)
    const problems = contentProblems(content, settings.maxTextBytes)
    if (problems.length) throw invalid(problems.join('; '))
    const image = await pictureOf(actor, draft)
    const r = await reach(actor, draft)
    if (r.residents + r.groups === 0) throw invalid(nobodyMessage(r.counts, draft.category))
    const record: BroadcastRecord = {
      ...content,
      id: deps.newId(),
      imageId: image?.id ?? null,
      stationId: actor.stationId,
      authorId: actor.id,
      targets: r.targets,
      sendAt: r.sendAt,
      state: r.reason ? 'pending_approval' : 'scheduled',
      approvalReason: r.reason,
      decidedBy: null,
      decidedAt: null,
      decisionNote: null,
      estimatedResidents: r.residents,
      estimatedGroups: r.groups,
      plannedAt: null,
      startedAt: null,
      pausedAt: null,
      pausedBy: null,
      finishedAt: null,
      cancelledBy: null,
      progress: null,
      createdAt: r.now,
      updatedAt: r.now,
    }
    await store.insert(record, {
      stationId: actor.stationId,
      actor: actor.id,
      action: 'broadcast.created',
      subjectType: 'broadcast',
      subjectId: record.id,
      detail: {
        category: record.category,
        residents: r.residents,
        groups: r.groups,
        approval: r.reason,
        sendAt: r.sendAt?.toISOString() ?? null,
        image: record.imageId,
      },
    })
    await deps.publish(broadcastEvent('state', record))
    if (record.state === 'scheduled' && !record.sendAt) await deps.queue.plan(record.id)
    return broadcastView(record, r.dir)
  }

  return { preview, create }
}

export type Composer = ReturnType<typeof createComposer>
