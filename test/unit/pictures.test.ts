import { describe, expect, it } from 'vitest'
import { withoutMedia } from '../../bots/channel.ts'
import { type Attachment, createImageLoader, formatBytes } from '../../src/app/attachments.ts'
import { sniffImageType } from '../../src/domain/image-type.ts'
import { GIF_BYTES, pngOf, TINY_JPEG, WEBP_BYTES } from '../helpers/images.ts'

describe('sniffImageType', () => {
  it('knows each accepted format by its first bytes', () => {
    expect(sniffImageType(pngOf(2, 2))).toBe('image/png')
    expect(sniffImageType(TINY_JPEG)).toBe('image/jpeg')
    expect(sniffImageType(GIF_BYTES)).toBe('image/gif')
    expect(sniffImageType(Buffer.from('GIF87a-----'))).toBe('image/gif')
    expect(sniffImageType(WEBP_BYTES)).toBe('image/webp')
  })

  it('answers null for anything else, however it starts', () => {
    expect(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull()
    expect(sniffImageType(Buffer.from('<html><body>'))).toBeNull()
    // A RIFF file that is not a WebP (a WAV sound).
    expect(sniffImageType(Buffer.from('RIFF\u0024\u0000\u0000\u0000WAVEfmt '))).toBeNull()
    expect(sniffImageType(Buffer.from([0xff, 0xd8]))).toBeNull()
    expect(sniffImageType(pngOf(2, 2).subarray(0, 7))).toBeNull()
    expect(sniffImageType(new Uint8Array(0))).toBeNull()
  })
})

describe('formatBytes', () => {
  it('says sizes as an officer reads them', () => {
    expect(formatBytes(5 * 1024 * 1024)).toBe('5 MB')
    expect(formatBytes(6_500_000)).toBe('6.2 MB')
    expect(formatBytes(64 * 1024)).toBe('64 KB')
    expect(formatBytes(900)).toBe('900 bytes')
  })
})

describe('createImageLoader', () => {
  const picture = (id: string, size: number): Attachment => ({
    id,
    stationId: 'st',
    uploadedBy: 'of',
    mime: 'image/png',
    size,
    sha256: '0'.repeat(64),
    createdAt: new Date(0),
    bytes: new Uint8Array(size),
  })

  it('reads a picture once while it stays within the kept bytes, and drops the least recently used', async () => {
    const reads: string[] = []
    const stored = new Map([
      ['a', picture('a', 40)],
      ['b', picture('b', 40)],
      ['c', picture('c', 40)],
      ['huge', picture('huge', 500)],
    ])
    const load = createImageLoader(
      {
        load: async (id) => {
          reads.push(id)
          return stored.get(id) ?? null
        },
      },
      { cacheBytes: 100 },
    )
    expect((await load('a'))?.attachmentId).toBe('a')
    await load('a')
    await load('b')
    await load('a') // a is now the most recently used
    await load('c') // 120 bytes: b, the least recently used, goes
    await load('a')
    await load('b')
    expect(reads).toEqual(['a', 'b', 'c', 'b'])
    // Larger than all the room there is: read every time, never kept.
    await load('huge')
    await load('huge')
    expect(reads.filter((id) => id === 'huge')).toHaveLength(2)
    expect(await load('gone')).toBeNull()
  })
})

describe('withoutMedia', () => {
  it('sends the text alone, saying a picture went with it', () => {
    const image = { attachmentId: 'p1', mime: 'image/png', bytes: new Uint8Array(3) }
    expect(withoutMedia({ id: 'm1', text: '李明警官 10:00 查看了您的住所', image })).toEqual({
      id: 'm1',
      text: '李明警官 10:00 查看了您的住所\n[图片 / Picture]',
    })
    expect(withoutMedia({ id: 'm2', text: '你好' })).toEqual({ id: 'm2', text: '你好' })
  })
})
