import type { ComponentChildren } from 'preact'
import { useLayoutEffect, useRef } from 'preact/hooks'
import { DueChip, EscalatedBadge, PriorityBadge, StatusBadge } from './badges.tsx'
import { Composer, type Draft } from './composer.tsx'
import { formatClock, formatDay } from './format.ts'
import { HomeWatchPanel } from './home-watch-panel.tsx'
import { useLang, useT } from './hooks.ts'
import { tKey } from './i18n.ts'
import { CATEGORIES } from './list-filters.tsx'
import { MediationPanel } from './mediation-panel.tsx'
import { MessageItem } from './message-item.tsx'
import { PermitPanel } from './permit-panel.tsx'
import { RentalPanel } from './rental-panel.tsx'
import type { CannedReply, CaseCategory, CaseDetail, CasePriority, Me, Message } from './types.ts'

const PRIORITIES: CasePriority[] = ['emergency', 'urgent', 'normal', 'low']

export type StatusChange = 'in_progress' | 'awaiting_resident' | 'resolved'

interface ConversationProps {
  detail: CaseDetail
  me: Me
  now: number
  canned: CannedReply[]
  replyRef: { current: HTMLTextAreaElement | null }
  draft: Draft
  busy: boolean
  onDraft: (draft: Draft) => void
  onSend: (text: string, note: boolean) => Promise<boolean>
  onAssign: () => void
  onStatus: (status: StatusChange) => void
  onReopen: () => void
  onUpdate: (change: { category?: CaseCategory; priority?: CasePriority }) => void
  onRetry: (messageId: string) => void
  onBack: () => void
  onShowResident: () => void
  /** A notice about this case (saved, conflict, error), shown over the top of the thread. */
  notice?: ComponentChildren
  /** Still showing while the next case loads: not to be worked on, nor found by tests as the open case. */
  stale?: boolean
}

function dayKey(iso: string): string {
  const d = new Date(iso)
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`
}

/** The open case: what it is, what can be done with it, the conversation and the reply box. */
export function Conversation(props: ConversationProps) {
  const tr = useT()
  const lang = useLang()
  const { detail, me, now } = props
  const c = detail.case
  const resident = detail.resident
  const residentName = resident.name ?? tr('noResidentName')
  const closed = c.status === 'resolved' || c.status === 'closed'
  const scrollRef = useRef<HTMLDivElement>(null)
  const lastCount = useRef({ caseId: '', count: 0 })

  useLayoutEffect(() => {
    const box = scrollRef.current
    if (!box) return
    const seen = lastCount.current
    const fresh = seen.caseId !== c.id
    const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 160
    if (fresh || (detail.messages.length > seen.count && nearBottom)) box.scrollTop = box.scrollHeight
    lastCount.current = { caseId: c.id, count: detail.messages.length }
  }, [c.id, detail.messages.length])

  const vars = {
    resident: resident.name ?? tr('fallbackResident'),
    case: c.number,
    officer: resident.language === 'en' ? me.nameEn || me.name : me.name,
  }

  const items: (Message | { day: string; label: string })[] = []
  let lastDay = ''
  for (const message of detail.messages) {
    const key = dayKey(message.createdAt)
    if (key !== lastDay) {
      items.push({ day: key, label: formatDay(message.createdAt, now, lang) })
      lastDay = key
    }
    items.push(message)
  }

  return (
    <section
      class="conversation"
      data-testid={props.stale ? undefined : 'conversation'}
      data-case-id={c.id}
      aria-labelledby="case-title"
    >
      <header class="case-head">
        <div class="case-head-top">
          <button type="button" class="back-button" onClick={props.onBack}>
            <span aria-hidden="true">‹</span> {tr('back')}
          </button>
          <h2 class="case-title" id="case-title">
            <span class="case-number">{c.number}</span>
            <span class="case-resident">{residentName}</span>
          </h2>
          <div class="case-badges">
            <StatusBadge status={c.status} />
            <PriorityBadge priority={c.priority} />
            {c.escalated && <EscalatedBadge />}
            <DueChip dueAt={c.firstResponseDueAt} overdue={c.overdue} now={now} />
          </div>
          <button type="button" class="resident-button" onClick={props.onShowResident}>
            {tr('residentButton')}
          </button>
        </div>
        <p class="case-sub">
          <span>
            {tr('assignedTo')}
            {lang === 'zh' ? '：' : ': '}
            <strong>{c.assignee ? c.assignee.name : tr('deskQueue')}</strong>
          </span>
          {c.compound && <span>{c.compound}</span>}
          {c.beat && <span>{c.beat.name}</span>}
          <span>{tr('openedAt', { time: formatClock(c.openedAt, now, lang) })}</span>
        </p>
        <div class="case-actions" role="toolbar" aria-label={c.number}>
          <button
            type="button"
            class="secondary"
            data-testid="assign-button"
            onClick={props.onAssign}
            disabled={props.busy}
            aria-haspopup="dialog"
          >
            {c.assignee ? tr('transfer') : tr('assign')}
          </button>
          {closed ? (
            <button
              type="button"
              class="secondary"
              data-testid="reopen"
              onClick={props.onReopen}
              disabled={props.busy}
            >
              {tr('reopen')}
            </button>
          ) : (
            <fieldset class="segmented" disabled={props.busy}>
              <legend class="visually-hidden">{tr('filterStatus')}</legend>
              <button
                type="button"
                aria-pressed={c.status === 'in_progress'}
                data-testid="status-in-progress"
                onClick={() => c.status !== 'in_progress' && props.onStatus('in_progress')}
              >
                {tr('setInProgress')}
              </button>
              <button
                type="button"
                aria-pressed={c.status === 'awaiting_resident'}
                data-testid="status-awaiting"
                onClick={() => c.status !== 'awaiting_resident' && props.onStatus('awaiting_resident')}
              >
                {tr('setAwaiting')}
              </button>
              <button
                type="button"
                class="resolve-button"
                data-testid="status-resolve"
                onClick={() => props.onStatus('resolved')}
              >
                <span aria-hidden="true">✓ </span>
                {tr('resolve')}
              </button>
            </fieldset>
          )}
          <span class="toolbar-spacer" />
          <label class="inline-select">
            <span>{tr('category')}</span>
            <select
              value={c.category}
              disabled={props.busy}
              data-testid="category-select"
              onChange={(event) => props.onUpdate({ category: event.currentTarget.value as CaseCategory })}
            >
              {CATEGORIES.map((category) => (
                <option key={category} value={category}>
                  {tKey(lang, `category.${category}`, category)}
                </option>
              ))}
            </select>
          </label>
          <label class="inline-select">
            <span>{tr('priority')}</span>
            <select
              value={c.priority}
              disabled={props.busy}
              data-testid="priority-select"
              onChange={(event) => props.onUpdate({ priority: event.currentTarget.value as CasePriority })}
            >
              {PRIORITIES.map((priority) => (
                <option key={priority} value={priority}>
                  {tKey(lang, `priority.${priority}`, priority)}
                </option>
              ))}
            </select>
          </label>
        </div>
      </header>

      {c.category === 'home_watch' && <HomeWatchPanel caseId={c.id} version={c.version} />}
      {c.category === 'rental_registration' && <RentalPanel key={c.id} caseId={c.id} version={c.version} />}
      {c.category === 'residence_permit' && <PermitPanel key={c.id} caseId={c.id} version={c.version} />}
      {(c.category === 'mediation' || c.category === 'dispute') && (
        <MediationPanel key={c.id} caseId={c.id} version={c.version} category={c.category} />
      )}

      <div class="thread-wrap">
        {props.notice}
        <div class="thread" ref={scrollRef}>
          {detail.messages.length === 0 && <p class="list-state">{tr('noMessages')}</p>}
          <div
            key={c.id}
            role="log"
            aria-live="polite"
            aria-relevant="additions"
            aria-label={tr('conversationLabel')}
          >
            <ol class="messages">
              {items.map((item) =>
                'day' in item ? (
                  <li key={`day-${item.day}`} class="day-sep" aria-hidden="true">
                    <span>{item.label}</span>
                  </li>
                ) : (
                  <MessageItem
                    key={item.id}
                    message={item}
                    residentName={residentName}
                    now={now}
                    onRetry={props.onRetry}
                  />
                ),
              )}
            </ol>
          </div>
        </div>
      </div>

      <Composer
        key={c.id}
        textareaRef={props.replyRef}
        canned={props.canned.filter((r) => !r.language || r.language === resident.language)}
        vars={vars}
        initial={props.draft}
        onDraft={props.onDraft}
        onSend={props.onSend}
        disabled={props.stale}
      />
    </section>
  )
}
