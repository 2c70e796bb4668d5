import { expect } from 'vitest'
import { parseStationFile, StationFileError, type StationFileProblem } from '../../src/store/station-file.ts'

/** 1-based line of the first line containing `needle`, searched from the line containing `after`. */
export function lineOf(text: string, needle: string, after?: string): number {
  const lines = text.split('\n')
  const start = after === undefined ? 0 : lines.findIndex((l) => l.includes(after))
  const index = lines.findIndex((l, i) => i >= start && l.includes(needle))
  if (start < 0 || index < 0) throw new Error(`test setup: "${needle}" not in text`)
  return index + 1
}

/** 1-based column of `needle` on the line {@link lineOf} finds. */
export function colOf(text: string, needle: string): number {
  return text.split('\n')[lineOf(text, needle) - 1]!.indexOf(needle) + 1
}

/** Replaces exactly one occurrence, so a broken fixture fails loudly instead of silently passing. */
export function edit(text: string, from: string, to: string): string {
  expect(text.split(from)).toHaveLength(2)
  return text.replace(from, to)
}

/** What the station file parser finds wrong with `text`; fails the test if it accepts it. */
export function problemsOf(text: string, fileName = 'test.yaml'): StationFileProblem[] {
  try {
    parseStationFile(text, fileName)
  } catch (err) {
    expect(err).toBeInstanceOf(StationFileError)
    return (err as StationFileError).problems
  }
  throw new Error('expected the file to be rejected')
}
