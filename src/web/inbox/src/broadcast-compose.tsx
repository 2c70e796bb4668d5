import { useEffect, useState } from 'preact/hooks'
import { composeText, utf8Bytes } from '../../../domain/broadcast.ts'
import {
  BROADCAST_CATEGORIES,
  type BroadcastCategory,
  categoryName,
} from '../../../domain/broadcast-categories.ts'
import { ApiError } from './api.ts'
import {
  type Broadcast,
  broadcastApi,
  type Draft,
  fieldErrors,
  type Preview,
  type TargetOptions,
} from './broadcast-api.ts'
import { type BroadcastKey, broadcastText, duration } from './broadcast-strings.ts'
import { useLang } from './hooks.ts'
import { type Picture, PictureField } from './picture-field.tsx'

const MAX_BYTES = 2048

interface ComposeProps {
  onCreated: (broadcast: Broadcast) => void
}

/** Ticks a value in or out of a set, as a new set. */
function toggled<T>(set: Set<T>, value: T): Set<T> {
  const next = new Set(set)
  if (next.has(value)) next.delete(value)
  else next.add(value)
  return next
}

const groupKey = (g: { accountId: string; name: string }) => `${g.accountId}\u0000${g.name}`

/**
 * The composer: text in Chinese and optionally English with a byte counter,
 * category, targets from `/api/broadcasts/targets`, when to send; a preview of
 * who it reaches and how long it takes, and the API's field errors beside the fields.
 */
export function BroadcastCompose({ onCreated }: ComposeProps) {
  const lang = useLang()
  const tr = (key: BroadcastKey, vars?: Record<string, string | number>) => broadcastText(lang, key, vars)
  const [options, setOptions] = useState<TargetOptions | null>(null)
  const [title, setTitle] = useState('')
  const [textZh, setTextZh] = useState('')
  const [textEn, setTextEn] = useState('')
  const [linkUrl, setLinkUrl] = useState('')
  const [image, setImage] = useState<Picture | null>(null)
  const [category, setCategory] = useState<BroadcastCategory>('anti_fraud')
  const [station, setStation] = useState(false)
  const [beats, setBeats] = useState(new Set<string>())
  const [compounds, setCompounds] = useState(new Set<string>())
  const [tags, setTags] = useState(new Set<string>())
  const [groups, setGroups] = useState(new Set<string>())
  const [later, setLater] = useState(false)
  const [at, setAt] = useState('')
  const [preview, setPreview] = useState<Preview | null>(null)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState<'preview' | 'submit' | null>(null)

  useEffect(() => {
    broadcastApi
      .targets()
      .then(setOptions, (e: unknown) => setErrors({ '': e instanceof ApiError ? e.message : String(e) }))
  }, [])

  const link = linkUrl.trim() || null
  // Counted as the server counts: the whole message (category, title, text, link) per language.
  const bytesOf = (language: 'zh' | 'en') =>
    utf8Bytes(
      composeText(
        {
          title: title.trim(),
          textZh: textZh.trim(),
          textEn: textEn.trim(),
          imageUrl: null,
          linkUrl: link,
          category,
        },
        language,
      ),
    )
  const bytesZh = textZh.trim() ? bytesOf('zh') : 0
  const bytesEn = textEn.trim() ? bytesOf('en') : 0

  const draft = (): Draft => ({
    title: title.trim(),
    text: { zh: textZh, en: textEn.trim() ? textEn : null },
    linkUrl: linkUrl.trim() || null,
    imageId: image?.id ?? null,
    category,
    targets: {
      ...(station ? { station: true } : {}),
      ...(beats.size ? { beatIds: [...beats] } : {}),
      ...(compounds.size ? { compoundIds: [...compounds] } : {}),
      ...(tags.size ? { tags: [...tags] } : {}),
      ...(groups.size
        ? {
            groups: (options?.groups ?? []).filter((g) => groups.has(groupKey(g))),
          }
        : {}),
    },
    sendAt: later && at ? new Date(at).toISOString() : null,
  })

  const noTargets = !station && !beats.size && !compounds.size && !tags.size && !groups.size

  const run = async (kind: 'preview' | 'submit') => {
    if (noTargets) {
      setErrors({ targets: tr('needTargets') })
      return
    }
    setBusy(kind)
    setErrors({})
    try {
      if (kind === 'preview') {
        const d = draft()
        setPreview(
          await broadcastApi.preview({
            ...d,
            title: d.title || undefined,
            text: textZh.trim() ? d.text : undefined,
          }),
        )
      } else {
        const { broadcast } = await broadcastApi.create(draft())
        onCreated(broadcast)
      }
    } catch (e) {
      setErrors(
        e instanceof ApiError && e.status === 400
          ? fieldErrors(e.message)
          : { '': e instanceof Error ? e.message : String(e) },
      )
    } finally {
      setBusy(null)
    }
  }

  // Errors name fields like "targets.beatIds" or "text.zh"; show them at the nearest field.
  const errorAt = (prefix: string) =>
    Object.entries(errors)
      .filter(([field]) => field === prefix || field.startsWith(`${prefix}.`))
      .map(([, message]) => message)
      .join('; ')
  const FieldError = ({ field }: { field: string }) => {
    const message = errorAt(field)
    return message ? (
      <p class="form-error bc-field-error" role="alert" data-testid={`bc-error-${field}`}>
        {message}
      </p>
    ) : null
  }
  const Bytes = ({ bytes, testId }: { bytes: number; testId: string }) => (
    <span class={`bc-bytes${bytes > MAX_BYTES ? ' bc-over' : ''}`} data-testid={testId}>
      {tr('bytes', { bytes, max: MAX_BYTES })}
      {bytes > MAX_BYTES && ` · ${tr('bytesOver', { over: bytes - MAX_BYTES })}`}
    </span>
  )

  const reasonText = (p: Preview) =>
    p.approval.reason === 'station_wide'
      ? tr('reason.station_wide')
      : tr('reason.over_threshold', { threshold: p.approval.threshold })

  return (
    <form
      class="bc-compose"
      data-testid="bc-compose"
      onSubmit={(e) => {
        e.preventDefault()
        void run('submit')
      }}
      onInput={() => setPreview(null)}
    >
      <label class="bc-field">
        <span>{tr('fTitle')}</span>
        <input
          value={title}
          maxLength={100}
          data-testid="bc-title"
          onInput={(e) => setTitle(e.currentTarget.value)}
        />
        <FieldError field="title" />
      </label>
      <label class="bc-field">
        <span>{tr('fTextZh')}</span>
        <textarea
          rows={5}
          value={textZh}
          data-testid="bc-text-zh"
          onInput={(e) => setTextZh(e.currentTarget.value)}
        />
        <Bytes bytes={bytesZh} testId="bc-bytes-zh" />
        <FieldError field="text.zh" />
      </label>
      <label class="bc-field">
        <span>{tr('fTextEn')}</span>
        <textarea
          rows={3}
          value={textEn}
          data-testid="bc-text-en"
          onInput={(e) => setTextEn(e.currentTarget.value)}
        />
        {textEn.trim() && <Bytes bytes={bytesEn} testId="bc-bytes-en" />}
        <FieldError field="text.en" />
      </label>
      <FieldError field="text" />
      <label class="bc-field">
        <span>{tr('fLink')}</span>
        <input
          type="url"
          value={linkUrl}
          placeholder="https://"
          data-testid="bc-link"
          onInput={(e) => setLinkUrl(e.currentTarget.value)}
        />
        <FieldError field="linkUrl" />
      </label>
      <div class="bc-field">
        <PictureField
          value={image}
          onChange={(picture) => {
            setImage(picture)
            setPreview(null)
          }}
          testId="bc-image"
          texts={{
            label: tr('fImage'),
            uploading: tr('imageUploading'),
            remove: tr('imageRemove'),
            alt: tr('imageAlt'),
            wrongType: tr('imageWrongType'),
            tooLarge: tr('imageTooLarge'),
          }}
        />
        <FieldError field="imageId" />
      </div>
      <label class="bc-field">
        <span>{tr('fCategory')}</span>
        <select
          value={category}
          data-testid="bc-category"
          onChange={(e) => setCategory(e.currentTarget.value as BroadcastCategory)}
        >
          {BROADCAST_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {categoryName(c, lang)}
            </option>
          ))}
        </select>
        <FieldError field="category" />
      </label>

      <fieldset class="bc-targets" data-testid="bc-targets">
        <legend>{tr('fTargets')}</legend>
        {!options && <p class="muted">{tr('loading')}</p>}
        {options && (
          <>
            <label class="bc-check">
              <input
                type="checkbox"
                checked={station}
                data-testid="bc-target-station"
                onChange={() => setStation(!station)}
              />
              {tr('fStation')}
            </label>
            <TargetGroup title={tr('fBeats')}>
              {options.beats.map((b) => (
                <label key={b.id} class="bc-check">
                  <input
                    type="checkbox"
                    checked={beats.has(b.id)}
                    data-testid={`bc-beat-${b.code}`}
                    onChange={() => setBeats(toggled(beats, b.id))}
                  />
                  {b.code} {lang === 'en' && b.nameEn ? b.nameEn : b.name}
                  <span class="muted small"> · {tr('residentsN', { n: b.residents })}</span>
                </label>
              ))}
            </TargetGroup>
            <TargetGroup title={tr('fCompounds')}>
              {options.compounds.map((c) => (
                <label key={c.id} class="bc-check">
                  <input
                    type="checkbox"
                    checked={compounds.has(c.id)}
                    onChange={() => setCompounds(toggled(compounds, c.id))}
                  />
                  {c.name}
                  <span class="muted small"> · {tr('residentsN', { n: c.residents })}</span>
                </label>
              ))}
            </TargetGroup>
            <TargetGroup title={tr('fTags')}>
              {options.tags.map((t) => (
                <label key={t.tag} class="bc-check">
                  <input
                    type="checkbox"
                    checked={tags.has(t.tag)}
                    onChange={() => setTags(toggled(tags, t.tag))}
                  />
                  {t.tag}
                  <span class="muted small"> · {tr('residentsN', { n: t.residents })}</span>
                </label>
              ))}
            </TargetGroup>
            <TargetGroup title={tr('fGroups')}>
              {options.groups.map((g) => (
                <label key={groupKey(g)} class="bc-check">
                  <input
                    type="checkbox"
                    checked={groups.has(groupKey(g))}
                    onChange={() => setGroups(toggled(groups, groupKey(g)))}
                  />
                  {g.name}
                  <span class="muted small"> · {g.accountId}</span>
                </label>
              ))}
            </TargetGroup>
          </>
        )}
        <FieldError field="targets" />
      </fieldset>

      <fieldset class="bc-when">
        <legend>{tr('fWhen')}</legend>
        <label class="bc-check">
          <input type="radio" name="bc-when" checked={!later} onChange={() => setLater(false)} />
          {tr('sendNow')}
        </label>
        <label class="bc-check">
          <input
            type="radio"
            name="bc-when"
            checked={later}
            data-testid="bc-later"
            onChange={() => setLater(true)}
          />
          {tr('sendAt')}
        </label>
        {later && (
          <input
            type="datetime-local"
            value={at}
            data-testid="bc-send-at"
            onInput={(e) => setAt(e.currentTarget.value)}
          />
        )}
        <FieldError field="sendAt" />
      </fieldset>

      {errors[''] && (
        <p class="form-error" role="alert" data-testid="bc-error">
          {errors['']}
        </p>
      )}

      <div class="bc-actions">
        <button
          type="button"
          class="secondary"
          data-testid="bc-preview"
          disabled={busy !== null}
          onClick={() => void run('preview')}
        >
          {busy === 'preview' ? tr('previewing') : tr('preview')}
        </button>
        <button type="submit" data-testid="bc-submit" disabled={busy !== null}>
          {busy === 'submit' ? tr('submitting') : tr('submit')}
        </button>
      </div>

      {preview && (
        <section class="bc-preview" data-testid="bc-preview-result" aria-live="polite">
          <p>
            <strong
              data-testid="bc-preview-reach"
              data-residents={preview.residents}
              data-groups={preview.groups}
            >
              {tr('pvReach', { residents: preview.residents, groups: preview.groups })}
            </strong>
          </p>
          {(preview.optedOut > 0 || preview.noContact > 0) && (
            <p class="muted">
              {tr('pvSkipped', { optedOut: preview.optedOut, noContact: preview.noContact })}
            </p>
          )}
          <ul>
            {preview.accounts.map((a) => (
              <li key={a.id}>
                {tr('pvAccount', {
                  id: a.id,
                  residents: a.residents,
                  groups: a.groups,
                  rate: a.ratePerMinute,
                  sentToday: a.sentToday,
                  cap: a.dailyCap,
                  time: duration(lang, a.estimatedSeconds),
                })}
              </li>
            ))}
          </ul>
          <p>{tr('pvTotal', { time: duration(lang, preview.estimatedSeconds) })}</p>
          {preview.image && (
            <p data-testid="bc-preview-image">
              {tr('pvImage', { size: `${Math.max(1, Math.round(preview.image.size / 1024))} KB` })}
            </p>
          )}
          <p
            class={preview.approval.required ? 'bc-needs-approval' : 'muted'}
            data-testid="bc-preview-approval"
          >
            {preview.approval.required
              ? tr('pvApproval', { reason: reasonText(preview) })
              : tr('pvNoApproval')}
          </p>
          {preview.quietHoursNow && !preview.urgent && <p class="bc-warn">{tr('pvQuiet')}</p>}
        </section>
      )}
    </form>
  )
}

function TargetGroup({ title, children }: { title: string; children: preact.ComponentChildren }) {
  const items = Array.isArray(children) ? children : [children]
  if (items.length === 0) return null
  return (
    <div class="bc-target-group">
      <h3>{title}</h3>
      <div class="bc-target-list">{children}</div>
    </div>
  )
}
