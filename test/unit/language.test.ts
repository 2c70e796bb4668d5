import { describe, expect, it } from 'vitest'
import { detectLanguage } from '../../src/domain/language.ts'

describe('detectLanguage', () => {
  it.each([
    ['你好，我的钱包丢了', 'zh'],
    ['我住在Changshouqiao小区', 'zh'],
    ['WeChat上有人骗我', 'zh'],
    ['ok 好的', 'zh'],
    ['Hello, I lost my wallet', 'en'],
    ['ok', 'en'],
    ['ＨＥＬＰ', 'en'],
    ['Café near the station', 'en'],
    ['my flat is room 1203', 'en'],
  ])('%s → %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language)
  })

  it.each([[''], ['   '], ['12345'], ['👍👍'], ['？！'], ['110'], ['Здравствуйте']])(
    '%j says nothing about the language',
    (text) => {
      expect(detectLanguage(text)).toBeUndefined()
    },
  )
})
