import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { Modal } from './dialogs.tsx'
import { useLang, useT } from './hooks.ts'
import type { OfficerOption } from './types.ts'

interface AssignDialogProps {
  caseNumber: string
  officers: OfficerOption[] | null | 'error'
  currentAssigneeId: string | null
  meId: string
  onAssign: (officer: OfficerOption) => void
  onDesk: () => void
  onClose: () => void
}

/** Officers on duty first, then those with the fewest open cases: the usual choice is near the top. */
export function sortOfficers(officers: readonly OfficerOption[]): OfficerOption[] {
  return [...officers].sort(
    (a, b) =>
      Number(b.onDuty) - Number(a.onDuty) ||
      a.openCases - b.openCases ||
      a.name.localeCompare(b.name, 'zh-CN'),
  )
}

/** Picks who handles the case next: an officer of the station, or back to the duty desk. */
export function AssignDialog(props: AssignDialogProps) {
  const tr = useT()
  const lang = useLang()
  const [query, setQuery] = useState('')
  const searchRef = useRef<HTMLInputElement>(null)
  useEffect(() => searchRef.current?.focus(), [])

  const shown = useMemo(() => {
    if (!Array.isArray(props.officers)) return []
    const q = query.trim().toLowerCase()
    const matching = props.officers.filter(
      (o) =>
        o.active !== false &&
        (q === '' ||
          o.name.toLowerCase().includes(q) ||
          o.nameEn.toLowerCase().includes(q) ||
          o.badge.toLowerCase().includes(q)),
    )
    return sortOfficers(matching)
  }, [props.officers, query])

  return (
    <Modal
      title={tr('assignTitle', { number: props.caseNumber })}
      onClose={props.onClose}
      testId="assign-dialog"
    >
      <label class="visually-hidden" for="assign-search">
        {tr('assignSearch')}
      </label>
      <input
        id="assign-search"
        ref={searchRef}
        class="modal-search"
        type="search"
        value={query}
        placeholder={tr('assignSearch')}
        autocomplete="off"
        onInput={(event) => setQuery(event.currentTarget.value)}
      />
      {props.officers === 'error' && <p class="form-error">{tr('officersError')}</p>}
      {props.officers === null && <p class="list-state">{tr('loading')}</p>}
      <ul class="officer-list">
        {shown.map((officer) => {
          const current = officer.id === props.currentAssigneeId
          const altName = lang === 'en' ? officer.nameEn : ''
          return (
            <li key={officer.id}>
              <button
                type="button"
                class="officer-option"
                data-testid="assign-option"
                data-officer-id={officer.id}
                disabled={current}
                aria-current={current ? 'true' : undefined}
                onClick={() => props.onAssign(officer)}
              >
                <span class={`duty-dot${officer.onDuty ? ' duty-on' : ''}`} aria-hidden="true" />
                <span class="officer-name">
                  {officer.name}
                  {officer.id === props.meId ? tr('you') : ''}
                  {altName && <span class="officer-alt"> {altName}</span>}
                </span>
                <span class="officer-badge">{officer.badge}</span>
                <span class="officer-load">
                  {officer.onDuty ? tr('onDuty') : tr('offDuty')} ·{' '}
                  {tr('openCount', { n: officer.openCases })}
                </span>
              </button>
            </li>
          )
        })}
      </ul>
      <button
        type="button"
        class="desk-option"
        data-testid="assign-desk"
        disabled={props.currentAssigneeId === null}
        onClick={props.onDesk}
      >
        {tr('assignDesk')}
      </button>
    </Modal>
  )
}
