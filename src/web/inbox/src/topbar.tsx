import { broadcastText } from './broadcast-strings.ts'
import { useLang, useT } from './hooks.ts'
import { BROADCASTS_PATH, PERMITS_PATH, REPORTS_PATH, ROSTER_PATH } from './paths.ts'
import { permitText } from './permit-strings.ts'
import type { ConnectionState, Me } from './types.ts'

interface TopBarProps {
  me: Me
  connection: ConnectionState
  onToggleLang: () => void
  onLogout: () => void
  onHelp: () => void
}

/** The navy bar: who is signed in, whether the live stream is up, language, help and sign-out. */
export function TopBar({ me, connection, onToggleLang, onLogout, onHelp }: TopBarProps) {
  const tr = useT()
  const lang = useLang()
  const name = lang === 'en' && me.nameEn ? me.nameEn : me.name
  const label =
    connection === 'open'
      ? tr('connOpen')
      : connection === 'reconnecting'
        ? tr('connReconnecting')
        : tr('connConnecting')
  const hint = connection === 'open' ? tr('connOpenHint') : tr('connReconnectingHint')
  return (
    <header class="topbar">
      <div class="brand">
        <span class="brand-mark" aria-hidden="true">
          警
        </span>
        <div class="brand-text">
          <span class="brand-name">{tr('appTitle')}</span>
          <span class="brand-station">{me.stationName}</span>
        </div>
      </div>
      <div class="topbar-tools">
        <span
          class={`connection connection-${connection}`}
          data-testid="connection"
          data-state={connection === 'open' ? 'open' : 'reconnecting'}
          role="status"
          title={hint}
        >
          <span class="connection-dot" aria-hidden="true" />
          <span class="connection-text">{label}</span>
        </span>
        {me.role !== 'admin' && (
          <a class="bar-button" href={BROADCASTS_PATH} data-testid="nav-broadcasts">
            {broadcastText(lang, 'nav')}
          </a>
        )}
        {me.role !== 'admin' && (
          <a class="bar-button" href={PERMITS_PATH} data-testid="nav-permits">
            {permitText(lang, 'nav')}
          </a>
        )}
        <a class="bar-button" href={ROSTER_PATH} data-testid="nav-roster">
          {tr('navRoster')}
        </a>
        {me.role !== 'officer' && (
          <a class="bar-button" href={REPORTS_PATH} data-testid="nav-reports">
            {tr('navReports')}
          </a>
        )}
        <span class="whoami" title={`${name} · ${me.badge}`}>
          <span class="whoami-name">{name}</span>
          <span class="whoami-badge">{me.badge}</span>
        </span>
        <button
          type="button"
          class="bar-button bar-help"
          onClick={onHelp}
          aria-label={tr('help')}
          title={tr('help')}
        >
          ?
        </button>
        <button
          type="button"
          class="bar-button"
          data-testid="lang-toggle"
          onClick={onToggleLang}
          aria-label={tr('langSwitchLabel')}
        >
          {tr('langSwitch')}
        </button>
        <button type="button" class="bar-button" data-testid="logout" onClick={onLogout}>
          {tr('logout')}
        </button>
      </div>
    </header>
  )
}
