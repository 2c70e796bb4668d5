import { useCallback, useEffect, useState } from 'preact/hooks'
import { ApiError, api, onSessionLost, setCsrfToken } from './api.ts'
import { BroadcastsPage } from './broadcasts.tsx'
import { LangContext } from './hooks.ts'
import { initialLang, type MessageKey } from './i18n.ts'
import { Inbox } from './inbox.tsx'
import { LoginPage } from './login.tsx'
import { isBroadcastsPath, isPermitsPath, isReportsPath, isRosterPath } from './paths.ts'
import { PermitsPage } from './permits-page.tsx'
import { ReportsPage } from './reports.tsx'
import { RosterPage } from './roster.tsx'
import type { Lang, Me, Session } from './types.ts'

const LANG_KEY = 'mb.inbox.lang'

function savedLang(): string | null {
  try {
    return localStorage.getItem(LANG_KEY)
  } catch {
    return null
  }
}

/** The whole page: asks the server who is signed in, then shows the sign-in form or the inbox. */
export function App() {
  const [lang, setLang] = useState<Lang>(() => initialLang(savedLang()))
  const [me, setMe] = useState<Me | null | 'checking'>('checking')
  const [notice, setNotice] = useState<MessageKey | null>(null)

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'
    try {
      localStorage.setItem(LANG_KEY, lang)
    } catch {
      // Private mode may refuse storage; the switch still works for this visit.
    }
  }, [lang])

  const signedIn = useCallback((session: Session) => {
    setCsrfToken(session.csrfToken)
    setNotice(null)
    setMe(session.officer)
  }, [])

  useEffect(() => {
    onSessionLost(() => {
      setCsrfToken('')
      setMe((current) => {
        if (current && current !== 'checking') setNotice('sessionExpired')
        return null
      })
    })
    api
      .me()
      .then(signedIn)
      .catch((error: unknown) => {
        if (!(error instanceof ApiError) || error.status !== 401) setNotice('errNetwork')
        setMe(null)
      })
  }, [signedIn])

  const toggleLang = useCallback(() => setLang((current) => (current === 'zh' ? 'en' : 'zh')), [])

  const logout = useCallback(async () => {
    try {
      await api.logout()
    } catch {
      // The session is dropped on this side regardless; the server ends it on expiry.
    }
    setCsrfToken('')
    setNotice('loggedOut')
    setMe(null)
  }, [])

  return (
    <LangContext.Provider value={lang}>
      {me === 'checking' ? (
        <div class="splash" aria-busy="true" />
      ) : me === null ? (
        <LoginPage onSignedIn={signedIn} onToggleLang={toggleLang} notice={notice} />
      ) : me.role !== 'officer' && isReportsPath(location.pathname) ? (
        <ReportsPage me={me} onToggleLang={toggleLang} onLogout={logout} />
      ) : isRosterPath(location.pathname) ? (
        <RosterPage me={me} onToggleLang={toggleLang} onLogout={logout} />
      ) : me.role !== 'admin' && isBroadcastsPath(location.pathname) ? (
        <BroadcastsPage me={me} onToggleLang={toggleLang} onLogout={logout} />
      ) : me.role !== 'admin' && isPermitsPath(location.pathname) ? (
        <PermitsPage me={me} onToggleLang={toggleLang} onLogout={logout} />
      ) : (
        <Inbox me={me} onToggleLang={toggleLang} onLogout={logout} />
      )}
    </LangContext.Provider>
  )
}
