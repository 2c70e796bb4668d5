import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, api } from './api.ts'
import { AssignDialog } from './assign-dialog.tsx'
import { CaseList } from './case-list.tsx'
import type { Draft } from './composer.tsx'
import { Conversation, type StatusChange } from './conversation.tsx'
import { digestText } from './deadline-strings.ts'
import { ConfirmDialog, HelpDialog } from './dialogs.tsx'
import { compareCases, compareMessages, mergeById, neighbourId, nextDeliveryState } from './format.ts'
import { useLang, useNow, useT } from './hooks.ts'
import { tKey } from './i18n.ts'
import { ListFilters } from './list-filters.tsx'
import { connectLive } from './live.ts'
import { caseIdFromPath, casePath } from './paths.ts'
import { QueueNav } from './queue-nav.tsx'
import { ResidentPanel } from './resident-panel.tsx'
import { Toast, type ToastMessage } from './toast.tsx'
import { TopBar } from './topbar.tsx'
import type {
  CannedReply,
  CaseCategory,
  CaseDetail,
  CaseFull,
  CasePriority,
  CaseSummary,
  ConnectionState,
  Filters,
  LiveEvent,
  Me,
  Message,
  OfficerOption,
  QueueCounts,
  QueueName,
} from './types.ts'

const PAGE_SIZE = 50
/** The most rows one refresh asks for; beyond that, live updates merge into what is loaded. */
const MAX_RELOAD = 100
const FRESH_MS = 8000
const EMPTY_FILTERS: Filters = { status: '', category: '', overdue: false, q: '' }
const EMPTY_DRAFT: Draft = { text: '', note: false }

interface ListState {
  cases: CaseSummary[]
  nextCursor: string | null
  status: 'loading' | 'ready' | 'error'
  error: string | null
  loadingMore: boolean
}

interface InboxProps {
  me: Me
  onToggleLang: () => void
  onLogout: () => void
}

function listKey(queue: QueueName, filters: Filters): string {
  return JSON.stringify([queue, filters])
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * The signed-in inbox: queues, the due-ordered case list, the open case and the
 * resident, kept current by the live stream. Everything the stream reports is
 * refetched rather than patched from the event, so a missed or repeated event
 * can only delay an update, never corrupt one.
 */
export function Inbox({ me, onToggleLang, onLogout }: InboxProps) {
  const tr = useT()
  const lang = useLang()
  const now = useNow(30_000)

  const [queue, setQueue] = useState<QueueName>(me.role === 'officer' ? 'mine' : 'all')
  const [filters, setFilters] = useState<Filters>(EMPTY_FILTERS)
  const [search, setSearch] = useState('')
  const [list, setList] = useState<ListState>({
    cases: [],
    nextCursor: null,
    status: 'loading',
    error: null,
    loadingMore: false,
  })
  const [counts, setCounts] = useState<QueueCounts | null>(null)
  const [selectedId, setSelectedId] = useState<string | null>(() => caseIdFromPath(location.pathname))
  const [detail, setDetail] = useState<CaseDetail | null>(null)
  const [detailError, setDetailError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [connection, setConnection] = useState<ConnectionState>('connecting')
  const [canned, setCanned] = useState<CannedReply[]>([])
  const [officers, setOfficers] = useState<OfficerOption[] | null | 'error'>(null)
  const [toast, setToast] = useState<ToastMessage | null>(null)
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set())
  const [dialog, setDialog] = useState<'assign' | 'resolve' | 'help' | null>(null)
  const [residentOpen, setResidentOpen] = useState(false)
  const [announcement, setAnnouncement] = useState('')

  const replyRef = useRef<HTMLTextAreaElement>(null)
  const searchRef = useRef<HTMLInputElement>(null)
  const drafts = useRef(new Map<string, Draft>())
  const listSeq = useRef(0)
  const detailSeq = useRef(0)
  const toastSeq = useRef(0)
  const pushed = useRef(false)
  const pendingFresh = useRef(new Set<string>())
  const listTimer = useRef<ReturnType<typeof setTimeout>>(undefined)
  const detailTimer = useRef<ReturnType<typeof setTimeout>>(undefined)

  // Event handlers and timers outlive a render; they read the newest state from here.
  const latest = useRef({ queue, filters, list, selectedId, detail, dialog })
  latest.current = { queue, filters, list, selectedId, detail, dialog }

  /** The case on screen, if it is the selected one (not a faded predecessor still showing while the next loads). */
  const currentCase = (): CaseDetail | null => {
    const { detail: shown, selectedId: id } = latest.current
    return shown && shown.case.id === id ? shown : null
  }

  const showToast = (tone: ToastMessage['tone'], text: string, detailText?: string): void => {
    toastSeq.current += 1
    setToast({ id: toastSeq.current, tone, text, detail: detailText })
  }
  const closeToast = useCallback(() => setToast(null), [])

  const announce = (text: string): void => {
    setAnnouncement('')
    setTimeout(() => setAnnouncement(text), 50)
  }

  const loadCounts = (): void => {
    api
      .queues()
      .then(setCounts)
      .catch(() => {})
  }

  const patchRow = (updated: CaseSummary): void => {
    setList((state) => ({
      ...state,
      cases: state.cases.map((row) => (row.id === updated.id ? { ...row, ...updated } : row)),
    }))
  }

  const markFresh = (cases: CaseSummary[]): void => {
    const hits = cases.filter((c) => pendingFresh.current.has(c.id))
    pendingFresh.current.clear()
    if (hits.length === 0) return
    const ids = hits.map((c) => c.id)
    setFresh((current) => new Set([...current, ...ids]))
    const first = hits[0]
    if (first) announce(tr('newMessageIn', { number: first.number }))
    setTimeout(() => {
      setFresh((current) => {
        const next = new Set(current)
        for (const id of ids) next.delete(id)
        return next
      })
    }, FRESH_MS)
  }

  const loadList = async (mode: 'reset' | 'refresh' | 'more'): Promise<void> => {
    const { queue: q, filters: f, list: current } = latest.current
    const key = listKey(q, f)
    if (mode === 'more' && (!current.nextCursor || current.loadingMore)) return
    if (mode !== 'more') listSeq.current += 1
    const seq = listSeq.current
    if (mode === 'reset') {
      setList({ cases: [], nextCursor: null, status: 'loading', error: null, loadingMore: false })
    }
    if (mode === 'more') setList((state) => ({ ...state, loadingMore: true }))
    const limit =
      mode === 'refresh' ? Math.min(MAX_RELOAD, Math.max(PAGE_SIZE, current.cases.length)) : PAGE_SIZE
    try {
      const page = await api.cases(q, f, mode === 'more' ? current.nextCursor : null, limit)
      const after = latest.current
      if (listKey(after.queue, after.filters) !== key || (mode !== 'more' && seq !== listSeq.current)) return
      setList((state) => {
        if (mode === 'more' || (mode === 'refresh' && state.cases.length > limit)) {
          return {
            cases: mergeById(state.cases, page.cases, compareCases),
            nextCursor: mode === 'more' ? page.nextCursor : state.nextCursor,
            status: 'ready',
            error: null,
            loadingMore: false,
          }
        }
        return {
          cases: page.cases,
          nextCursor: page.nextCursor,
          status: 'ready',
          error: null,
          loadingMore: false,
        }
      })
      if (mode === 'refresh') markFresh(page.cases)
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return
      if (mode !== 'more' && seq !== listSeq.current) return
      setList((state) => ({ ...state, status: 'error', error: errorText(error), loadingMore: false }))
    }
  }

  const loadDetail = async (caseId: string, mode: 'open' | 'refresh'): Promise<void> => {
    detailSeq.current += 1
    const seq = detailSeq.current
    // The previous case stays on screen, inert and faded, until this one arrives: no flash while j/k move.
    if (mode === 'open') setDetailError(null)
    try {
      const next = await api.openCase(caseId)
      if (seq !== detailSeq.current || latest.current.selectedId !== caseId) return
      setDetail((current) =>
        current && current.case.id === caseId
          ? { ...next, messages: mergeById(current.messages, next.messages, compareMessages) }
          : next,
      )
      setDetailError(null)
      patchRow(next.case)
    } catch (error) {
      if (seq !== detailSeq.current || !(error instanceof ApiError) || error.status === 401) return
      if (error.status === 404 || error.status === 403) {
        setDetail(null)
        setDetailError(tr('errNotFound'))
      } else if (mode === 'open') {
        setDetailError(tr('caseError', { message: error.status === 0 ? tr('errNetwork') : error.message }))
      }
    }
  }

  const scheduleListRefresh = (): void => {
    clearTimeout(listTimer.current)
    listTimer.current = setTimeout(() => {
      void actions.current.loadList('refresh')
      actions.current.loadCounts()
    }, 250)
  }

  const scheduleDetailRefresh = (): void => {
    clearTimeout(detailTimer.current)
    detailTimer.current = setTimeout(() => {
      const id = latest.current.selectedId
      if (id) void actions.current.loadDetail(id, 'refresh')
    }, 150)
  }

  const onLive = (event: LiveEvent): void => {
    if (event.type === 'digest') {
      showToast('ok', digestText(lang, event))
      return
    }
    const openId = latest.current.selectedId
    if (event.type === 'case') {
      if (event.kind !== 'updated' && event.caseId !== openId) pendingFresh.current.add(event.caseId)
      scheduleListRefresh()
      if (event.caseId === openId) scheduleDetailRefresh()
      return
    }
    if (event.caseId !== openId) return
    const known = latest.current.detail?.messages.some((m) => m.id === event.messageId) ?? false
    if (!known || event.state === 'failed') scheduleDetailRefresh()
    if (!known) return
    setDetail((current) =>
      current && current.case.id === event.caseId
        ? {
            ...current,
            messages: current.messages.map((m) =>
              m.id === event.messageId
                ? { ...m, deliveryState: nextDeliveryState(m.deliveryState, event.state) }
                : m,
            ),
          }
        : current,
    )
  }

  const onReconnected = (): void => {
    void loadList('refresh')
    loadCounts()
    const id = latest.current.selectedId
    if (id) void loadDetail(id, 'refresh')
  }

  const actions = useRef({ loadList, loadDetail, loadCounts, onLive, onReconnected })
  actions.current = { loadList, loadDetail, loadCounts, onLive, onReconnected }

  useEffect(() => {
    loadCounts()
    api
      .cannedReplies()
      .then((result) => setCanned(result.replies))
      .catch(() => {})
    const stop = connectLive('/api/stream', {
      onEvent: (event) => actions.current.onLive(event),
      onState: setConnection,
      onReconnected: () => actions.current.onReconnected(),
      // A stream the browser gave up on may mean the session ended; any call finds out.
      onDropped: () => actions.current.loadCounts(),
    })
    return () => {
      stop()
      clearTimeout(listTimer.current)
      clearTimeout(detailTimer.current)
    }
  }, [])

  // A notice is text in the language it was raised in; a switch clears it rather than leave it untranslated.
  useEffect(() => setToast(null), [lang])

  useEffect(() => {
    const timer = setTimeout(() => {
      setFilters((current) => (current.q === search ? current : { ...current, q: search }))
    }, 300)
    return () => clearTimeout(timer)
  }, [search])

  useEffect(() => {
    void actions.current.loadList('reset')
  }, [queue, filters])

  useEffect(() => {
    setToast(null)
    if (selectedId) {
      void actions.current.loadDetail(selectedId, 'open')
    } else {
      detailSeq.current += 1
      setDetail(null)
      setDetailError(null)
    }
  }, [selectedId])

  useEffect(() => {
    const onPop = (): void => {
      setSelectedId(caseIdFromPath(location.pathname))
      setResidentOpen(false)
      setDialog(null)
    }
    window.addEventListener('popstate', onPop)
    return () => window.removeEventListener('popstate', onPop)
  }, [])

  const selectCase = (caseId: string | null, how: 'push' | 'replace'): void => {
    const path = caseId ? casePath(caseId) : '/inbox'
    if (location.pathname !== path) {
      if (how === 'push') {
        history.pushState({ inboxCase: caseId }, '', path)
        pushed.current = true
      } else {
        history.replaceState({ inboxCase: caseId }, '', path)
      }
    }
    setResidentOpen(false)
    setSelectedId(caseId)
  }

  const openFromList = (caseId: string): void => {
    selectCase(caseId, latest.current.selectedId ? 'replace' : 'push')
  }

  const goBack = (): void => {
    if (residentOpen) {
      setResidentOpen(false)
      return
    }
    if (pushed.current && history.state?.inboxCase) {
      pushed.current = false
      history.back()
      return
    }
    selectCase(null, 'replace')
  }

  const chooseQueue = (next: QueueName): void => {
    setQueue(next)
    pendingFresh.current.clear()
  }

  const actionFailed = (error: unknown, caseId: string): void => {
    if (!(error instanceof ApiError)) {
      showToast('error', tr('errGeneric', { message: errorText(error) }))
      return
    }
    if (error.status === 401) return
    if (error.status === 409) {
      showToast('conflict', error.message, tr('conflictTitle'))
      void loadDetail(caseId, 'refresh')
      scheduleListRefresh()
    } else if (error.status === 403) {
      showToast('error', tr('errForbidden'), error.message)
    } else if (error.status === 404) {
      showToast('error', tr('errNotFound'))
      scheduleListRefresh()
    } else if (error.status === 0) {
      showToast('error', tr('errNetwork'))
    } else {
      showToast('error', tr('errGeneric', { message: error.message }))
    }
  }

  const applyCase = (updated: CaseFull): void => {
    setDetail((current) =>
      current && current.case.id === updated.id
        ? { ...current, case: { ...current.case, ...updated } }
        : current,
    )
    patchRow(updated)
  }

  const addMessage = (caseId: string, message: Message): void => {
    setDetail((current) =>
      current && current.case.id === caseId
        ? { ...current, messages: mergeById(current.messages, [message], compareMessages) }
        : current,
    )
  }

  const caseAction = async (
    run: (current: CaseFull) => Promise<{ case: CaseFull }>,
    done: (updated: CaseFull) => string,
  ): Promise<void> => {
    const current = currentCase()
    if (!current || busy) return
    setBusy(true)
    try {
      const result = await run(current.case)
      applyCase(result.case)
      showToast('ok', done(result.case))
      loadCounts()
      scheduleListRefresh()
    } catch (error) {
      actionFailed(error, current.case.id)
    } finally {
      setBusy(false)
    }
  }

  const send = async (text: string, note: boolean): Promise<boolean> => {
    const current = currentCase()
    if (!current) return false
    const caseId = current.case.id
    try {
      if (note) {
        const result = await api.note(caseId, text)
        addMessage(caseId, result.message)
      } else {
        const result = await api.reply(caseId, text, current.case.version)
        addMessage(caseId, result.message)
        applyCase(result.case)
        loadCounts()
        scheduleListRefresh()
      }
      drafts.current.delete(caseId)
      return true
    } catch (error) {
      actionFailed(error, caseId)
      return false
    }
  }

  const setStatus = (status: StatusChange): void => {
    setDialog(null)
    void caseAction(
      (c) => api.setStatus(c.id, c.version, status),
      () => tr('toastStatus', { status: tKey(lang, `status.${status}`, status) }),
    )
  }

  const openAssign = (): void => {
    setOfficers(null)
    setDialog('assign')
    api
      .officers()
      .then((result) => setOfficers(result.officers))
      .catch(() => setOfficers('error'))
  }

  const assignTo = (officer: OfficerOption): void => {
    setDialog(null)
    void caseAction(
      (c) => api.assign(c.id, c.version, { officerId: officer.id }),
      () => tr('toastAssigned', { name: officer.name }),
    )
  }

  const assignDesk = (): void => {
    setDialog(null)
    void caseAction(
      (c) => api.assign(c.id, c.version, { desk: true }),
      () => tr('toastDesk'),
    )
  }

  const update = (change: { category?: CaseCategory; priority?: CasePriority }): void => {
    void caseAction(
      (c) => api.update(c.id, c.version, change),
      () => tr('toastUpdated'),
    )
  }

  const reopen = (): void => {
    void caseAction(
      (c) => api.reopen(c.id, c.version),
      () => tr('toastReopened'),
    )
  }

  const retry = (messageId: string): void => {
    const caseId = currentCase()?.case.id
    if (!caseId) return
    api
      .retryMessage(messageId)
      .then(() => {
        showToast('ok', tr('retried'))
        setDetail((current) =>
          current && current.case.id === caseId
            ? {
                ...current,
                messages: current.messages.map((m) =>
                  m.id === messageId ? { ...m, deliveryState: 'queued', failureReason: null } : m,
                ),
              }
            : current,
        )
      })
      .catch((error: unknown) => actionFailed(error, caseId))
  }

  const onDraft = useCallback((draft: Draft) => {
    const id = latest.current.detail?.case.id
    if (id) drafts.current.set(id, draft)
  }, [])

  const onKey = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return
    const state = latest.current
    if (state.dialog) {
      if (state.dialog === 'help' && event.key === '?') {
        event.preventDefault()
        setDialog(null)
      }
      return
    }
    const target = event.target as HTMLElement | null
    if (target?.closest('input, textarea, select, [contenteditable="true"]')) return
    const open = currentCase()
    switch (event.key) {
      case 'j':
      case 'k': {
        event.preventDefault()
        const next = neighbourId(state.list.cases, state.selectedId, event.key === 'j' ? 1 : -1)
        if (next && next !== state.selectedId) selectCase(next, state.selectedId ? 'replace' : 'push')
        break
      }
      case 'r':
        if (open) {
          event.preventDefault()
          setResidentOpen(false)
          replyRef.current?.focus()
        }
        break
      case 'e':
        if (open && open.case.status !== 'resolved' && open.case.status !== 'closed') {
          event.preventDefault()
          setDialog('resolve')
        }
        break
      case '?':
        event.preventDefault()
        setDialog('help')
        break
      case '/':
        event.preventDefault()
        searchRef.current?.focus()
        break
    }
  }
  const keyHandler = useRef(onKey)
  keyHandler.current = onKey
  useEffect(() => {
    const listener = (event: KeyboardEvent): void => keyHandler.current(event)
    document.addEventListener('keydown', listener)
    return () => document.removeEventListener('keydown', listener)
  }, [])

  const openDetail = detail && detail.case.id === selectedId ? detail : null
  const shownDetail = openDetail ?? (selectedId && !detailError ? detail : null)
  const stale = shownDetail !== null && shownDetail !== openDetail
  const pane = selectedId ? (residentOpen ? 'resident' : 'case') : 'list'
  const filtered = filters.status !== '' || filters.category !== '' || filters.overdue || filters.q !== ''

  return (
    <div class="inbox" data-pane={pane} data-resident={residentOpen ? 'open' : 'closed'}>
      <TopBar
        me={me}
        connection={connection}
        onToggleLang={onToggleLang}
        onLogout={onLogout}
        onHelp={() => setDialog('help')}
      />
      {connection === 'reconnecting' && (
        <p class="live-banner" aria-hidden="true">
          {tr('connReconnectingHint')}
        </p>
      )}
      <div class="columns">
        <QueueNav
          role={me.role}
          queue={queue}
          counts={counts}
          onSelect={chooseQueue}
          onHelp={() => setDialog('help')}
        />
        <section class="list-pane" aria-label={tr('listLabel')}>
          <ListFilters
            filters={filters}
            search={search}
            searchRef={searchRef}
            onSearch={setSearch}
            onChange={setFilters}
          />
          <CaseList
            cases={list.cases}
            status={list.status}
            error={list.error}
            filtered={filtered}
            hasMore={list.nextCursor !== null}
            loadingMore={list.loadingMore}
            selectedId={selectedId}
            fresh={fresh}
            showAssignee={queue !== 'mine'}
            now={now}
            onSelect={openFromList}
            onMore={() => void loadList('more')}
            onRetry={() => void loadList('reset')}
          />
        </section>
        <main class={`case-pane${stale ? ' case-stale' : ''}`} inert={stale} aria-busy={stale}>
          {shownDetail ? (
            <Conversation
              detail={shownDetail}
              me={me}
              now={now}
              canned={canned}
              replyRef={replyRef}
              draft={drafts.current.get(shownDetail.case.id) ?? EMPTY_DRAFT}
              busy={busy}
              onDraft={onDraft}
              onSend={send}
              onAssign={openAssign}
              onStatus={setStatus}
              onReopen={reopen}
              onUpdate={update}
              onRetry={retry}
              onBack={goBack}
              onShowResident={() => setResidentOpen(true)}
              notice={toast && <Toast toast={toast} onClose={closeToast} />}
            />
          ) : (
            <div class="case-empty">
              {selectedId && (
                <button type="button" class="back-button" onClick={goBack}>
                  <span aria-hidden="true">‹</span> {tr('back')}
                </button>
              )}
              {detailError ? (
                <p class="form-error" role="alert">
                  {detailError}
                </p>
              ) : selectedId ? (
                <p class="list-state" aria-busy="true">
                  {tr('caseLoading')}
                </p>
              ) : (
                <div class="empty-card">
                  <p class="empty-title">{tr('selectCase')}</p>
                  <p class="muted">{tr('selectCaseHint')}</p>
                </div>
              )}
            </div>
          )}
        </main>
        <aside
          class={`resident-pane${stale ? ' case-stale' : ''}`}
          aria-label={tr('residentTitle')}
          inert={stale}
        >
          {!shownDetail && <p class="resident-empty">{tr('residentEmpty')}</p>}
          {shownDetail && (
            <ResidentPanel
              resident={shownDetail.resident}
              history={shownDetail.history}
              currentCaseId={shownDetail.case.id}
              now={now}
              onOpenCase={(caseId) => selectCase(caseId, 'push')}
              onClose={() => setResidentOpen(false)}
            />
          )}
        </aside>
      </div>
      {toast && !openDetail && <Toast toast={toast} onClose={closeToast} />}
      <div class="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
      {dialog === 'help' && <HelpDialog onClose={() => setDialog(null)} />}
      {dialog === 'resolve' && openDetail && (
        <ConfirmDialog
          title={tr('resolve')}
          message={tr('confirmResolve', { number: openDetail.case.number })}
          confirmLabel={tr('resolve')}
          onConfirm={() => setStatus('resolved')}
          onCancel={() => setDialog(null)}
        />
      )}
      {dialog === 'assign' && openDetail && (
        <AssignDialog
          caseNumber={openDetail.case.number}
          officers={officers}
          currentAssigneeId={openDetail.case.assignee?.id ?? null}
          meId={me.id}
          onAssign={assignTo}
          onDesk={assignDesk}
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  )
}
