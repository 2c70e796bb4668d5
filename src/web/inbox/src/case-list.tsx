import { useEffect, useRef } from 'preact/hooks'
import { CategoryBadge, DueChip, EscalatedBadge, PriorityBadge, StatusBadge } from './badges.tsx'
import { formatClock } from './format.ts'
import { useLang, useT } from './hooks.ts'
import { casePath } from './paths.ts'
import type { CaseSummary } from './types.ts'

interface CaseListProps {
  cases: CaseSummary[]
  status: 'loading' | 'ready' | 'error'
  error: string | null
  filtered: boolean
  hasMore: boolean
  loadingMore: boolean
  selectedId: string | null
  fresh: ReadonlySet<string>
  showAssignee: boolean
  now: number
  onSelect: (caseId: string) => void
  onMore: () => void
  onRetry: () => void
}

/** The cases of the current queue in due order; the selected row stays in view as j/k move it. */
export function CaseList(props: CaseListProps) {
  const tr = useT()
  const { cases, status, selectedId } = props
  const listRef = useRef<HTMLOListElement>(null)

  useEffect(() => {
    if (!selectedId) return
    const row = listRef.current?.querySelector<HTMLElement>(`[data-case-id="${CSS.escape(selectedId)}"]`)
    row?.scrollIntoView({ block: 'nearest' })
  }, [selectedId])

  if (status === 'error' && cases.length === 0) {
    return (
      <div class="list-state list-error" role="alert">
        <p>{tr('listError', { message: props.error ?? '' })}</p>
        <button type="button" class="secondary" onClick={props.onRetry}>
          {tr('retry')}
        </button>
      </div>
    )
  }
  if (status === 'loading' && cases.length === 0) {
    return (
      <p class="list-state" aria-busy="true">
        {tr('loading')}
      </p>
    )
  }
  if (cases.length === 0) {
    return <p class="list-state">{props.filtered ? tr('listEmptyFiltered') : tr('listEmpty')}</p>
  }
  return (
    <div class="list-scroll">
      <ol class="case-list" ref={listRef} aria-label={tr('listLabel')}>
        {cases.map((c) => (
          <CaseRow
            key={c.id}
            item={c}
            selected={c.id === selectedId}
            fresh={props.fresh.has(c.id)}
            showAssignee={props.showAssignee}
            now={props.now}
            onSelect={props.onSelect}
          />
        ))}
      </ol>
      {props.hasMore && (
        <button type="button" class="load-more" onClick={props.onMore} disabled={props.loadingMore}>
          {props.loadingMore ? tr('loading') : tr('loadMore')}
        </button>
      )}
    </div>
  )
}

interface CaseRowProps {
  item: CaseSummary
  selected: boolean
  fresh: boolean
  showAssignee: boolean
  now: number
  onSelect: (caseId: string) => void
}

function CaseRow({ item, selected, fresh, showAssignee, now, onSelect }: CaseRowProps) {
  const tr = useT()
  const lang = useLang()
  const place = [item.compound, item.beat?.name].filter(Boolean).join(' · ')
  const classes = ['case-row']
  if (selected) classes.push('case-row-selected')
  if (fresh) classes.push('case-row-fresh')
  if (item.overdue) classes.push('case-row-overdue')
  return (
    <li>
      <a
        href={casePath(item.id)}
        class={classes.join(' ')}
        aria-current={selected ? 'true' : undefined}
        data-testid="case-row"
        data-case-id={item.id}
        data-case-number={item.number}
        onClick={(event) => {
          if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
          event.preventDefault()
          onSelect(item.id)
        }}
      >
        <span class="row-top">
          <span class="row-name">{item.residentName ?? tr('noResidentName')}</span>
          <DueChip dueAt={item.firstResponseDueAt} overdue={item.overdue} now={now} />
          {!item.firstResponseDueAt && !item.overdue && (
            <time class="row-time" dateTime={item.lastMessageAt}>
              {formatClock(item.lastMessageAt, now, lang)}
            </time>
          )}
        </span>
        <span class="row-preview">{item.preview}</span>
        <span class="row-meta">
          <span class="row-number">{item.number}</span>
          <PriorityBadge priority={item.priority} />
          {item.escalated && <EscalatedBadge />}
          <CategoryBadge category={item.category} />
          <StatusBadge status={item.status} />
        </span>
        {(place || showAssignee) && (
          <span class="row-place">
            {place}
            {showAssignee && (
              <span class={`row-assignee${item.assignee ? '' : ' row-unassigned'}`}>
                {item.assignee ? item.assignee.name : tr('unassigned')}
              </span>
            )}
          </span>
        )}
      </a>
    </li>
  )
}
