import { formatDue } from './format.ts'
import { useLang, useT } from './hooks.ts'
import { tKey } from './i18n.ts'
import type { CaseCategory, CasePriority, CaseStatus } from './types.ts'

/** The case status as a quiet pill; colour follows how much it still needs the officer. */
export function StatusBadge({ status }: { status: CaseStatus }) {
  const lang = useLang()
  return <span class={`badge status-${status}`}>{tKey(lang, `status.${status}`, status)}</span>
}

/** Priority badge; "normal" is the common case and is not shown unless `always`. */
export function PriorityBadge({ priority, always = false }: { priority: CasePriority; always?: boolean }) {
  const lang = useLang()
  if (priority === 'normal' && !always) return null
  return <span class={`badge priority-${priority}`}>{tKey(lang, `priority.${priority}`, priority)}</span>
}

export function CategoryBadge({ category }: { category: CaseCategory }) {
  const lang = useLang()
  return (
    <span class={`badge category category-${category}`}>{tKey(lang, `category.${category}`, category)}</span>
  )
}

export function EscalatedBadge() {
  const tr = useT()
  return <span class="badge escalated">{tr('escalatedBadge')}</span>
}

/** "逾期 12 分钟" in red, "8 分钟后到期" in amber when close; nothing when no deadline is pending. */
export function DueChip({ dueAt, overdue, now }: { dueAt: string | null; overdue: boolean; now: number }) {
  const lang = useLang()
  const due = formatDue(dueAt, now, lang, overdue)
  if (!due) return null
  const tone = due.overdue ? 'overdue' : due.soon ? 'soon' : 'later'
  return (
    <span class={`due due-${tone}`} data-overdue={due.overdue ? 'true' : 'false'}>
      {due.overdue && (
        <span class="due-icon" aria-hidden="true">
          !
        </span>
      )}
      {due.text}
    </span>
  )
}
