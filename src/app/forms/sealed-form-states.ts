import type { FormState } from '../../domain/forms/engine.ts'
import type { FormDefinition } from '../../domain/forms/form.ts'
import { formById } from '../../domain/forms/registry.ts'
import { type PersonalDataCipher, SealedDataError } from '../personal-data.ts'
import type { FormStateStore } from './conversation.ts'

/** Bound into each sealed answer: it opens only as this resident's answer to this field. */
export const formStateContext = (residentId: string, fieldKey: string) =>
  `form-state:${residentId}:${fieldKey}`

/**
 * Form states with the answers of sensitive fields (an ID number) encrypted
 * before they reach the store (Redis) and opened when read back. An answer
 * that no longer opens (the key was changed) is dropped: the form asks for it again.
 */
export function sealFormStates(
  store: FormStateStore,
  cipher: PersonalDataCipher,
  forms: (id: string) => FormDefinition | null = formById,
): FormStateStore {
  const sensitiveKeys = (state: FormState) =>
    (forms(state.form)?.fields ?? []).filter((f) => f.sensitive).map((f) => f.key)

  return {
    async get(residentId) {
      const state = await store.get(residentId)
      if (!state) return null
      return openState(cipher, residentId, state, sensitiveKeys(state))
    },
    put(residentId, state, expectedRev, ttlMs) {
      return store.put(
        residentId,
        sealState(cipher, residentId, state, sensitiveKeys(state)),
        expectedRev,
        ttlMs,
      )
    },
    clear: (residentId, expectedRev) => store.clear(residentId, expectedRev),
  }
}

export function sealState(
  cipher: PersonalDataCipher,
  residentId: string,
  state: FormState,
  keys: string[],
): FormState {
  const answers = { ...state.answers }
  for (const key of keys) {
    const value = answers[key]
    if (value === undefined || value === null || cipher.isSealed(value)) continue
    answers[key] = cipher.seal(JSON.stringify(value), formStateContext(residentId, key))
  }
  return { ...state, answers }
}

export function openState(
  cipher: PersonalDataCipher,
  residentId: string,
  state: FormState,
  keys: string[],
): FormState {
  const answers = { ...state.answers }
  for (const key of keys) {
    const value = answers[key]
    if (!cipher.isSealed(value)) continue
    try {
      answers[key] = JSON.parse(cipher.open(value, formStateContext(residentId, key)))
    } catch (error) {
      if (!(error instanceof SealedDataError)) throw error
      delete answers[key]
    }
  }
  return { ...state, answers }
}
