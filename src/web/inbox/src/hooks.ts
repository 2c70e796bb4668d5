import { createContext } from 'preact'
import { useContext, useEffect, useState } from 'preact/hooks'
import { type MessageKey, t } from './i18n.ts'
import type { Lang } from './types.ts'

/** The page language, provided once at the top. */
export const LangContext = createContext<Lang>('zh')

/** A translator bound to the current page language. */
export function useT(): (key: MessageKey, vars?: Record<string, string | number>) => string {
  const lang = useContext(LangContext)
  return (key, vars) => t(lang, key, vars)
}

export function useLang(): Lang {
  return useContext(LangContext)
}

/** The current time, refreshed every `everyMs`, so due labels count down without a reload. */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs)
    return () => clearInterval(timer)
  }, [everyMs])
  return now
}

/** Whether a CSS media query matches, kept up to date. */
export function useMediaQuery(query: string): boolean {
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches)
  useEffect(() => {
    const list = window.matchMedia(query)
    const update = (): void => setMatches(list.matches)
    update()
    list.addEventListener('change', update)
    return () => list.removeEventListener('change', update)
  }, [query])
  return matches
}
