import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  parseStationFile,
  readStationFile,
  StationFileError,
  type StationFileProblem,
} from '../../src/store/station-file.ts'
import { colOf, edit, lineOf, problemsOf } from '../helpers/station-file-text.ts'

const seed = (name: string): string => fileURLToPath(new URL(`../../seeds/${name}`, import.meta.url))

/** A small valid file; tests break one line of it at a time. */
const VALID = `stations:
  - code: CQ
    name: 长庆派出所
    nameEn: Changqing Police Station
    dutyDesk: { name: 长庆派出所值班室, nameEn: Changqing duty desk }
    officers:
      - badge: "330104"
        name: 李明
        duty: ["mon-fri 08:30-17:30", "sat 09:00-12:00"]
      - badge: "330105"
        name: 王芳
        role: supervisor
        capacity: 40
    beats:
      - code: CQ-01
        name: 长寿桥社区
        primary: "330104"
        backup: "330105"
        compounds:
          - name: 长寿桥小区
            aliases: [长寿桥, 长寿新村]
            pinyin: [changshouqiao]
            streets: [{ street: 柳营巷, from: 1, to: 59, parity: odd }]
          - name: 王马小区
            aliases: [王马新村]
    accounts:
      - id: cq-station
        kind: wechaty
        owner: station
        puppet: mock
        groups: [长寿桥小区业主群]
      - id: cq-li-ming
        kind: wechaty
        owner: "330104"
        puppet: mock
`

function onlyProblem(text: string): StationFileProblem {
  const problems = problemsOf(text)
  expect(problems, JSON.stringify(problems, null, 2)).toHaveLength(1)
  return problems[0]!
}

describe('the shipped seed files', () => {
  it('parses the Changqing urban station', async () => {
    const file = await readStationFile(seed('changqing.yaml'))
    expect(file.stations).toHaveLength(1)
    const station = file.stations[0]!
    expect(station).toMatchObject({ code: 'CQ', name: '长庆派出所' })
    expect(station.dutyDesk.name).toBe('长庆派出所值班室')
    expect(station.beats).toHaveLength(6)

    const community = station.officers.filter((o) => o.role === 'officer')
    expect(community).toHaveLength(6)
    expect(station.officers.some((o) => o.role === 'supervisor')).toBe(true)
    expect(station.officers.some((o) => o.role === 'admin')).toBe(true)
    expect(new Set(station.beats.map((b) => b.primary))).toEqual(new Set(community.map((o) => o.badge)))
    for (const beat of station.beats) {
      expect(beat.backup).toBeDefined()
      expect(beat.backup).not.toBe(beat.primary)
    }

    const compounds = station.beats.flatMap((b) => b.compounds)
    expect(compounds.length).toBeGreaterThanOrEqual(30)
    for (const compound of compounds) {
      expect(compound.aliases.length).toBeGreaterThan(0)
      expect(compound.pinyin.length).toBeGreaterThan(0)
    }
    const streets = compounds.flatMap((c) => c.streets.map((s) => s.street))
    expect(streets).toEqual(
      expect.arrayContaining(['柳营巷', '长寿路', '环城北路', '浣纱路', '孩儿巷', '武林路']),
    )

    expect(station.accounts.map((a) => a.owner)).toEqual(['station', '330104', '330106'])
    expect(station.accounts.every((a) => a.puppet === 'mock')).toBe(true)
  })

  it('parses the Fengqiao rural station', async () => {
    const file = await readStationFile(seed('fengqiao.yaml'))
    const station = file.stations[0]!
    expect(station.code).toBe('FQ')
    expect(station.dutyDesk.name).toBe('枫桥派出所值班室')
    const villages = station.beats.flatMap((b) => b.compounds)
    expect(villages.map((v) => v.name)).toEqual(expect.arrayContaining(['枫源村', '枫溪村', '陈家村']))
    expect(villages.find((v) => v.name === '枫源村')?.pinyin).toContain('fengyuan')
    expect(station.officers.filter((o) => o.team === 'mediation').length).toBeGreaterThanOrEqual(2)
    const account = station.accounts.find((a) => a.owner === 'station')
    expect(account?.groups.length).toBeGreaterThanOrEqual(2)
  })

  it('keeps badges and account ids distinct across the two demo stations', async () => {
    const [cq, fq] = await Promise.all(
      ['changqing.yaml', 'fengqiao.yaml'].map((f) => readFile(seed(f), 'utf8')),
    )
    const stations = [cq!, fq!].flatMap((text, i) => parseStationFile(text, `seed${i}`).stations)
    const badges = stations.flatMap((s) => s.officers.map((o) => o.badge))
    const accounts = stations.flatMap((s) => s.accounts.map((a) => a.id))
    expect(new Set(badges).size).toBe(badges.length)
    expect(new Set(accounts).size).toBe(accounts.length)
  })
})

describe('parseStationFile on a valid file', () => {
  it('fills in the documented defaults', () => {
    const station = parseStationFile(VALID, 'test.yaml').stations[0]!
    expect(station.timeZone).toBeUndefined()
    expect(station.officers[0]).toMatchObject({ role: 'officer', capacity: 30, active: true })
    expect(station.officers[1]).toMatchObject({ role: 'supervisor', capacity: 40, duty: [] })
    expect(station.beats[0]!.compounds[1]).toEqual({
      name: '王马小区',
      aliases: ['王马新村'],
      pinyin: [],
      streets: [],
    })
    expect(station.accounts[1]).toMatchObject({ groups: [], rate: { perMinute: 60, dailyCap: 500 } })
  })

  it('accepts a real IANA zone and rejects an invented one', () => {
    const urumqi = edit(VALID, '    dutyDesk:', '    timeZone: Asia/Urumqi\n    dutyDesk:')
    expect(parseStationFile(urumqi, 't').stations[0]!.timeZone).toBe('Asia/Urumqi')
    const bad = edit(VALID, '    dutyDesk:', '    timeZone: Asia/Hangzhou\n    dutyDesk:')
    expect(onlyProblem(bad)).toMatchObject({
      line: lineOf(bad, 'timeZone'),
      path: 'stations[0].timeZone',
      message: expect.stringContaining('IANA time zone'),
    })
  })
})

describe('cross-field checks', () => {
  it('reports a duplicate badge at the second one, citing the first', () => {
    const text = edit(
      VALID,
      '        capacity: 40\n',
      '        capacity: 40\n      - badge: "330105"\n        name: 张伟\n',
    )
    const problem = onlyProblem(text)
    expect(problem).toMatchObject({
      line: lineOf(text, 'name: 张伟') - 1,
      col: 16,
      path: 'stations[0].officers[2].badge',
    })
    expect(problem.message).toContain('duplicate badge "330105"')
    expect(problem.message).toContain(`see line ${lineOf(text, 'badge: "330105"')}`)
  })

  it('reports a duplicate beat code', () => {
    const text = `${VALID.replace(/\n {4}accounts:[\s\S]*$/, '')}
      - code: CQ-01
        name: 王马社区
        primary: "330105"
`
    const problem = onlyProblem(text)
    expect(problem).toMatchObject({
      line: lineOf(text, 'name: 王马社区') - 1,
      path: 'stations[0].beats[1].code',
    })
    expect(problem.message).toContain('duplicate beat code "CQ-01"')
  })

  it('reports a duplicate account id', () => {
    const text = edit(VALID, 'id: cq-li-ming', 'id: cq-station')
    expect(onlyProblem(text)).toMatchObject({
      line: lineOf(text, 'id: cq-station', 'owner: station'),
      path: 'stations[0].accounts[1].id',
      message: expect.stringContaining('duplicate account id "cq-station"'),
    })
  })

  it('reports a duplicate compound name within the station', () => {
    const text = edit(VALID, 'name: 王马小区', 'name: 长寿桥小区')
    expect(onlyProblem(text)).toMatchObject({
      line: lineOf(text, 'aliases: [王马新村]') - 1,
      path: 'stations[0].beats[0].compounds[1].name',
      message: expect.stringContaining('duplicate compound name "长寿桥小区"'),
    })
  })

  it('reports a primary officer who does not exist', () => {
    const text = edit(VALID, 'primary: "330104"', 'primary: "330199"')
    const problem = onlyProblem(text)
    expect(problem).toMatchObject({
      line: lineOf(text, 'primary:'),
      col: 18,
      path: 'stations[0].beats[0].primary',
    })
    expect(problem.message).toContain('no officer has badge "330199"')
    expect(problem.message).toContain('330104, 330105')
  })

  it('reports a backup officer who does not exist, and one equal to the primary', () => {
    const unknown = edit(VALID, 'backup: "330105"', 'backup: "330100"')
    expect(onlyProblem(unknown)).toMatchObject({
      line: lineOf(unknown, 'backup:'),
      path: 'stations[0].beats[0].backup',
      message: expect.stringContaining('no officer has badge "330100"'),
    })
    const same = edit(VALID, 'backup: "330105"', 'backup: "330104"')
    expect(onlyProblem(same)).toMatchObject({
      line: lineOf(same, 'backup:'),
      path: 'stations[0].beats[0].backup',
      message: expect.stringContaining('same officer as primary'),
    })
  })

  it('reports a beat officer who belongs to another station in the file', () => {
    const second = `  - code: FQ
    name: 枫桥派出所
    dutyDesk: { name: 枫桥派出所值班室 }
    officers:
      - badge: "681001"
        name: 何建华
    beats:
      - code: FQ-01
        name: 枫源片
        primary: "330104"
`
    const text = VALID + second
    expect(onlyProblem(text)).toMatchObject({
      line: lineOf(text, 'primary: "330104"', 'code: FQ-01'),
      path: 'stations[1].beats[0].primary',
      message: expect.stringContaining('belongs to station CQ, not FQ'),
    })
  })

  it('reports an account owner badge that does not exist', () => {
    const text = edit(VALID, 'owner: "330104"', 'owner: "330999"')
    expect(onlyProblem(text)).toMatchObject({
      line: lineOf(text, 'owner: "330999"'),
      path: 'stations[0].accounts[1].owner',
      message: expect.stringContaining('unknown owner'),
    })
  })

  it("reports an alias that is another compound's name, citing that compound", () => {
    const text = edit(VALID, 'aliases: [王马新村]', 'aliases: [王马新村, 长寿桥小区]')
    const problem = onlyProblem(text)
    expect(problem).toMatchObject({
      line: lineOf(text, '长寿桥小区]'),
      col: colOf(text, '长寿桥小区]'),
      path: 'stations[0].beats[0].compounds[1].aliases[1]',
    })
    expect(problem.message).toContain('alias "长寿桥小区" is the name of another compound')
    expect(problem.message).toContain(`see line ${lineOf(text, 'name: 长寿桥小区')}`)
  })

  it('asks for tokenEnv when an account uses the puppet service', () => {
    const text = edit(VALID, 'puppet: mock\n        groups', 'puppet: service\n        groups')
    expect(onlyProblem(text)).toMatchObject({
      line: lineOf(text, 'id: cq-station'),
      path: 'stations[0].accounts[0]',
      message: expect.stringContaining('tokenEnv'),
    })
    expect(() =>
      parseStationFile(edit(text, 'puppet: service', 'puppet: service\n        tokenEnv: CQ_TOKEN'), 't'),
    ).not.toThrow()
  })
})

describe('shape errors', () => {
  it('points an unknown field at its key and lists the allowed ones', () => {
    const text = edit(VALID, 'capacity: 40', 'capcity: 40')
    expect(onlyProblem(text)).toMatchObject({
      line: lineOf(text, 'capcity'),
      col: 9,
      path: 'stations[0].officers[1].capcity',
      message: expect.stringMatching(/unknown field "capcity".*capacity/),
    })
  })

  it('points a missing field at the key that opens its map', () => {
    const text = edit(
      VALID,
      '{ name: 长庆派出所值班室, nameEn: Changqing duty desk }',
      '{ nameEn: Changqing duty desk }',
    )
    expect(onlyProblem(text)).toMatchObject({
      line: lineOf(text, 'dutyDesk'),
      col: 5,
      path: 'stations[0].dutyDesk.name',
      message: expect.stringMatching(/^missing; expected the duty desk name/),
    })
  })

  it('asks for a badge in quotes when it was written as a number', () => {
    const text = edit(VALID, 'badge: "330105"', 'badge: 330105')
    expect(onlyProblem(text)).toMatchObject({
      line: lineOf(text, 'badge: 330105'),
      path: 'stations[0].officers[1].badge',
      message: expect.stringContaining('quoted string of digits'),
    })
  })

  it('checks the form of duty patterns, pinyin, codes and street ranges', () => {
    const text = edit(
      edit(
        edit(VALID, '"sat 09:00-12:00"', '"saturday 9-12"'),
        'pinyin: [changshouqiao]',
        'pinyin: [Chang Shou Qiao]',
      ),
      'from: 1, to: 59',
      'from: 59, to: 1',
    )
    const problems = problemsOf(text)
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [lineOf(text, 'saturday'), 'stations[0].officers[0].duty[1]'],
      [lineOf(text, 'Chang Shou Qiao'), 'stations[0].beats[0].compounds[0].pinyin[0]'],
      [lineOf(text, 'from: 59'), 'stations[0].beats[0].compounds[0].streets[0].to'],
    ])
    expect(problems[0]!.message).toContain('"mon-fri 08:30-17:30"')
    expect(problems[2]!.message).toContain('from <= to')
  })

  it('rejects a file that is not a map of stations', () => {
    expect(onlyProblem('')).toMatchObject({
      line: 1,
      path: '(file)',
      message: expect.stringContaining('stations'),
    })
    expect(onlyProblem('stations: []\n')).toMatchObject({
      path: 'stations',
      message: expect.stringContaining('at least one'),
    })
  })
})

describe('YAML syntax errors', () => {
  it('reports the line of the broken YAML', () => {
    const text = edit(VALID, 'name: 王芳', 'name: "王芳')
    expect(onlyProblem(text)).toMatchObject({
      line: lineOf(text, 'name: "王芳'),
      path: 'YAML syntax',
      message: expect.stringContaining('quote'),
    })
    expect(() => parseStationFile(text, 'broken.yaml')).toThrow(
      /^invalid station file broken\.yaml \(1 problem\):\nbroken\.yaml:\d+:\d+: YAML syntax: /,
    )
  })

  it('reports a duplicated key at its line', () => {
    const text = edit(VALID, '        name: 王芳\n', '        name: 王芳\n        name: 王小芳\n')
    expect(onlyProblem(text)).toMatchObject({
      line: lineOf(text, 'name: 王小芳'),
      path: 'YAML syntax',
      message: expect.stringContaining('unique'),
    })
  })
})

describe('several problems at once', () => {
  it('reports every problem, in line order, each as file:line:col: path: message', () => {
    let text = edit(VALID, 'code: CQ\n', 'code: cq\n')
    text = edit(text, 'primary: "330104"', 'primary: "330777"')
    text = edit(text, 'puppet: mock\n        groups', 'puppet: carrier-pigeon\n        groups')
    text = edit(text, 'id: cq-li-ming', 'id: cq-station')
    let error: unknown
    try {
      parseStationFile(text, 'seeds/cq.yaml')
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(StationFileError)
    const { problems, message, code } = error as StationFileError
    expect(code).toBe('INVALID_STATION_FILE')
    expect(problems.map((p) => p.path)).toEqual([
      'stations[0].code',
      'stations[0].beats[0].primary',
      'stations[0].accounts[0].puppet',
      'stations[0].accounts[1].id',
    ])
    const lines = message.split('\n')
    expect(lines[0]).toBe('invalid station file seeds/cq.yaml (4 problems):')
    expect(lines[1]).toBe(
      `seeds/cq.yaml:${lineOf(text, 'code: cq')}:11: stations[0].code: "cq" is not valid; expected 2 to 6 uppercase letters, e.g. CQ`,
    )
    expect(lines[3]).toBe(
      `seeds/cq.yaml:${lineOf(text, 'carrier-pigeon')}:17: stations[0].accounts[0].puppet: "carrier-pigeon" is not valid; expected mock, wechat4u or service`,
    )
  })
})
