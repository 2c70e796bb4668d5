import { useLang, useT } from './hooks.ts'
import { tKey } from './i18n.ts'
import type { CaseCategory, CaseStatus, Filters } from './types.ts'

export const STATUSES: CaseStatus[] = [
  'new',
  'assigned',
  'in_progress',
  'awaiting_resident',
  'resolved',
  'closed',
]
export const CATEGORIES: CaseCategory[] = [
  'emergency',
  'dispute',
  'fraud',
  'noise',
  'lost_property',
  'consultation',
  'home_watch',
  'residence_permit',
  'rental_registration',
  'mediation',
]

interface ListFiltersProps {
  filters: Filters
  search: string
  searchRef: { current: HTMLInputElement | null }
  onSearch: (text: string) => void
  onChange: (filters: Filters) => void
}

/** Search and the status, category and overdue filters above the case list. */
export function ListFilters({ filters, search, searchRef, onSearch, onChange }: ListFiltersProps) {
  const tr = useT()
  const lang = useLang()
  const active = filters.status !== '' || filters.category !== '' || filters.overdue || search !== ''
  return (
    <search class="filters">
      <label class="visually-hidden" for="case-search">
        {tr('search')}
      </label>
      <div class="search-box">
        <span class="search-icon" aria-hidden="true" />
        <input
          id="case-search"
          ref={searchRef}
          type="search"
          value={search}
          placeholder={tr('searchPlaceholder')}
          onInput={(e) => onSearch(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') e.currentTarget.blur()
          }}
          autocomplete="off"
        />
        <span class="search-key" aria-hidden="true">
          /
        </span>
      </div>
      <div class="filter-row">
        <label class="visually-hidden" for="filter-status">
          {tr('filterStatus')}
        </label>
        <select
          id="filter-status"
          value={filters.status}
          onChange={(e) => onChange({ ...filters, status: e.currentTarget.value as CaseStatus | '' })}
        >
          <option value="">{tr('statusAllOpen')}</option>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {tKey(lang, `status.${status}`, status)}
            </option>
          ))}
        </select>
        <label class="visually-hidden" for="filter-category">
          {tr('filterCategory')}
        </label>
        <select
          id="filter-category"
          value={filters.category}
          onChange={(e) => onChange({ ...filters, category: e.currentTarget.value as CaseCategory | '' })}
        >
          <option value="">{tr('categoryAll')}</option>
          {CATEGORIES.map((category) => (
            <option key={category} value={category}>
              {tKey(lang, `category.${category}`, category)}
            </option>
          ))}
        </select>
        <label class={`chip-toggle${filters.overdue ? ' chip-toggle-on' : ''}`}>
          <input
            type="checkbox"
            checked={filters.overdue}
            onChange={(e) => onChange({ ...filters, overdue: e.currentTarget.checked })}
          />
          {tr('overdueOnly')}
        </label>
        {active && (
          <button
            type="button"
            class="link-button"
            onClick={() => {
              onSearch('')
              onChange({ status: '', category: '', overdue: false, q: '' })
            }}
          >
            {tr('clearFilters')}
          </button>
        )}
      </div>
    </search>
  )
}
