// Resident web chat: plain ES module, no build step, no external resources.

import { createServiceForms } from './forms.js'

const STORAGE_TOKEN = 'maplebridge.chat.token'
const STORAGE_LANG = 'maplebridge.chat.lang'
const MAX_CHARS = 4000
const COUNTER_FROM = 3500
const API = '/chat/api'

const STRINGS = {
  zh: {
    htmlLang: 'zh-CN',
    locale: 'zh-CN',
    title: '社区民警在线',
    subtitle: '给您的社区民警留言',
    welcomeTitle: '您好',
    welcomeIntro: '在这里给社区民警留言。我们会马上告诉您案件编号和负责的民警，民警的回复会显示在这里。',
    nameLabel: '怎么称呼您？（选填）',
    namePlaceholder: '例如：王阿姨',
    start: '开始留言',
    starting: '正在连接…',
    skip: '跳过，直接留言',
    historyLabel: '对话记录',
    empty: '请描述您的问题或需要，例如地址和发生了什么。',
    messageLabel: '留言内容',
    messagePlaceholder: '输入留言…',
    send: '发送',
    sending: '发送中…',
    sent: '已发送',
    failed: '未发送 — 点击重试',
    you: '我：',
    officer: '民警：',
    picture: '民警发来的照片',
    pictureFailed: '照片加载失败',
    caseTag: (n) => `案件 ${n}`,
    connecting: '正在连接…',
    lost: '连接已断开，正在重新连接…',
    offline: '网络已断开，恢复后会自动重新连接',
    errEmpty: '请先输入留言内容',
    errTooLong: (n) => `留言太长了：最多 4000 字，现在 ${n} 字`,
    errNetwork: '网络不通，请稍后重试',
    errSession: '会话已失效，请重新开始',
    errGeneric: '出了点问题，请稍后重试',
    toggle: 'English',
    toggleLang: 'en',
    toggleLabel: 'Switch to English',
  },
  en: {
    htmlLang: 'en',
    locale: 'en-GB',
    title: 'Community police chat',
    subtitle: 'Message your neighbourhood officer',
    welcomeTitle: 'Hello',
    welcomeIntro:
      'Leave a message for your community police officer here. You will get a case number and the name of the officer handling it straight away; replies appear on this page.',
    nameLabel: 'What should we call you? (optional)',
    namePlaceholder: 'e.g. Mrs Wang',
    start: 'Start',
    starting: 'Connecting…',
    skip: 'Skip',
    historyLabel: 'Conversation',
    empty: 'Tell us what you need, for example the address and what happened.',
    messageLabel: 'Your message',
    messagePlaceholder: 'Type a message…',
    send: 'Send',
    sending: 'sending…',
    sent: 'sent',
    failed: 'not sent — tap to retry',
    you: 'You: ',
    officer: 'Officer: ',
    picture: 'Photo from the officer',
    pictureFailed: 'The photo could not be loaded',
    caseTag: (n) => `Case ${n}`,
    connecting: 'Connecting…',
    lost: 'Connection lost — reconnecting…',
    offline: 'You are offline; we will reconnect when the network is back',
    errEmpty: 'Please type a message first',
    errTooLong: (n) => `Your message is too long: at most 4,000 characters (now ${n})`,
    errNetwork: 'Network problem — please try again',
    errSession: 'Your session has expired — please start again',
    errGeneric: 'Something went wrong — please try again',
    toggle: '中文',
    toggleLang: 'zh-CN',
    toggleLabel: '切换到中文',
  },
}

/** An API failure with the server's stable code and a message fit to show the resident. */
class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message)
    this.status = status
    this.code = code
    // Per-field messages of a refused form, by field key.
    this.details = details
  }
}

const $ = (id) => document.getElementById(id)
const el = {
  welcome: $('welcome'),
  welcomeForm: $('welcome-form'),
  nameInput: $('name-input'),
  startButton: document.querySelector('[data-testid="start-button"]'),
  skipButton: $('skip-button'),
  chat: $('chat'),
  thread: $('thread'),
  list: $('messages'),
  empty: $('empty'),
  composer: $('composer'),
  input: $('message-input'),
  sendButton: document.querySelector('[data-testid="send-button"]'),
  counter: $('counter'),
  error: $('error'),
  connection: document.querySelector('[data-testid="connection"]'),
  langToggle: document.querySelector('[data-testid="lang-toggle"]'),
}

const services = createServiceForms({
  api,
  lang: () => state.lang,
  container: $('services-slot'),
  onDone: () => void refresh(),
})

const state = {
  lang: 'zh',
  token: null,
  /** key → entry; server messages are keyed by id, unconfirmed own ones by `local:<clientMessageId>`. */
  entries: new Map(),
  /** The error on show, as a function so it can be re-rendered in the other language. */
  error: null,
  connection: 'idle',
  source: null,
  retryTimer: null,
  retryDelay: 1000,
  busy: false,
}

const t = (key) => STRINGS[state.lang][key]

function readStore(key) {
  try {
    return localStorage.getItem(key)
  } catch {
    return null
  }
}

function writeStore(key, value) {
  try {
    if (value === null) localStorage.removeItem(key)
    else localStorage.setItem(key, value)
  } catch {
    // Storage can be off (private mode); the page still works for this visit.
  }
}

// crypto.randomUUID exists only in secure contexts, and a station may serve the page over plain http.
function newClientMessageId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

async function api(path, { method = 'GET', body, auth = true } = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (auth) headers.Authorization = `Bearer ${state.token}`
  let res
  try {
    res = await fetch(`${API}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    })
  } catch {
    throw new ApiError(0, 'NETWORK', t('errNetwork'))
  }
  let data = null
  try {
    data = await res.json()
  } catch {
    data = null
  }
  if (!res.ok) {
    const e = data && typeof data === 'object' ? data.error : null
    const message = e && typeof e.message === 'string' && e.message ? e.message : t('errGeneric')
    throw new ApiError(
      res.status,
      e && typeof e.code === 'string' ? e.code : `HTTP_${res.status}`,
      message,
      e ? e.fields : undefined,
    )
  }
  return data
}

// ---- errors and connection state ----

function showError(render) {
  state.error = typeof render === 'function' ? render : () => render
  el.error.textContent = state.error()
  el.error.hidden = false
}

function clearError() {
  state.error = null
  el.error.textContent = ''
  el.error.hidden = true
}

function setConnection(next) {
  state.connection = next
  el.connection.dataset.state = next
  const visible = next === 'lost' || next === 'offline'
  el.connection.hidden = !visible
  el.connection.textContent = visible ? t(next) : ''
}

// ---- message list ----

function timeOf(entry) {
  const ms = Date.parse(entry.createdAt)
  return Number.isNaN(ms) ? Date.now() : ms
}

function formatTime(ms) {
  const d = new Date(ms)
  const sameDay = d.toDateString() === new Date().toDateString()
  const opts = sameDay
    ? { hour: '2-digit', minute: '2-digit' }
    : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
  return new Intl.DateTimeFormat(t('locale'), opts).format(d)
}

function buildEntryElement(entry) {
  const li = document.createElement('li')
  li.className = `msg msg--${entry.direction === 'inbound' ? 'mine' : 'theirs'}`
  li.dataset.testid = 'message'
  li.dataset.direction = entry.direction
  li.dataset.created = String(timeOf(entry))

  const bubble = document.createElement('div')
  bubble.className = 'bubble'
  const who = document.createElement('span')
  who.className = 'visually-hidden who'
  const text = document.createElement('p')
  text.className = 'text'
  text.textContent = entry.text
  bubble.append(who)
  if (entry.image) bubble.append(buildPicture(entry))
  bubble.append(text)
  bubble.addEventListener('click', () => {
    if (entry.status === 'failed') void deliver(entry)
  })

  const meta = document.createElement('div')
  meta.className = 'meta'
  li.append(bubble, meta)
  entry.el = li
  renderEntry(entry)
  return li
}

/**
 * The photo of a message. The page authenticates with a bearer token, which an
 * <img src> cannot send, so the bytes are fetched and shown from a blob: URL.
 */
function buildPicture(entry) {
  const img = document.createElement('img')
  img.className = 'picture'
  img.dataset.testid = 'message-image'
  img.dataset.state = 'loading'
  img.alt = t('picture')
  void loadPicture(entry, img)
  return img
}

async function loadPicture(entry, img) {
  try {
    const res = await fetch(entry.image.url, { headers: { Authorization: `Bearer ${state.token}` } })
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    const blob = await res.blob()
    // The entry may have gone (session ended) while the photo loaded.
    if (!state.entries.has(entry.key)) return
    entry.pictureUrl = URL.createObjectURL(blob)
    img.src = entry.pictureUrl
    img.dataset.state = 'loaded'
  } catch {
    img.dataset.state = 'failed'
    img.alt = t('pictureFailed')
  }
}

function isPicture(image) {
  return (
    image !== null &&
    typeof image === 'object' &&
    typeof image.url === 'string' &&
    image.url.startsWith(`${API}/attachments/`)
  )
}

// Rebuilds the parts of a bubble that depend on language or delivery status.
function renderEntry(entry) {
  const li = entry.el
  const picture = li.querySelector('.picture')
  if (picture) picture.alt = t(picture.dataset.state === 'failed' ? 'pictureFailed' : 'picture')
  if (entry.id) li.dataset.id = entry.id
  if (entry.status) li.dataset.status = entry.status
  else delete li.dataset.status
  li.querySelector('.who').textContent = entry.direction === 'inbound' ? t('you') : t('officer')

  const meta = li.querySelector('.meta')
  meta.replaceChildren()
  if (entry.caseNumber) {
    const tag = document.createElement('span')
    tag.className = 'case'
    tag.dataset.testid = 'case-number'
    tag.textContent = t('caseTag')(entry.caseNumber)
    meta.append(tag)
  }
  const time = document.createElement('time')
  const ms = timeOf(entry)
  time.dateTime = new Date(ms).toISOString()
  time.textContent = formatTime(ms)
  meta.append(time)
  if (entry.status === 'failed') {
    const retry = document.createElement('button')
    retry.type = 'button'
    retry.className = 'status status--failed'
    retry.textContent = t('failed')
    retry.addEventListener('click', () => void deliver(entry))
    meta.append(retry)
  } else if (entry.status) {
    const status = document.createElement('span')
    status.className = `status status--${entry.status}`
    status.textContent = t(entry.status)
    meta.append(status)
  }
}

function nearBottom() {
  const { scrollTop, scrollHeight, clientHeight } = el.thread
  return scrollHeight - scrollTop - clientHeight < 120
}

function scrollToBottom() {
  el.thread.scrollTop = el.thread.scrollHeight
}

// Keeps the list ordered by time without re-rendering it, so screen readers announce only what is new.
function insertEntry(entry) {
  const stick = nearBottom()
  const li = buildEntryElement(entry)
  const at = timeOf(entry)
  let before = null
  for (let node = el.list.lastElementChild; node; node = node.previousElementSibling) {
    if (Number(node.dataset.created) <= at) break
    before = node
  }
  el.list.insertBefore(li, before)
  el.empty.hidden = true
  if (stick || entry.direction === 'inbound') scrollToBottom()
}

function removeEntry(entry) {
  state.entries.delete(entry.key)
  entry.el?.remove()
  if (entry.pictureUrl) URL.revokeObjectURL(entry.pictureUrl)
  el.empty.hidden = state.entries.size > 0
}

function isMessage(m) {
  return (
    m !== null &&
    typeof m === 'object' &&
    typeof m.id === 'string' &&
    (m.direction === 'inbound' || m.direction === 'outbound')
  )
}

/** Adds a message from the server unless it is already shown; ids make refetch and stream safe to mix. */
function mergeServerMessage(m) {
  if (!isMessage(m)) return
  const existing = state.entries.get(m.id)
  if (existing) {
    if (m.caseNumber && existing.caseNumber !== m.caseNumber) {
      existing.caseNumber = m.caseNumber
      renderEntry(existing)
    }
    if (isPicture(m.image) && !existing.image && existing.el) {
      existing.image = m.image
      existing.el.querySelector('.who').after(buildPicture(existing))
    }
    return
  }
  const entry = {
    key: m.id,
    id: m.id,
    direction: m.direction,
    text: typeof m.text === 'string' ? m.text : '',
    createdAt: typeof m.createdAt === 'string' ? m.createdAt : new Date().toISOString(),
    caseNumber: typeof m.caseNumber === 'string' && m.caseNumber ? m.caseNumber : undefined,
    image: isPicture(m.image) ? m.image : undefined,
    status: m.direction === 'inbound' ? 'sent' : undefined,
  }
  state.entries.set(entry.key, entry)
  insertEntry(entry)
}

// ---- sending ----

function currentText() {
  return el.input.value.trim()
}

function updateComposer() {
  const text = currentText()
  const n = [...text].length
  el.sendButton.classList.toggle('is-idle', n === 0)
  el.counter.hidden = n < COUNTER_FROM
  el.counter.textContent = `${n} / ${MAX_CHARS}`
  el.counter.classList.toggle('over', n > MAX_CHARS)
  el.input.style.height = 'auto'
  el.input.style.height = `${Math.min(el.input.scrollHeight, 160)}px`
}

function submitMessage() {
  const text = currentText()
  if (!text) {
    showError(() => t('errEmpty'))
    el.input.focus()
    return
  }
  const n = [...text].length
  if (n > MAX_CHARS) {
    showError(() => t('errTooLong')(n))
    return
  }
  clearError()
  const clientMessageId = newClientMessageId()
  const entry = {
    key: `local:${clientMessageId}`,
    clientMessageId,
    direction: 'inbound',
    text,
    createdAt: new Date().toISOString(),
    status: 'sending',
  }
  state.entries.set(entry.key, entry)
  insertEntry(entry)
  el.input.value = ''
  updateComposer()
  el.input.focus()
  void deliver(entry)
}

/** Posts one message; retries reuse its clientMessageId so the server never stores it twice. */
async function deliver(entry) {
  if (entry.inFlight) return
  entry.inFlight = true
  entry.status = 'sending'
  renderEntry(entry)
  try {
    const data = await api('/messages', {
      method: 'POST',
      body: { text: entry.text, clientMessageId: entry.clientMessageId },
    })
    confirmEntry(entry, data && typeof data.messageId === 'string' ? data.messageId : null)
    clearError()
  } catch (err) {
    const status = err instanceof ApiError ? err.status : 0
    if (status === 401) {
      sessionExpired()
      return
    }
    // A rejected text will be rejected again: give it back to the resident to edit instead.
    if (status === 400 || status === 413 || status === 422) {
      removeEntry(entry)
      if (!el.input.value) {
        el.input.value = entry.text
        updateComposer()
      }
    } else {
      entry.status = 'failed'
      renderEntry(entry)
    }
    showError(err instanceof ApiError ? err.message : t('errGeneric'))
  } finally {
    entry.inFlight = false
  }
}

function confirmEntry(entry, messageId) {
  entry.status = 'sent'
  if (!messageId) {
    renderEntry(entry)
    return
  }
  // The stream or a refetch may have shown the stored copy already.
  if (state.entries.has(messageId)) {
    removeEntry(entry)
    return
  }
  state.entries.delete(entry.key)
  entry.key = messageId
  entry.id = messageId
  state.entries.set(entry.key, entry)
  renderEntry(entry)
}

// ---- history and live stream ----

async function refresh() {
  if (!state.token) return
  try {
    const data = await api('/messages')
    const list = data && Array.isArray(data.messages) ? data.messages : []
    for (const m of list) mergeServerMessage(m)
    el.empty.hidden = state.entries.size > 0
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) sessionExpired()
  }
}

function closeStream() {
  clearTimeout(state.retryTimer)
  state.retryTimer = null
  if (state.source) {
    state.source.close()
    state.source = null
  }
}

function openStream() {
  closeStream()
  if (!state.token) return
  const source = new EventSource(`${API}/stream?token=${encodeURIComponent(state.token)}`)
  state.source = source
  source.addEventListener('open', () => {
    if (state.source !== source) return
    state.retryDelay = 1000
    setConnection('open')
    // Whatever arrived while the stream was down comes back through the history.
    void refresh()
  })
  source.addEventListener('message', (event) => {
    if (state.source !== source) return
    try {
      mergeServerMessage(JSON.parse(event.data))
    } catch {
      // A malformed event is skipped; the next refetch fills any gap.
    }
  })
  source.addEventListener('error', () => {
    if (state.source !== source) return
    setConnection(navigator.onLine === false ? 'offline' : 'lost')
    // CONNECTING means the browser retries by itself; CLOSED means it gave up (e.g. an error status).
    if (source.readyState === EventSource.CLOSED) scheduleReconnect()
  })
}

function scheduleReconnect() {
  closeStream()
  const delay = state.retryDelay
  state.retryDelay = Math.min(state.retryDelay * 2, 30000)
  state.retryTimer = setTimeout(async () => {
    await refresh()
    if (state.token) openStream()
  }, delay)
}

// ---- screens ----

function showWelcome() {
  el.chat.hidden = true
  el.welcome.hidden = false
  el.welcomeForm.append(el.error)
  setBusy(false)
}

function showChat() {
  el.welcome.hidden = true
  el.chat.hidden = false
  el.composer.prepend(el.error)
  el.empty.hidden = state.entries.size > 0
  updateComposer()
}

function setBusy(busy) {
  state.busy = busy
  el.startButton.disabled = busy
  el.skipButton.disabled = busy
  el.startButton.textContent = busy ? t('starting') : t('start')
}

function enterChat() {
  showChat()
  setConnection('connecting')
  void refresh()
  void services.load()
  openStream()
}

function sessionExpired() {
  closeStream()
  state.token = null
  writeStore(STORAGE_TOKEN, null)
  for (const entry of [...state.entries.values()]) removeEntry(entry)
  services.reset()
  setConnection('idle')
  showWelcome()
  showError(() => t('errSession'))
}

async function startSession(name) {
  if (state.busy) return
  clearError()
  setBusy(true)
  const body = { language: state.lang }
  if (name) body.name = name
  // A station links its own page as /chat?station=FQ; without it the server picks its default station.
  const station = new URLSearchParams(location.search).get('station')
  if (station) body.station = station
  try {
    const data = await api('/sessions', { method: 'POST', body, auth: false })
    if (!data || typeof data.token !== 'string') throw new ApiError(0, 'BAD_RESPONSE', t('errGeneric'))
    state.token = data.token
    writeStore(STORAGE_TOKEN, data.token)
    setBusy(false)
    enterChat()
    el.input.focus()
  } catch (err) {
    setBusy(false)
    showError(err instanceof ApiError ? err.message : t('errGeneric'))
  }
}

// ---- language ----

function applyLanguage() {
  document.documentElement.lang = t('htmlLang')
  document.title = `${t('title')} · ${state.lang === 'zh' ? 'Community police chat' : '社区民警在线'}`
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n)
  for (const node of document.querySelectorAll('[data-i18n-placeholder]')) {
    node.placeholder = t(node.dataset.i18nPlaceholder)
  }
  for (const node of document.querySelectorAll('[data-i18n-aria-label]')) {
    node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel))
  }
  el.langToggle.textContent = t('toggle')
  el.langToggle.lang = t('toggleLang')
  el.langToggle.setAttribute('aria-label', t('toggleLabel'))
  el.startButton.textContent = state.busy ? t('starting') : t('start')
  for (const entry of state.entries.values()) renderEntry(entry)
  services.render()
  setConnection(state.connection)
  if (state.error) el.error.textContent = state.error()
}

function toggleLanguage() {
  state.lang = state.lang === 'zh' ? 'en' : 'zh'
  writeStore(STORAGE_LANG, state.lang)
  applyLanguage()
}

// ---- wiring ----

function wire() {
  el.langToggle.addEventListener('click', toggleLanguage)
  el.welcomeForm.addEventListener('submit', (event) => {
    event.preventDefault()
    void startSession(el.nameInput.value.trim())
  })
  el.skipButton.addEventListener('click', () => void startSession(''))
  el.composer.addEventListener('submit', (event) => {
    event.preventDefault()
    submitMessage()
  })
  el.input.addEventListener('input', () => {
    updateComposer()
    if (state.error) clearError()
  })
  // On phones Enter makes a new line and the button sends; an IME confirming a Chinese word must never send.
  const touch = window.matchMedia('(pointer: coarse)')
  el.input.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return
    if (touch.matches) return
    event.preventDefault()
    submitMessage()
  })
  window.addEventListener('online', () => {
    if (state.token && state.connection !== 'open') openStream()
  })
  window.addEventListener('offline', () => {
    if (state.token) setConnection('offline')
  })
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void refresh()
  })
}

function init() {
  const lang = readStore(STORAGE_LANG)
  state.lang = lang === 'en' ? 'en' : 'zh'
  state.token = readStore(STORAGE_TOKEN)
  applyLanguage()
  wire()
  if (state.token) enterChat()
  else showWelcome()
}

init()
