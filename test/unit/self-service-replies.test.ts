import { describe, expect, it } from 'vitest'
import { BROADCAST_CATEGORIES, categoryName } from '../../src/domain/broadcast-categories.ts'
import { MENU } from '../../src/domain/commands.ts'
import { availableServices } from '../../src/domain/forms/registry.ts'
import { type CaseStatusLine, selfServiceReplies } from '../../src/domain/self-service-replies.ts'
import type { Language } from '../../src/domain/types.ts'

const CASE = 'CQ-2026-000123'
const LANGUAGES: Language[] = ['zh', 'en']

describe.each(LANGUAGES)('self-service replies (%s)', (language) => {
  const say = selfServiceReplies(language)

  it('the menu numbers every item, then the services a resident can request, and names 110', () => {
    const menu = say.menu()
    const size = MENU.length + availableServices().length
    for (let i = 1; i <= size; i++) expect(menu).toMatch(new RegExp(`^${i} `, 'm'))
    expect(menu).not.toMatch(new RegExp(`^${size + 1} `, 'm'))
    for (const service of availableServices()) expect(menu).toContain(service.menu[language])
    expect(menu).toContain('110')
  })

  it('the status lists each case with its number, state in plain words, handler and last update', () => {
    const line: CaseStatusLine = {
      number: CASE,
      status: 'in_progress',
      awaitingAddress: false,
      handler: { kind: 'officer', name: language === 'en' ? 'Officer Li Ming' : '李明警官' },
      lastUpdate: language === 'en' ? 'today 14:30' : '今天 14:30',
    }
    const text = say.status([line])
    expect(text).toContain(CASE)
    expect(text).toContain(line.handler.name)
    expect(text).toContain(line.lastUpdate)
    expect(text).not.toContain('in_progress')
    expect(say.status([])).toContain('110')
  })

  it('names the categories a resident still receives and the ones they stopped', () => {
    const text = say.unsubscribed(['weather'], ['weather'])
    expect(text).toContain(categoryName('weather', language))
    expect(text).toContain(categoryName('anti_fraud', language))
    const none = say.subscriptions([...BROADCAST_CATEGORIES])
    expect(none).not.toContain(categoryName('traffic', language))
  })

  it('asks before withdrawing and names the case', () => {
    expect(say.askWithdraw(CASE)).toContain(CASE)
    expect(say.withdrawn(CASE)).toContain(CASE)
  })

  it('thanks for a rating with the score, and explains the range', () => {
    expect(say.rated(CASE, 4)).toContain('4')
    expect(say.badRating()).toMatch(/1.*5/)
  })
})
