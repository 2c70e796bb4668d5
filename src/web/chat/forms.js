// Service forms of the resident chat page (home watch, …): the same fields,
// parsers and checks as the chat conversation, drawn as a real form.

const TEXT = {
  zh: {
    services: '办事服务',
    submit: '提交申请',
    submitting: '正在提交…',
    cancel: '取消',
    optional: '（选填）',
    yes: '有 / 是',
    no: '没有 / 否',
    submitted: (n) => `已提交，案件编号 ${n}。民警的回复会显示在对话中。`,
    failed: '提交失败，请检查标出的内容。',
    errGeneric: '出了点问题，请稍后重试',
    choose: '请选择',
  },
  en: {
    services: 'Services',
    submit: 'Submit request',
    submitting: 'Submitting…',
    cancel: 'Cancel',
    optional: ' (optional)',
    yes: 'Yes',
    no: 'No',
    submitted: (n) => `Submitted: case ${n}. Your officer's replies appear in the conversation.`,
    failed: 'Please check the highlighted answers.',
    errGeneric: 'Something went wrong — please try again',
    choose: 'Choose…',
  },
}

const capitalised = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s)

function newSubmissionId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  )
}

/**
 * The services bar and the form panel. `api(path, options)` is the page's own
 * API client (it throws errors with `status` and `details`), `lang()` the page
 * language, `onDone()` is called after a submission so the thread refreshes.
 */
export function createServiceForms({ api, lang, container, onDone }) {
  const state = {
    forms: [],
    open: null,
    values: {},
    errors: {},
    busy: false,
    notice: null,
    submissionId: null,
  }
  const t = (key) => TEXT[lang()][key]

  const bar = document.createElement('nav')
  bar.className = 'services'
  bar.dataset.testid = 'services'
  const panel = document.createElement('section')
  panel.className = 'service-form'
  panel.dataset.testid = 'service-form'
  panel.hidden = true
  const notice = document.createElement('p')
  notice.className = 'service-notice'
  notice.dataset.testid = 'service-notice'
  notice.setAttribute('role', 'status')
  notice.hidden = true
  container.append(bar, notice, panel)

  function renderBar() {
    bar.replaceChildren()
    const available = state.forms.filter((f) => f.available)
    bar.hidden = available.length === 0
    const label = document.createElement('span')
    label.className = 'services-label'
    label.textContent = t('services')
    bar.append(label)
    for (const form of available) {
      const button = document.createElement('button')
      button.type = 'button'
      button.className = 'service-button'
      button.dataset.testid = `service-${form.id}`
      button.textContent = capitalised(form.title[lang()])
      button.setAttribute('aria-expanded', String(state.open?.id === form.id))
      button.addEventListener('click', () => void openForm(form.id))
      bar.append(button)
    }
  }

  function renderNotice() {
    notice.hidden = !state.notice
    notice.textContent = state.notice ? state.notice() : ''
  }

  function field(f) {
    const id = `svc-${f.key}`
    const wrap = document.createElement('div')
    wrap.className = 'service-field'
    const error = state.errors[f.key]
    const errorId = `${id}-error`
    let control
    if (f.type === 'yes-no') {
      control = document.createElement('fieldset')
      control.className = 'yes-no'
      const legend = document.createElement('legend')
      legend.textContent = f.label[lang()]
      control.append(legend)
      for (const value of ['yes', 'no']) {
        const label = document.createElement('label')
        const radio = document.createElement('input')
        radio.type = 'radio'
        radio.name = f.key
        radio.value = value
        radio.dataset.testid = `field-${f.key}-${value}`
        radio.checked = state.values[f.key] === value
        radio.addEventListener('change', () => {
          state.values[f.key] = value
        })
        label.append(radio, document.createTextNode(` ${t(value)}`))
        control.append(label)
      }
      if (error) control.setAttribute('aria-describedby', errorId)
      wrap.append(control)
    } else {
      const label = document.createElement('label')
      label.htmlFor = id
      label.textContent = `${f.label[lang()]}${f.optional ? t('optional') : ''}`
      control = document.createElement(
        f.type === 'textarea' ? 'textarea' : f.type === 'choice' ? 'select' : 'input',
      )
      control.id = id
      control.name = f.key
      control.dataset.testid = `field-${f.key}`
      if (control.tagName === 'SELECT') {
        // A choice (an appointment time): the options the server offers now.
        const none = document.createElement('option')
        none.value = ''
        none.textContent = t('choose')
        control.append(none)
        for (const option of f.options ?? []) {
          const item = document.createElement('option')
          item.value = option.value
          item.textContent = option.label[lang()]
          control.append(item)
        }
      } else if (control.tagName === 'INPUT') {
        control.type = f.type === 'date' ? 'date' : f.type === 'phone' ? 'tel' : 'text'
        if (f.type === 'phone') control.inputMode = 'tel'
        // An ID number is not for the browser to remember or offer again.
        if (f.type === 'id-number') control.autocomplete = 'off'
      } else {
        control.rows = 3
      }
      if (f.maxLength && control.tagName !== 'SELECT') control.maxLength = f.maxLength
      if (f.hint && control.tagName !== 'SELECT') control.placeholder = f.hint[lang()]
      if (!f.optional) control.required = true
      control.value = state.values[f.key] ?? ''
      control.addEventListener('input', () => {
        state.values[f.key] = control.value
      })
      if (error) {
        control.setAttribute('aria-invalid', 'true')
        control.setAttribute('aria-describedby', errorId)
      }
      wrap.append(label, control)
    }
    if (error) {
      const p = document.createElement('p')
      p.className = 'field-error'
      p.id = errorId
      p.dataset.testid = `error-${f.key}`
      p.textContent = error
      wrap.append(p)
    }
    return wrap
  }

  function renderPanel() {
    const form = state.open
    panel.hidden = !form
    panel.replaceChildren()
    if (!form) return
    const el = document.createElement('form')
    el.noValidate = true
    const title = document.createElement('h2')
    title.textContent = capitalised(form.title[lang()])
    const intro = document.createElement('p')
    intro.className = 'service-intro'
    intro.textContent = form.intro[lang()]
    el.append(title, intro, ...form.fields.map(field))
    if (state.failed) {
      const failed = document.createElement('p')
      failed.className = 'form-error'
      failed.setAttribute('role', 'alert')
      failed.dataset.testid = 'service-form-error'
      failed.textContent = state.failed()
      el.append(failed)
    }
    const actions = document.createElement('div')
    actions.className = 'service-actions'
    const submit = document.createElement('button')
    submit.type = 'submit'
    submit.className = 'primary'
    submit.dataset.testid = 'service-submit'
    submit.disabled = state.busy
    submit.textContent = state.busy ? t('submitting') : t('submit')
    const cancel = document.createElement('button')
    cancel.type = 'button'
    cancel.className = 'link'
    cancel.dataset.testid = 'service-cancel'
    cancel.textContent = t('cancel')
    cancel.addEventListener('click', close)
    actions.append(submit, cancel)
    el.append(actions)
    el.addEventListener('submit', (event) => {
      event.preventDefault()
      void send()
    })
    panel.append(el)
  }

  function render() {
    renderBar()
    renderNotice()
    renderPanel()
  }

  function close() {
    state.open = null
    state.errors = {}
    state.failed = null
    render()
  }

  async function openForm(id) {
    try {
      const data = await api(`/forms/${encodeURIComponent(id)}`)
      state.open = data.form
      state.values = {}
      for (const f of data.form.fields) if (f.value) state.values[f.key] = f.value
      state.errors = {}
      state.failed = null
      state.notice = null
      state.submissionId = newSubmissionId()
      render()
      panel.querySelector('input, textarea')?.focus()
    } catch (err) {
      state.notice = () => err.message || t('errGeneric')
      renderNotice()
    }
  }

  async function refreshChoices() {
    try {
      const data = await api(`/forms/${encodeURIComponent(state.open.id)}`)
      for (const f of state.open.fields) {
        if (f.type !== 'choice') continue
        const fresh = data.form.fields.find((g) => g.key === f.key)
        f.options = fresh?.options ?? []
        if (!f.options.some((o) => o.value === state.values[f.key])) delete state.values[f.key]
      }
    } catch {
      // The options shown stay; submitting again says what is wrong.
    }
  }

  async function send() {
    if (!state.open || state.busy) return
    state.busy = true
    state.errors = {}
    state.failed = null
    renderPanel()
    try {
      const data = await api(`/forms/${encodeURIComponent(state.open.id)}`, {
        method: 'POST',
        body: { answers: state.values, submissionId: state.submissionId, language: lang() },
      })
      state.busy = false
      const number = data.caseNumber
      close()
      state.notice = () => t('submitted')(number)
      renderNotice()
      onDone()
    } catch (err) {
      state.busy = false
      const fields = err.details && typeof err.details === 'object' ? err.details : null
      if (fields) {
        state.errors = fields
        state.failed = () => t('failed')
        // A time taken meanwhile: the options are read again, so the full one is no longer offered.
        if (state.open.fields.some((f) => f.type === 'choice' && fields[f.key])) await refreshChoices()
      } else {
        state.failed = () => err.message || t('errGeneric')
      }
      renderPanel()
      const first = panel.querySelector('[aria-invalid="true"], .yes-no[aria-describedby]')
      first?.focus()
    }
  }

  return {
    /** Reads which services the station offers; called when the chat opens. */
    async load() {
      try {
        const data = await api('/forms')
        state.forms = Array.isArray(data?.forms) ? data.forms : []
      } catch {
        state.forms = []
      }
      render()
    },
    /** Draws everything again in the page language. */
    render,
    reset() {
      state.forms = []
      state.open = null
      state.notice = null
      render()
    },
  }
}
