import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ApiError } from './api.ts'
import {
  type Broadcast,
  type BroadcastDetail,
  type BroadcastReport,
  broadcastApi,
  type Counts,
  settledShare,
} from './broadcast-api.ts'
import { BroadcastCompose } from './broadcast-compose.tsx'
import { type BroadcastEvent, useBroadcastEvents } from './broadcast-live.ts'
import { type BroadcastKey, broadcastText, duration, when } from './broadcast-strings.ts'
import './broadcasts.css'
import { useLang, useT } from './hooks.ts'
import { BROADCASTS_PATH, broadcastPath, broadcastViewFromPath } from './paths.ts'
import { pictureUrl } from './picture-field.tsx'
import type { Me } from './types.ts'

interface BroadcastsPageProps {
  me: Me
  onToggleLang: () => void
  onLogout: () => void
}

type Tr = (key: BroadcastKey, vars?: Record<string, string | number>) => string

const useTr = (): Tr => {
  const lang = useLang()
  return (key, vars) => broadcastText(lang, key, vars)
}

const message = (e: unknown) => (e instanceof ApiError ? e.message : String(e))

/** Goes to another broadcasts view without reloading the page. */
function go(path: string, setPath: (p: string) => void): void {
  history.pushState(null, '', path)
  setPath(path)
}

/**
 * The station's safety broadcasts: the list, the composer and one broadcast
 * followed live. Views are `/inbox/broadcasts`, `/new` and `/<id>`.
 */
export function BroadcastsPage({ me, onToggleLang, onLogout }: BroadcastsPageProps) {
  const lang = useLang()
  const inboxT = useT()
  const tr = useTr()
  const [path, setPath] = useState(location.pathname)
  // Several frames may arrive before a render: each view hears every one, not the last only.
  const listeners = useMemo(() => new Set<(event: BroadcastEvent) => void>(), [])
  const [reconnects, setReconnects] = useState(0)
  useEffect(() => {
    const onPop = () => setPath(location.pathname)
    window.addEventListener('popstate', onPop)
    return () => window.removeEventListener('popstate', onPop)
  }, [])
  useBroadcastEvents(
    (event) => {
      for (const listener of listeners) listener(event)
    },
    () => setReconnects((n) => n + 1),
  )
  const onBroadcastEvent = useCallback(
    (listener: (event: BroadcastEvent) => void) => {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    [listeners],
  )

  const view = broadcastViewFromPath(path)
  const name = lang === 'en' && me.nameEn ? me.nameEn : me.name
  const open = (id: string) => go(broadcastPath(id), setPath)

  return (
    <div class="bc-page" data-testid="broadcasts-page">
      <header class="topbar">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            警
          </span>
          <div class="brand-text">
            <span class="brand-name">{tr('title')}</span>
            <span class="brand-station">{me.stationName}</span>
          </div>
        </div>
        <div class="topbar-tools">
          <a class="bar-button" href="/inbox" data-testid="back-to-inbox">
            {tr('backToInbox')}
          </a>
          <span class="whoami" title={`${name} · ${me.badge}`}>
            <span class="whoami-name">{name}</span>
            <span class="whoami-badge">{me.badge}</span>
          </span>
          <button
            type="button"
            class="bar-button"
            data-testid="lang-toggle"
            onClick={onToggleLang}
            aria-label={inboxT('langSwitchLabel')}
          >
            {inboxT('langSwitch')}
          </button>
          <button type="button" class="bar-button" data-testid="logout" onClick={onLogout}>
            {inboxT('logout')}
          </button>
        </div>
      </header>
      <main class="bc-main">
        {view === 'list' ? (
          <BroadcastList
            onOpen={open}
            onCompose={() => go(`${BROADCASTS_PATH}/new`, setPath)}
            subscribe={onBroadcastEvent}
            reconnects={reconnects}
          />
        ) : (
          <>
            <a
              class="bc-back"
              href={BROADCASTS_PATH}
              data-testid="bc-back"
              onClick={(e) => {
                e.preventDefault()
                go(BROADCASTS_PATH, setPath)
              }}
            >
              ← {tr('backToList')}
            </a>
            {view === 'new' ? (
              <BroadcastCompose onCreated={(b) => open(b.id)} />
            ) : (
              <BroadcastDetailView
                key={view.id}
                id={view.id}
                me={me}
                subscribe={onBroadcastEvent}
                reconnects={reconnects}
              />
            )}
          </>
        )}
      </main>
    </div>
  )
}

/** Counts and time left as the latest event or reading has them. */
interface Live {
  counts: Counts | null
  etaSeconds: number | null
}

function liveOf(b: Broadcast): Live {
  return { counts: b.progress, etaSeconds: b.progress?.etaSeconds ?? null }
}

function applyEvent(b: Broadcast, event: BroadcastEvent): Broadcast {
  if (event.id !== b.id) return b
  const counts = event.counts ?? b.progress
  return {
    ...b,
    state: event.state ?? b.state,
    progress: counts
      ? {
          ...counts,
          etaSeconds: event.etaSeconds !== undefined ? event.etaSeconds : (b.progress?.etaSeconds ?? null),
          at: new Date().toISOString(),
        }
      : null,
  }
}

function StateBadge({ state }: { state: Broadcast['state'] }) {
  const tr = useTr()
  return (
    <span class={`bc-state bc-state-${state}`} data-testid="bc-state" data-state={state}>
      {tr(`state.${state}`)}
    </span>
  )
}

function ProgressBar({ live, big = false }: { live: Live; big?: boolean }) {
  const tr = useTr()
  const lang = useLang()
  if (!live.counts) return <span class="muted small">{tr('notStarted')}</span>
  const c = live.counts
  const share = settledShare(c)
  const percent = Math.floor(share * 100)
  const part = (n: number) => `${c.planned > 0 ? (n / c.planned) * 100 : 0}%`
  return (
    <div class={`bc-progress${big ? ' bc-progress-big' : ''}`}>
      <div
        class="bc-bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        data-testid="bc-progress"
        data-percent={percent}
      >
        <span class="bc-bar-sent" style={{ width: part(c.sent) }} />
        <span class="bc-bar-failed" style={{ width: part(c.failed + c.unconfirmed) }} />
        <span class="bc-bar-skipped" style={{ width: part(c.skipped + c.cancelled) }} />
      </div>
      <span class="bc-progress-text small" data-testid="bc-counts">
        {percent}% · {tr('counts', c)}
        {big && live.etaSeconds !== null && c.pending > 0 && (
          <span data-testid="bc-eta"> · {tr('eta', { time: duration(lang, live.etaSeconds) })}</span>
        )}
      </span>
    </div>
  )
}

interface ListProps {
  onOpen: (id: string) => void
  onCompose: () => void
  subscribe: Subscribe
  reconnects: number
}

type Subscribe = (listener: (event: BroadcastEvent) => void) => () => void

function BroadcastList({ onOpen, onCompose, subscribe, reconnects }: ListProps) {
  const tr = useTr()
  const lang = useLang()
  const [items, setItems] = useState<Broadcast[] | null>(null)
  const [next, setNext] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const load = useCallback((cursor: string | null) => {
    broadcastApi.list(cursor).then(
      (page) => {
        setItems((current) => (cursor && current ? [...current, ...page.broadcasts] : page.broadcasts))
        setNext(page.nextCursor)
        setError(null)
      },
      (e: unknown) => setError(message(e)),
    )
  }, [])
  useEffect(() => load(null), [load, reconnects])

  const shown = useRef(items)
  shown.current = items
  useEffect(
    () =>
      subscribe((event) => {
        // A new broadcast (or one not on this page yet) shows up by reloading the first page.
        if (event.kind === 'state' && !shown.current?.some((b) => b.id === event.id)) load(null)
        else setItems((current) => (current ? current.map((b) => applyEvent(b, event)) : null))
      }),
    [subscribe, load],
  )

  return (
    <section class="bc-list" data-testid="bc-list">
      <div class="bc-list-head">
        <button type="button" data-testid="bc-new" onClick={onCompose}>
          {tr('compose')}
        </button>
      </div>
      {error && (
        <p class="form-error" role="alert">
          {tr('errLoad', { message: error })}
        </p>
      )}
      {!items && !error && <p class="list-state">{tr('loading')}</p>}
      {items?.length === 0 && <p class="list-state">{tr('empty')}</p>}
      <ul>
        {items?.map((b) => (
          <li key={b.id} class="bc-item" data-testid="bc-item" data-id={b.id}>
            <a
              href={broadcastPath(b.id)}
              onClick={(e) => {
                e.preventDefault()
                onOpen(b.id)
              }}
            >
              <strong>{b.title}</strong>
            </a>
            <StateBadge state={b.state} />
            <span class="bc-category">{b.categoryName[lang]}</span>
            <span class="muted small">
              {tr('author')}：{b.author.name} · {when(lang, b.createdAt)}
            </span>
            <div class="bc-item-progress">
              {b.progress ? (
                <ProgressBar live={liveOf(b)} />
              ) : (
                <span class="muted small">{tr('estimateCounts', b.estimate)}</span>
              )}
            </div>
          </li>
        ))}
      </ul>
      {next && (
        <button type="button" class="secondary" onClick={() => load(next)}>
          {tr('more')}
        </button>
      )}
    </section>
  )
}

interface DetailProps {
  id: string
  me: Me
  subscribe: Subscribe
  reconnects: number
}

const ENDED: ReadonlyArray<Broadcast['state']> = ['completed', 'cancelled']

function BroadcastDetailView({ id, me, subscribe, reconnects }: DetailProps) {
  const tr = useTr()
  const lang = useLang()
  const [b, setB] = useState<BroadcastDetail | null>(null)
  const [report, setReport] = useState<BroadcastReport | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [actionError, setActionError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [note, setNote] = useState('')
  const [pausedAccounts, setPausedAccounts] = useState<string[]>([])
  const [resumedAccounts, setResumedAccounts] = useState<string[]>([])

  // Readings may come back out of order; only the latest asked for is shown.
  const asked = useRef(0)
  const load = useCallback(() => {
    const ask = ++asked.current
    broadcastApi.detail(id).then(
      ({ broadcast }) => {
        if (ask !== asked.current) return
        setB(broadcast)
        setPausedAccounts(broadcast.accounts.filter((a) => a.paused).map((a) => a.id))
        setError(null)
      },
      (e: unknown) => setError(message(e)),
    )
  }, [id])
  useEffect(load, [load, reconnects])

  useEffect(
    () =>
      subscribe((event) => {
        if (event.id !== id) return
        if (event.kind === 'account_paused' && event.accountId) {
          const accountId = event.accountId
          setPausedAccounts((list) => (list.includes(accountId) ? list : [...list, accountId]))
          setResumedAccounts((list) => list.filter((a) => a !== accountId))
        } else if (event.kind === 'account_resumed' && event.accountId) {
          // Logged in again: its deliveries went on without anyone pressing Resume.
          const accountId = event.accountId
          setPausedAccounts((list) => list.filter((a) => a !== accountId))
          setResumedAccounts((list) => (list.includes(accountId) ? list : [...list, accountId]))
        } else if (event.kind === 'state') {
          // Who approved, when it started or ended: the reading has it all.
          load()
        } else {
          setB((current) => current && { ...current, ...applyEvent(current, event) })
        }
      }),
    [subscribe, id, load],
  )

  const mayReport = b !== null && (b.author.id === me.id || me.role === 'supervisor')
  const ended = b !== null && ENDED.includes(b.state)
  useEffect(() => {
    if (!ended || !mayReport) return
    broadcastApi.report(id).then(setReport, (e: unknown) => setActionError(message(e)))
  }, [ended, mayReport, id])

  const act = async (call: () => Promise<unknown>) => {
    setBusy(true)
    setActionError(null)
    try {
      await call()
      load()
    } catch (e) {
      setActionError(message(e))
    } finally {
      setBusy(false)
    }
  }

  if (error)
    return (
      <p class="form-error" role="alert" data-testid="bc-detail-error">
        {tr('errLoad', { message: error })}
      </p>
    )
  if (!b) return <p class="list-state">{tr('loading')}</p>

  const own = b.author.id === me.id
  const isSupervisor = me.role === 'supervisor'
  const mayControl = own || isSupervisor
  const targets = [
    b.targets.station ? tr('targetsStation') : null,
    ...b.targets.beats.map((x) => `${x.code} ${x.name}`),
    ...b.targets.compounds.map((x) => x.name),
    ...b.targets.tags.map((x) => `#${x}`),
    ...b.targets.groups.map((x) => x.name),
  ].filter(Boolean)
  const unconfirmed = b.progress?.unconfirmed ?? 0

  return (
    <article class="bc-detail" data-testid="bc-detail" data-id={b.id}>
      <h1>
        {b.title} <StateBadge state={b.state} />
      </h1>
      <p class="muted">
        {b.categoryName[lang]}
        {b.urgent && ' ⚡'} · {tr('author')}：{b.author.name} · {tr('created')} {when(lang, b.createdAt)}
        {b.sendAt && ` · ${tr('sendAtLabel', { time: when(lang, b.sendAt) })}`}
      </p>
      <p class="bc-targets-line">{targets.join(' · ')}</p>
      {b.imageId && (
        <a href={pictureUrl(b.imageId)} target="_blank" rel="noreferrer" class="bc-image">
          <img src={pictureUrl(b.imageId)} alt={tr('imageAlt')} data-testid="bc-detail-image" />
        </a>
      )}
      <blockquote class="bc-text">{b.text.zh}</blockquote>
      {b.text.en && <blockquote class="bc-text">{b.text.en}</blockquote>}
      {b.linkUrl && (
        <p>
          <a href={b.linkUrl} rel="noreferrer noopener" target="_blank">
            {b.linkUrl}
          </a>
        </p>
      )}

      <section class="bc-approval" data-testid="bc-approval">
        <h2>{tr('approval')}</h2>
        <p>
          {!b.approval.required
            ? tr('noApproval')
            : b.approval.decision && b.approval.by && b.approval.at
              ? tr(b.approval.decision === 'approved' ? 'approvedBy' : 'rejectedBy', {
                  name: b.approval.by.name,
                  time: when(lang, b.approval.at),
                })
              : tr('awaitingApproval')}
          {b.approval.reason && (
            <span class="muted">
              {' '}
              (
              {b.approval.reason === 'station_wide'
                ? tr('reason.station_wide')
                : tr('reason.over_threshold_plain')}
              )
            </span>
          )}
        </p>
        {b.approval.note && <p class="muted">{b.approval.note}</p>}
        {b.state === 'pending_approval' && isSupervisor && !own && (
          <div class="bc-actions">
            <input
              value={note}
              placeholder={tr('note')}
              maxLength={500}
              onInput={(e) => setNote(e.currentTarget.value)}
            />
            <button
              type="button"
              data-testid="bc-approve"
              disabled={busy}
              onClick={() => void act(() => broadcastApi.decide(b.id, 'approve', note.trim()))}
            >
              {tr('approve')}
            </button>
            <button
              type="button"
              class="secondary"
              data-testid="bc-reject"
              disabled={busy}
              onClick={() => void act(() => broadcastApi.decide(b.id, 'reject', note.trim()))}
            >
              {tr('reject')}
            </button>
          </div>
        )}
        {b.state === 'pending_approval' && isSupervisor && own && (
          <p class="muted small">{tr('ownNoApprove')}</p>
        )}
      </section>

      <section class="bc-progress-section">
        <h2>
          {tr('progress')} <span class="muted small">· {tr('liveHint')}</span>
        </h2>
        {pausedAccounts.length > 0 && (
          <p class="bc-warn" role="alert" data-testid="bc-account-paused">
            {pausedAccounts.map((accountId) => tr('accountPaused', { id: accountId })).join(' ')}
          </p>
        )}
        {resumedAccounts.length > 0 && (
          <p class="muted" role="status" data-testid="bc-account-resumed">
            {resumedAccounts.map((accountId) => tr('accountResumed', { id: accountId })).join(' ')}
          </p>
        )}
        <ProgressBar live={liveOf(b)} big />
        {mayControl && (
          <div class="bc-actions">
            {b.state === 'sending' && (
              <button
                type="button"
                class="secondary"
                data-testid="bc-pause"
                disabled={busy}
                onClick={() => void act(() => broadcastApi.act(b.id, 'pause'))}
              >
                {tr('pause')}
              </button>
            )}
            {(b.state === 'paused' || (b.state === 'sending' && pausedAccounts.length > 0)) && (
              <button
                type="button"
                data-testid="bc-resume"
                disabled={busy}
                onClick={() => {
                  setPausedAccounts([])
                  void act(() => broadcastApi.act(b.id, 'resume'))
                }}
              >
                {tr('resume')}
              </button>
            )}
            {['pending_approval', 'scheduled', 'sending', 'paused'].includes(b.state) && (
              <button
                type="button"
                class="secondary bc-danger"
                data-testid="bc-cancel"
                disabled={busy}
                onClick={() => {
                  if (confirm(tr('confirmCancel'))) void act(() => broadcastApi.act(b.id, 'cancel'))
                }}
              >
                {tr('cancel')}
              </button>
            )}
            {unconfirmed > 0 && (
              <button
                type="button"
                class="secondary"
                disabled={busy}
                onClick={() => void act(() => broadcastApi.resendUnconfirmed(b.id))}
              >
                {tr('resend', { n: unconfirmed })}
              </button>
            )}
          </div>
        )}
        {actionError && (
          <p class="form-error" role="alert" data-testid="bc-action-error">
            {actionError}
          </p>
        )}
      </section>

      {report && <ReportView report={report} tr={tr} />}
    </article>
  )
}

function ReportView({ report, tr }: { report: BroadcastReport; tr: Tr }) {
  return (
    <section class="bc-report" data-testid="bc-report">
      <h2>{tr('report')}</h2>
      <p class="small">{tr('counts', report.counts)}</p>
      <ul class="bc-skipped" data-testid="bc-skipped">
        <li>{tr('skippedOpt', { n: report.skipped.opted_out })}</li>
        <li>{tr('skippedNoContact', { n: report.skipped.no_contact })}</li>
      </ul>
      <h3>{tr('failures', { n: report.failuresTotal })}</h3>
      {report.failures.length === 0 ? (
        <p class="muted" data-testid="bc-no-failures">
          {tr('noFailures')}
        </p>
      ) : (
        <table class="bc-failures" data-testid="bc-failures">
          <thead>
            <tr>
              <th>{tr('colResident')}</th>
              <th>{tr('colAccount')}</th>
              <th>{tr('colReason')}</th>
              <th>{tr('colAttempts')}</th>
            </tr>
          </thead>
          <tbody>
            {report.failures.map((f) => (
              <tr key={f.deliveryId} data-state={f.state}>
                <td>
                  {f.resident ? `${f.resident.code} ${f.resident.name ?? ''}` : f.group}
                  {f.state === 'unconfirmed' && <span class="muted small"> ({tr('unconfirmed')})</span>}
                </td>
                <td>{f.accountId ?? '—'}</td>
                <td>{f.reason ?? '—'}</td>
                <td>{f.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
