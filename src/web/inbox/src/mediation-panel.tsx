import { useEffect, useState } from 'preact/hooks'
import type { MediationView } from '../../../app/forms/mediation.ts'
import type { FollowUpResult, NextStep, PartyRole } from '../../../domain/forms/mediation.ts'
import { ApiError } from './api.ts'
import { useLang } from './hooks.ts'
import { type MediatorChoice, mediationApi } from './mediation-api.ts'
import { type MediationKey, mediationText } from './mediation-strings.ts'
import type { CaseCategory, Lang } from './types.ts'
import './mediation.css'

const message = (error: unknown) => (error instanceof ApiError ? error.message : String(error))

type Run = (action: () => Promise<{ mediation: MediationView }>) => Promise<boolean>
type Tr = (key: MediationKey, vars?: Record<string, string | number>) => string

interface MediationPanelProps {
  caseId: string
  /** The case's version: a change elsewhere (a reply, a status) reloads the section. */
  version: number
  category: CaseCategory
}

function when(at: string, timeZone: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone,
    month: 'short',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at))
}

/**
 * The mediation of a case: parties, mediator, sessions, outcome and the
 * follow-up visit, each with its form. A dispute case without one offers to
 * start it; a mediation request always has one.
 */
export function MediationPanel({ caseId, version, category }: MediationPanelProps) {
  const lang = useLang()
  const tr: Tr = (key, vars) => mediationText(lang, key, vars)
  const [view, setView] = useState<MediationView | null>(null)
  const [missing, setMissing] = useState(false)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    mediationApi.get(caseId).then(
      (answer) => {
        if (!live) return
        setView(answer.mediation)
        setMissing(false)
        setLoadError(null)
      },
      (e: unknown) => {
        if (!live) return
        if (e instanceof ApiError && e.status === 404) setMissing(true)
        else setLoadError(message(e))
      },
    )
    return () => {
      live = false
    }
  }, [caseId, version])

  const run: Run = async (action) => {
    setBusy(true)
    setError(null)
    try {
      setView((await action()).mediation)
      setMissing(false)
      return true
    } catch (e) {
      setError(message(e))
      return false
    } finally {
      setBusy(false)
    }
  }

  if (loadError) return <p class="form-error md-message">{tr('errLoad', { message: loadError })}</p>
  if (missing)
    return category === 'dispute' ? (
      <StartForm caseId={caseId} version={version} run={run} busy={busy} error={error} tr={tr} />
    ) : null
  if (!view) return <p class="muted md-message">{tr('loading')}</p>

  const open = view.state === 'open'
  const mediatorName = view.mediator
    ? view.mediator.kind === 'team'
      ? `${tr('team')}（${view.mediator.members.map((m) => m.name).join('、')}）`
      : view.mediator.name
    : tr('noMediator')
  return (
    <details
      class="mediation"
      data-testid="mediation"
      data-state={view.state}
      open={open || (view.state === 'settled' && !view.followUp?.at)}
    >
      <summary>
        <strong>{tr('title')}</strong>
        <span class={`md-state md-state-${view.state}`}>{tr(`state.${view.state}`)}</span>
        <span class="muted">{tr(`source.${view.source}`)}</span>
      </summary>
      <dl class="md-facts">
        <div>
          <dt>{tr('subject')}</dt>
          <dd>{view.subject}</dd>
        </div>
        <div>
          <dt>{tr('preferredTimes')}</dt>
          <dd>{view.preferredTimes ?? <span class="muted">{tr('none')}</span>}</dd>
        </div>
        <div>
          <dt>{tr('mediator')}</dt>
          <dd data-testid="md-mediator">{mediatorName}</dd>
        </div>
      </dl>
      {error && (
        <p class="form-error" role="alert" data-testid="md-error">
          {error}
        </p>
      )}
      <Parties view={view} run={run} busy={busy} tr={tr} />
      <Sessions view={view} run={run} busy={busy} tr={tr} lang={lang} />
      {open && <MediatorForm view={view} run={run} busy={busy} tr={tr} />}
      <Outcome view={view} run={run} busy={busy} tr={tr} lang={lang} />
      {view.followUp && <FollowUp view={view} run={run} busy={busy} tr={tr} lang={lang} />}
    </details>
  )
}

interface PartProps {
  view: MediationView
  run: Run
  busy: boolean
  tr: Tr
}

function StartForm(props: {
  caseId: string
  version: number
  run: Run
  busy: boolean
  error: string | null
  tr: Tr
}) {
  const { tr } = props
  const [subject, setSubject] = useState('')
  const [times, setTimes] = useState('')
  const submit = (event: Event) => {
    event.preventDefault()
    void props.run(() =>
      mediationApi.open(props.caseId, {
        version: props.version,
        subject: subject.trim(),
        ...(times.trim() ? { preferredTimes: times.trim() } : {}),
      }),
    )
  }
  return (
    <details class="mediation" data-testid="mediation-start">
      <summary>
        <strong>{tr('start')}</strong>
      </summary>
      <p class="muted small">{tr('startHint')}</p>
      <form class="md-form" onSubmit={submit}>
        <label class="md-wide">
          <span>{tr('subject')}</span>
          <input
            type="text"
            required
            maxLength={500}
            value={subject}
            data-testid="md-start-subject"
            onInput={(e) => setSubject(e.currentTarget.value)}
          />
        </label>
        <label class="md-wide">
          <span>{tr('preferredTimes')}</span>
          <input type="text" maxLength={100} value={times} onInput={(e) => setTimes(e.currentTarget.value)} />
        </label>
        {props.error && (
          <p class="form-error md-wide" role="alert">
            {props.error}
          </p>
        )}
        <div class="md-actions">
          <button type="submit" class="primary" disabled={props.busy} data-testid="md-start">
            {tr('startButton')}
          </button>
        </div>
      </form>
    </details>
  )
}

function Parties({ view, run, busy, tr }: PartProps) {
  const [role, setRole] = useState<PartyRole>('respondent')
  const [name, setName] = useState('')
  const [phone, setPhone] = useState('')
  const [code, setCode] = useState('')
  const add = async (event: Event) => {
    event.preventDefault()
    const done = await run(() =>
      mediationApi.addParty(view.caseId, {
        role,
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(phone.trim() ? { phone: phone.trim() } : {}),
        ...(code.trim() ? { residentCode: code.trim() } : {}),
      }),
    )
    if (done) {
      setName('')
      setPhone('')
      setCode('')
    }
  }
  const open = view.state === 'open'
  return (
    <section class="md-section">
      <h3 class="panel-heading">{tr('parties')}</h3>
      <ul class="md-list">
        {view.parties.map((p) => (
          <li key={p.id} data-testid="md-party" data-role={p.role}>
            <span class="md-chip">{tr(`role.${p.role}`)}</span>
            <strong>{p.name}</strong>
            {p.phone && <a href={`tel:${p.phone}`}>{p.phone}</a>}
            {p.resident?.code && <span class="muted">{p.resident.code}</span>}
            <span class={p.reachable ? 'md-ok' : 'muted'}>
              {p.reachable ? tr('reachable') : tr('unreachable')}
            </span>
            {open && (
              <button
                type="button"
                class="link-button"
                disabled={busy}
                onClick={() => void run(() => mediationApi.removeParty(view.caseId, p.id))}
              >
                {tr('remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {open && (
        <details>
          <summary class="panel-heading" data-testid="md-open-party">
            {tr('addParty')}
          </summary>
          <form class="md-form" onSubmit={add} data-testid="md-add-party">
            <label>
              <span>{tr('fieldRole')}</span>
              <select value={role} onChange={(e) => setRole(e.currentTarget.value as PartyRole)}>
                {(['applicant', 'respondent', 'other'] as const).map((r) => (
                  <option key={r} value={r}>
                    {tr(`role.${r}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span>{tr('fieldName')}</span>
              <input
                type="text"
                maxLength={50}
                value={name}
                data-testid="md-party-name"
                onInput={(e) => setName(e.currentTarget.value)}
              />
            </label>
            <label>
              <span>{tr('fieldPhone')}</span>
              <input
                type="tel"
                maxLength={30}
                value={phone}
                data-testid="md-party-phone"
                onInput={(e) => setPhone(e.currentTarget.value)}
              />
            </label>
            <label>
              <span>{tr('fieldCode')}</span>
              <input
                type="text"
                maxLength={20}
                value={code}
                onInput={(e) => setCode(e.currentTarget.value)}
              />
            </label>
            <div class="md-actions">
              <button type="submit" class="secondary" disabled={busy} data-testid="md-party-add">
                {tr('add')}
              </button>
            </div>
          </form>
        </details>
      )}
    </section>
  )
}

function Sessions({ view, run, busy, tr, lang }: PartProps & { lang: Lang }) {
  const [at, setAt] = useState('')
  const [place, setPlace] = useState('')
  const [note, setNote] = useState('')
  const schedule = async (event: Event) => {
    event.preventDefault()
    const done = await run(() =>
      mediationApi.schedule(view.caseId, {
        at,
        place: place.trim(),
        ...(note.trim() ? { note: note.trim() } : {}),
      }),
    )
    if (done) {
      setAt('')
      setNote('')
    }
  }
  const open = view.state === 'open'
  return (
    <section class="md-section">
      <h3 class="panel-heading">{tr('sessions')}</h3>
      {view.sessions.length === 0 && <p class="muted small">{tr('noSessions')}</p>}
      <ul class="md-list">
        {view.sessions.map((s) => (
          <li key={s.id} data-testid="md-session" data-state={s.state}>
            <span class={`md-chip md-session-${s.state}`}>{tr(`session.${s.state}`)}</span>
            <strong>{when(s.at, view.timeZone, lang)}</strong>
            <span>{s.place}</span>
            {s.note && <span class="muted">{s.note}</span>}
            {s.cancelReason && <span class="muted">{s.cancelReason}</span>}
            {open && s.state === 'scheduled' && (
              <button
                type="button"
                class="link-button"
                disabled={busy}
                onClick={() => void run(() => mediationApi.cancelSession(view.caseId, s.id))}
              >
                {tr('cancelSession')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {open && (
        <details>
          <summary class="panel-heading" data-testid="md-open-schedule">
            {tr('schedule')}
          </summary>
          <p class="muted small">{tr('scheduleHint')}</p>
          <form class="md-form" onSubmit={schedule} data-testid="md-schedule">
            <label>
              <span>{tr('fieldAt')}</span>
              <input
                type="datetime-local"
                required
                value={at}
                data-testid="md-at"
                onInput={(e) => setAt(e.currentTarget.value)}
              />
            </label>
            <label>
              <span>{tr('fieldPlace')}</span>
              <input
                type="text"
                required
                maxLength={100}
                value={place}
                data-testid="md-place"
                onInput={(e) => setPlace(e.currentTarget.value)}
              />
            </label>
            <label class="md-wide">
              <span>{tr('fieldNote')}</span>
              <input
                type="text"
                maxLength={300}
                value={note}
                onInput={(e) => setNote(e.currentTarget.value)}
              />
            </label>
            <div class="md-actions">
              <button type="submit" class="primary" disabled={busy} data-testid="md-schedule-submit">
                {tr('scheduleButton')}
              </button>
            </div>
          </form>
        </details>
      )}
    </section>
  )
}

function MediatorForm({ view, run, busy, tr }: PartProps) {
  const [officers, setOfficers] = useState<Array<{ id: string; name: string; team: string | null }> | null>(
    null,
  )
  const current = view.mediator?.officerId ?? (view.mediator?.kind === 'team' ? 'team' : 'none')
  const [choice, setChoice] = useState(current)
  const load = () => {
    if (officers) return
    mediationApi.officers().then(
      (answer) =>
        setOfficers(
          answer.officers
            .filter((o) => o.role !== 'admin' && o.active !== false)
            .map((o) => ({ id: o.id, name: o.name, team: o.team })),
        ),
      () => setOfficers([]),
    )
  }
  const save = (event: Event) => {
    event.preventDefault()
    const body: MediatorChoice =
      choice === 'team' ? { team: true } : choice === 'none' ? { none: true } : { officerId: choice }
    void run(() => mediationApi.setMediator(view.caseId, body))
  }
  const hasTeam = officers?.some((o) => o.team === 'mediation') ?? false
  return (
    <details class="md-section" onToggle={load}>
      <summary class="panel-heading">{tr('changeMediator')}</summary>
      <form class="md-form" onSubmit={save}>
        <label>
          <span>{tr('mediator')}</span>
          <select
            value={choice}
            data-testid="md-mediator-select"
            onChange={(e) => setChoice(e.currentTarget.value)}
          >
            <option value="none">{tr('noMediator')}</option>
            {hasTeam && <option value="team">{tr('team')}</option>}
            {(officers ?? []).map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
                {o.team === 'mediation' ? ` · ${tr('team')}` : ''}
              </option>
            ))}
          </select>
        </label>
        <div class="md-actions">
          <button type="submit" class="secondary" disabled={busy || !officers}>
            {tr('save')}
          </button>
        </div>
      </form>
    </details>
  )
}

function Outcome({ view, run, busy, tr, lang }: PartProps & { lang: Lang }) {
  const [result, setResult] = useState<'settled' | 'not_settled'>('settled')
  const [terms, setTerms] = useState('')
  const [nextStep, setNextStep] = useState<NextStep>('committee')
  const [note, setNote] = useState('')
  const o = view.outcome
  if (o)
    return (
      <section class="md-section" data-testid="md-outcome">
        <h3 class="panel-heading">{tr('outcome')}</h3>
        <p>
          <span class={`md-state md-state-${o.result}`}>
            {tr(o.result === 'settled' ? 'settled' : 'notSettled')}
          </span>{' '}
          {o.terms ?? (o.nextStep ? tr(`next.${o.nextStep}`) : '')}
        </p>
        {o.note && <p class="muted small">{o.note}</p>}
        <p class="muted small">{tr('by', { name: o.by?.name ?? '', at: when(o.at, view.timeZone, lang) })}</p>
      </section>
    )
  const submit = (event: Event) => {
    event.preventDefault()
    void run(() =>
      mediationApi.outcome(
        view.caseId,
        result === 'settled'
          ? { result, terms: terms.trim() }
          : { result, nextStep, ...(note.trim() ? { note: note.trim() } : {}) },
      ),
    )
  }
  return (
    <details class="md-section">
      <summary class="panel-heading" data-testid="md-open-outcome">
        {tr('outcome')}
      </summary>
      <p class="muted small">{tr('outcomeHint')}</p>
      <form class="md-form" onSubmit={submit} data-testid="md-outcome-form">
        <fieldset class="md-wide md-choice">
          {(['settled', 'not_settled'] as const).map((r) => (
            <label key={r}>
              <input
                type="radio"
                name="md-result"
                value={r}
                checked={result === r}
                data-testid={`md-result-${r}`}
                onChange={() => setResult(r)}
              />
              {tr(r === 'settled' ? 'settled' : 'notSettled')}
            </label>
          ))}
        </fieldset>
        {result === 'settled' ? (
          <label class="md-wide">
            <span>{tr('fieldTerms')}</span>
            <textarea
              required
              maxLength={2000}
              rows={3}
              value={terms}
              data-testid="md-terms"
              onInput={(e) => setTerms(e.currentTarget.value)}
            />
          </label>
        ) : (
          <>
            <label>
              <span>{tr('fieldNextStep')}</span>
              <select value={nextStep} onChange={(e) => setNextStep(e.currentTarget.value as NextStep)}>
                {(['committee', 'court', 'police'] as const).map((n) => (
                  <option key={n} value={n}>
                    {tr(`next.${n}`)}
                  </option>
                ))}
              </select>
            </label>
            <label class="md-wide">
              <span>{tr('fieldOutcomeNote')}</span>
              <input
                type="text"
                maxLength={500}
                value={note}
                onInput={(e) => setNote(e.currentTarget.value)}
              />
            </label>
          </>
        )}
        <div class="md-actions">
          <button type="submit" class="primary" disabled={busy} data-testid="md-outcome-submit">
            {tr('recordOutcome')}
          </button>
        </div>
      </form>
    </details>
  )
}

function FollowUp({ view, run, busy, tr, lang }: PartProps & { lang: Lang }) {
  const [result, setResult] = useState<FollowUpResult>('kept')
  const [note, setNote] = useState('')
  const f = view.followUp
  if (!f) return null
  const submit = (event: Event) => {
    event.preventDefault()
    void run(() =>
      mediationApi.followUp(view.caseId, { result, ...(note.trim() ? { note: note.trim() } : {}) }),
    )
  }
  return (
    <section class="md-section" data-testid="md-follow-up">
      <h3 class="panel-heading">{tr('followUp')}</h3>
      {f.at && f.result ? (
        <p>
          <span class="md-chip">{tr(`follow.${f.result}`)}</span> {f.note}
          <span class="muted small">
            {' '}
            {tr('by', { name: f.by?.name ?? '', at: when(f.at, view.timeZone, lang) })}
          </span>
        </p>
      ) : (
        <>
          <p class="muted small">{tr('followUpDue', { date: when(f.dueAt, view.timeZone, lang) })}</p>
          <form class="md-form" onSubmit={submit}>
            <label>
              <span>{tr('followUp')}</span>
              <select value={result} onChange={(e) => setResult(e.currentTarget.value as FollowUpResult)}>
                {(['kept', 'partly_kept', 'broken'] as const).map((r) => (
                  <option key={r} value={r}>
                    {tr(`follow.${r}`)}
                  </option>
                ))}
              </select>
            </label>
            <label class="md-wide">
              <span>{tr('fieldNote')}</span>
              <input
                type="text"
                maxLength={500}
                value={note}
                onInput={(e) => setNote(e.currentTarget.value)}
              />
            </label>
            <div class="md-actions">
              <button type="submit" class="secondary" disabled={busy}>
                {tr('recordFollowUp')}
              </button>
            </div>
          </form>
        </>
      )}
    </section>
  )
}
