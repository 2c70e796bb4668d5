import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, api } from './api.ts'
import { retryAfterMinutes } from './format.ts'
import { useT } from './hooks.ts'
import type { MessageKey } from './i18n.ts'
import type { Session } from './types.ts'

interface LoginProps {
  onSignedIn: (session: Session) => void
  onToggleLang: () => void
  /** Why the form is showing, e.g. the session expired. */
  notice: MessageKey | null
}

/** The sign-in form; errors are specific (wrong password, locked out, server down) without saying which field was wrong. */
export function LoginPage({ onSignedIn, onToggleLang, notice }: LoginProps) {
  const tr = useT()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [detail, setDetail] = useState<string | null>(null)
  const userRef = useRef<HTMLInputElement>(null)
  const passRef = useRef<HTMLInputElement>(null)

  useEffect(() => userRef.current?.focus(), [])

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault()
    if (busy) return
    if (!username.trim() || !password) {
      setError(tr('errMissing'))
      setDetail(null)
      ;(username.trim() ? passRef : userRef).current?.focus()
      return
    }
    setBusy(true)
    setError(null)
    setDetail(null)
    try {
      onSignedIn(await api.login(username.trim(), password))
    } catch (caught) {
      const failure = caught instanceof ApiError ? caught : new ApiError(0, 'NETWORK', '')
      if (failure.status === 429 || failure.code === 'LOCKED') {
        const minutes = retryAfterMinutes(failure.retryAfter, Date.now())
        setError(tr('errLocked'))
        setDetail(minutes ? tr('errLockedRetry', { minutes }) : failure.message || null)
      } else if (failure.status === 401) {
        setError(tr('errInvalid'))
      } else if (failure.status === 0) {
        setError(tr('errNetwork'))
      } else {
        setError(tr('errServer', { status: failure.status }))
        setDetail(failure.message || null)
      }
      setPassword('')
      passRef.current?.focus()
    } finally {
      setBusy(false)
    }
  }

  return (
    <div class="login">
      <header class="login-bar">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            警
          </span>
          <span class="brand-name">{tr('appTitle')}</span>
        </div>
        <button
          type="button"
          class="bar-button"
          data-testid="lang-toggle"
          onClick={onToggleLang}
          aria-label={tr('langSwitchLabel')}
        >
          {tr('langSwitch')}
        </button>
      </header>
      <main class="login-main">
        <form class="login-card" onSubmit={submit} noValidate aria-labelledby="login-title">
          <h1 id="login-title">{tr('loginTitle')}</h1>
          <p class="login-intro">{tr('loginIntro')}</p>
          {notice && !error && (
            <p class="login-notice" role="status">
              {tr(notice)}
            </p>
          )}
          <label for="login-username">{tr('username')}</label>
          <input
            id="login-username"
            ref={userRef}
            name="username"
            type="text"
            autocomplete="username"
            autocapitalize="off"
            spellcheck={false}
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'login-error' : undefined}
            data-testid="login-username"
          />
          <label for="login-password">{tr('password')}</label>
          <input
            id="login-password"
            ref={passRef}
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'login-error' : undefined}
            data-testid="login-password"
          />
          <div id="login-error" class="form-error" role="alert" data-testid="login-error" hidden={!error}>
            {error && <strong>{error}</strong>}
            {detail && <span>{detail}</span>}
          </div>
          <button type="submit" class="primary" disabled={busy} data-testid="login-submit">
            {busy ? tr('signingIn') : tr('signIn')}
          </button>
        </form>
        <p class="login-footer">{tr('loginFooter')}</p>
      </main>
    </div>
  )
}
