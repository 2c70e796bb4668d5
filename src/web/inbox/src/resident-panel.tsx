import { StatusBadge } from './badges.tsx'
import { formatClock, formatDay } from './format.ts'
import { useLang, useT } from './hooks.ts'
import { tKey } from './i18n.ts'
import { casePath } from './paths.ts'
import type { AuditEntry, Resident } from './types.ts'

interface ResidentPanelProps {
  resident: Resident
  history: AuditEntry[]
  currentCaseId: string
  now: number
  onOpenCase: (caseId: string) => void
  onClose?: () => void
}

/** Who the resident is and what they asked before; every opening of this is in the audit log. */
export function ResidentPanel({
  resident,
  history,
  currentCaseId,
  now,
  onOpenCase,
  onClose,
}: ResidentPanelProps) {
  const tr = useT()
  const lang = useLang()
  const earlier = resident.earlierCases.filter((c) => c.id !== currentCaseId)
  return (
    <section class="resident" data-testid="resident-panel" aria-labelledby="resident-title">
      <header class="resident-head">
        <div>
          <p class="eyebrow" id="resident-title">
            {tr('residentTitle')}
          </p>
          <h2 class="resident-name">{resident.name ?? tr('noResidentName')}</h2>
        </div>
        {onClose && (
          <button type="button" class="icon-button resident-close" onClick={onClose} aria-label={tr('close')}>
            ×
          </button>
        )}
      </header>
      <dl class="facts">
        <div>
          <dt>{tr('residentCode')}</dt>
          <dd class="mono">{resident.code}</dd>
        </div>
        <div>
          <dt>{tr('residentLanguage')}</dt>
          <dd>{tKey(lang, `language.${resident.language}`, resident.language)}</dd>
        </div>
        <div>
          <dt>{tr('compound')}</dt>
          <dd>{resident.compound ?? <span class="muted">{tr('notSet')}</span>}</dd>
        </div>
        <div>
          <dt>{tr('beat')}</dt>
          <dd>
            {resident.beat ? (
              <>
                {resident.beat.name} <span class="muted mono">{resident.beat.code}</span>
              </>
            ) : (
              <span class="muted">{tr('notSet')}</span>
            )}
          </dd>
        </div>
        <div>
          <dt>{tr('tags')}</dt>
          <dd>
            {resident.tags.length === 0 ? (
              <span class="muted">{tr('noTags')}</span>
            ) : (
              <ul class="tags">
                {resident.tags.map((tag) => (
                  <li key={tag} class="tag">
                    {tag}
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
      </dl>

      <h3 class="panel-heading">
        {tr('earlierCases')} <span class="muted">{earlier.length}</span>
      </h3>
      {earlier.length === 0 ? (
        <p class="muted small">{tr('noEarlierCases')}</p>
      ) : (
        <ul class="earlier">
          {earlier.map((c) => (
            <li key={c.id}>
              <a
                href={casePath(c.id)}
                class="earlier-case"
                onClick={(event) => {
                  if (event.button !== 0 || event.metaKey || event.ctrlKey) return
                  event.preventDefault()
                  onOpenCase(c.id)
                }}
              >
                <span class="earlier-top">
                  <span class="mono">{c.number}</span>
                  <StatusBadge status={c.status} />
                </span>
                <span class="earlier-meta">
                  {tKey(lang, `category.${c.category}`, c.category)} · {formatDay(c.lastMessageAt, now, lang)}
                </span>
                {c.preview && <span class="earlier-preview">{c.preview}</span>}
              </a>
            </li>
          ))}
        </ul>
      )}

      {history.length > 0 && (
        <details class="history">
          <summary class="panel-heading">
            {tr('history')} <span class="muted">{history.length}</span>
          </summary>
          <ol class="history-list">
            {history.map((entry) => (
              <li key={entry.id}>
                <time dateTime={entry.at}>{formatClock(entry.at, now, lang)}</time>
                <span>
                  {entry.actor?.name ?? tr('systemLabel')} ·{' '}
                  {tKey(lang, `audit.${entry.action}`, entry.action)}
                </span>
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  )
}
