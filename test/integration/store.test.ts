import { createHash, randomUUID } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type InboundWrites, type NewCase, noInboundWrites } from '../../src/app/ports.ts'
import { formatCaseNumber } from '../../src/domain/routing.ts'
import type { InboundEvent } from '../../src/domain/types.ts'
import type { Database, DatabaseHandle } from '../../src/store/db.ts'
import { createDirectory, webChatAccountId } from '../../src/store/directory.repository.ts'
import { createInboundStore } from '../../src/store/inbound.repository.ts'
import { createInboundEvents } from '../../src/store/inbound-events.repository.ts'
import { migrate } from '../../src/store/migrate.ts'
import { seedIds, seedStations } from '../../src/store/seed.ts'
import { parseStationFile, type StationFile } from '../../src/store/station-file.ts'
import { createWebChatStore } from '../../src/store/web-chat.repository.ts'
import { testEngines } from '../helpers/db.ts'

const SEED_PATH = fileURLToPath(new URL('../../seeds/changqing.yaml', import.meta.url))
const MIGRATION_FILES = readdirSync(fileURLToPath(new URL('../../src/store/migrations', import.meta.url)))
  .filter((f) => f.endsWith('.sql'))
  .sort()

const STATION = seedIds.station('CQ')
const LI_MING = seedIds.officer('330104')
const WANG_FANG = seedIds.officer('330105')

/** An inbound web chat event from a contact; each call is a new message unless overridden. */
function eventFrom(contactRef: string, overrides: Partial<InboundEvent> = {}): InboundEvent {
  return {
    channel: 'web',
    accountId: webChatAccountId('CQ'),
    externalId: `${contactRef}/${randomUUID()}`,
    sender: { ref: contactRef, displayName: '测试居民' },
    kind: 'text',
    text: '楼上很吵',
    sentAt: '2026-03-02T01:00:00.000Z',
    receivedAt: '2026-03-02T01:00:01.000Z',
    ...overrides,
  }
}

async function rowCounts(db: Database) {
  const count = async (
    table: 'stations' | 'officers' | 'beats' | 'compounds' | 'bot_accounts',
  ): Promise<number> => {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }
  return {
    stations: await count('stations'),
    officers: await count('officers'),
    beats: await count('beats'),
    compounds: await count('compounds'),
    accounts: await count('bot_accounts'),
  }
}

for (const engine of testEngines()) {
  describe(`store (${engine.name})`, () => {
    let handle: DatabaseHandle
    let db: Database
    let seedText: string
    let seedFile: StationFile
    let firstApplied: string[]

    const newCase = (residentId: string, identityId: string, counter: number): NewCase => ({
      id: randomUUID(),
      number: formatCaseNumber('CQ', 2040, counter),
      stationId: STATION,
      residentId,
      identityId,
      beatId: seedIds.beat('CQ-01'),
      category: 'noise',
      priority: 'normal',
      status: 'assigned',
      assigneeOfficerId: LI_MING,
      queue: `officer-${LI_MING}`,
      awaitingAddress: false,
      addressAttempts: 0,
      firstResponseDueAt: new Date('2026-03-02T01:30:00.000Z'),
      openedAt: new Date('2026-03-02T01:00:00.000Z'),
      lastMessageAt: new Date('2026-03-02T01:00:00.000Z'),
    })

    const resolve = async (event: InboundEvent, language: 'zh' | 'en' = 'zh') => {
      const [ref] = await createInboundStore(db).transaction((tx) =>
        tx.resolveResidents([{ event, language }], randomUUID),
      )
      return ref!
    }
    const write = (writes: Partial<InboundWrites>) =>
      createInboundStore(db).transaction((tx) => tx.write({ ...noInboundWrites(), ...writes }))
    const findOpen = async (residentId: string) =>
      (await createInboundStore(db).transaction((tx) => tx.lockOpenCases([residentId]))).get(residentId) ??
      null

    /** A fresh resident with one identity, created through the repository. */
    const newResident = () => resolve(eventFrom(randomUUID()))

    beforeAll(async () => {
      handle = await engine.open()
      db = handle.db
      firstApplied = await migrate(handle)
      seedText = await readFile(SEED_PATH, 'utf8')
      seedFile = parseStationFile(seedText, SEED_PATH)
      await seedStations(db, seedFile)
    })
    afterAll(async () => {
      await handle?.close()
    })

    describe('migrations', () => {
      it('applies every migration file once, and nothing on a second run', async () => {
        expect(firstApplied).toEqual(MIGRATION_FILES)
        expect(await migrate(handle)).toEqual([])
        const rows = await db
          .selectFrom('schema_migrations' as never)
          .select('name' as never)
          .execute()
        expect(rows.map((r) => (r as { name: string }).name).sort()).toEqual(MIGRATION_FILES)
      })

      it('applies each file exactly once when migrations run at the same time', async () => {
        // A start-up race shows only now and then on a server, so PostgreSQL gets several fresh schemas.
        const rounds = engine.name === 'postgres' ? 3 : 1
        for (let round = 0; round < rounds; round++) {
          const fresh = await engine.open()
          try {
            const results = await Promise.all([migrate(fresh), migrate(fresh), migrate(fresh)])
            expect(results.flat().sort()).toEqual(MIGRATION_FILES)
            const rows = await fresh.db
              .selectFrom('schema_migrations' as never)
              .select('name' as never)
              .execute()
            expect(rows).toHaveLength(MIGRATION_FILES.length)
            // The schema is really there: a table from the first migration answers.
            expect(await fresh.db.selectFrom('cases').select('id').execute()).toEqual([])
          } finally {
            await fresh.close()
          }
        }
      })
    })

    describe('seeding', () => {
      it('loads the Changqing file with every row of it', async () => {
        const station = seedFile.stations[0]
        if (!station) throw new Error('seed file has no station')
        expect(await rowCounts(db)).toEqual({
          stations: 1,
          officers: station.officers.length,
          beats: station.beats.length,
          compounds: station.beats.reduce((n, b) => n + b.compounds.length, 0),
          accounts: station.accounts.length,
        })
        expect(station.officers.length).toBe(8)
        expect(station.beats.length).toBe(6)
      })

      it('gives the same row counts when the same file is loaded again', async () => {
        const before = await rowCounts(db)
        const summary = await seedStations(db, seedFile)
        expect(await rowCounts(db)).toEqual(before)
        expect(summary).toEqual({ ...before })
      })

      it('updates rows in place when the file is edited', async () => {
        const before = await rowCounts(db)
        const edited = seedText
          .replace('capacity: 40', 'capacity: 45')
          .replace('aliases: [长寿桥, 长寿新村]', 'aliases: [长寿桥, 长寿新村, 长寿东苑]')
        expect(edited).not.toBe(seedText)
        expect(edited).toContain('capacity: 45')
        expect(edited).toContain('长寿东苑')
        try {
          await seedStations(db, parseStationFile(edited, 'edited.yaml'))
          expect(await rowCounts(db)).toEqual(before)
          const officer = await db
            .selectFrom('officers')
            .selectAll()
            .where('id', '=', LI_MING)
            .executeTakeFirstOrThrow()
          expect(officer.capacity).toBe(45)
          const compound = await db
            .selectFrom('compounds')
            .selectAll()
            .where('name', '=', '长寿桥小区')
            .executeTakeFirstOrThrow()
          expect(compound.aliases).toEqual(['长寿桥', '长寿新村', '长寿东苑'])
          expect(compound.id).toBe(seedIds.compound('CQ', '长寿桥小区'))

          const snapshot = await createDirectory(db).get()
          expect(snapshot.officers.get(LI_MING)?.capacity).toBe(45)
          expect(snapshot.matchAddress(STATION, '我住长寿东苑3幢')?.name).toBe('长寿桥小区')
        } finally {
          await seedStations(db, seedFile)
        }
        const restored = await db
          .selectFrom('officers')
          .select('capacity')
          .where('id', '=', LI_MING)
          .executeTakeFirstOrThrow()
        expect(restored.capacity).toBe(40)
      })
    })

    describe('directory snapshot', () => {
      it('exposes the station, its officers and beats', async () => {
        const snapshot = await createDirectory(db).get()
        const station = snapshot.stations.get(STATION)
        expect(station).toMatchObject({
          code: 'CQ',
          name: '长庆派出所',
          nameEn: 'Changqing Police Station',
          timeZone: 'Asia/Shanghai',
          deskName: '长庆派出所值班室',
          deskNameEn: 'Changqing duty desk',
        })
        expect(snapshot.officers.size).toBe(8)
        const li = snapshot.officers.get(LI_MING)
        expect(li).toMatchObject({
          name: '李明',
          nameEn: 'Li Ming',
          badge: '330104',
          capacity: 40,
          active: true,
        })
        // mon-fri 08:30-17:30 and sat 09:00-12:00: six shifts, Monday first.
        expect(li?.duty).toHaveLength(6)
        expect(li?.duty[0]).toEqual({ day: 1, startMinute: 510, endMinute: 1050 })
        expect(snapshot.beats.get(seedIds.beat('CQ-01'))).toMatchObject({
          code: 'CQ-01',
          primaryOfficerId: LI_MING,
          backupOfficerId: WANG_FANG,
        })
      })

      it('has a web chat account for the station and the seeded bot accounts with their owners', async () => {
        const snapshot = await createDirectory(db).get()
        expect(snapshot.accounts.get('web-cq')).toEqual({
          id: 'web-cq',
          stationId: STATION,
          ownerOfficerId: null,
        })
        expect(snapshot.accounts.get('cq-station')).toEqual({
          id: 'cq-station',
          stationId: STATION,
          ownerOfficerId: null,
        })
        expect(snapshot.accounts.get('cq-li-ming')?.ownerOfficerId).toBe(LI_MING)
      })

      it('lists the beats an officer covers, primary ones first', async () => {
        const snapshot = await createDirectory(db).get()
        // 330104 is primary of CQ-01 and backup of CQ-06; 330105 is backup of CQ-01 and primary of CQ-02.
        expect(snapshot.beatsOfOfficer(LI_MING).map((b) => b.code)).toEqual(['CQ-01', 'CQ-06'])
        expect(snapshot.beatsOfOfficer(WANG_FANG).map((b) => b.code)).toEqual(['CQ-02', 'CQ-01'])
        expect(snapshot.beatsOfOfficer('of-nobody')).toEqual([])
      })

      it('matches addresses against the station gazetteer', async () => {
        const snapshot = await createDirectory(db).get()
        expect(snapshot.matchAddress(STATION, '我住长寿桥小区5幢')?.name).toBe('长寿桥小区')
        expect(snapshot.matchAddress(STATION, '柳营巷12号楼上很吵')?.name).toBe('柳营巷')
        expect(snapshot.matchAddress(STATION, '柳营巷13号楼上很吵')?.name).toBe('长寿桥小区')
        expect(snapshot.matchAddress(STATION, '今天天气不错')).toBeNull()
        expect(snapshot.matchAddress('st-unknown', '长寿桥小区')).toBeNull()
      })
    })

    describe('case numbers', () => {
      it('counts up without gaps under 50 concurrent calls', async () => {
        const store = createInboundStore(db)
        const values = await Promise.all(
          Array.from({ length: 50 }, () => store.reserveCaseCounters(STATION, 2031, 1)),
        )
        expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
        // A block of ten ends ten further on.
        expect(await store.reserveCaseCounters(STATION, 2031, 10)).toBe(60)
        expect(await store.reserveCaseCounters(STATION, 2031, 1)).toBe(61)
      })

      it('starts again at 1 in a new year', async () => {
        const store = createInboundStore(db)
        await store.reserveCaseCounters(STATION, 2033, 1)
        await store.reserveCaseCounters(STATION, 2033, 1)
        expect(await store.reserveCaseCounters(STATION, 2034, 1)).toBe(1)
        expect(await store.reserveCaseCounters(STATION, 2033, 1)).toBe(3)
      })
    })

    describe('messages', () => {
      it('stores a message once per channel, account and external id', async () => {
        const event = eventFrom(randomUUID())
        const first = randomUUID()
        const resident = await resolve(event)
        const row = (id: string, e: InboundEvent, r: { residentId: string; identityId: string }) => ({
          id,
          event: e,
          residentId: r.residentId,
          identityId: r.identityId,
          caseId: null,
        })
        await write({ messages: [row(first, event, resident)] })
        // A platform redelivering the message under another id changes nothing.
        await write({ messages: [row(randomUUID(), event, resident)] })
        // Another account may use the same external id: that is a different message.
        const otherAccount = { ...event, accountId: 'cq-station', sender: { ref: `other-${randomUUID()}` } }
        await write({ messages: [row(randomUUID(), otherAccount, await resolve(otherAccount))] })
        const rows = await db
          .selectFrom('messages')
          .select(['id', 'account_id'])
          .where('external_id', '=', event.externalId)
          .execute()
        expect(rows).toHaveLength(2)
        expect(rows.find((r) => r.account_id === event.accountId)?.id).toBe(first)
      })
    })

    describe('cases', () => {
      it('allows only one open case per resident, and a new one once it is resolved', async () => {
        const resident = await newResident()
        const first = newCase(resident.residentId, resident.identityId, 1)
        await write({ newCases: [first] })
        await expect(
          write({ newCases: [newCase(resident.residentId, resident.identityId, 2)] }),
        ).rejects.toThrow()

        const open = await findOpen(resident.residentId)
        expect(open).toMatchObject({ id: first.id, number: 'CQ-2040-000001', status: 'assigned', version: 1 })

        await write({ caseChanges: [{ caseId: first.id, change: { status: 'resolved' } }] })
        expect(await findOpen(resident.residentId)).toBeNull()
        const second = newCase(resident.residentId, resident.identityId, 3)
        await write({ newCases: [second] })
        expect((await findOpen(resident.residentId))?.id).toBe(second.id)

        const resolved = await db
          .selectFrom('cases')
          .select(['status', 'version'])
          .where('id', '=', first.id)
          .executeTakeFirstOrThrow()
        expect(resolved).toEqual({ status: 'resolved', version: 2 })
      })

      it('records a new message on several cases in one statement, each version up by one', async () => {
        const a = await newResident()
        const b = await newResident()
        const caseA = newCase(a.residentId, a.identityId, 20)
        const caseB = newCase(b.residentId, b.identityId, 21)
        await write({ newCases: [caseA, caseB] })
        const at = new Date('2026-03-02T02:00:00.000Z')
        await write({
          caseChanges: [
            { caseId: caseA.id, change: { lastMessageAt: at } },
            { caseId: caseB.id, change: { lastMessageAt: at, priority: 'urgent' } },
          ],
        })
        const rows = await db
          .selectFrom('cases')
          .select(['id', 'last_message_at', 'priority', 'version'])
          .where('id', 'in', [caseA.id, caseB.id])
          .execute()
        expect(rows.find((r) => r.id === caseA.id)).toMatchObject({ last_message_at: at, version: 2 })
        expect(rows.find((r) => r.id === caseB.id)).toMatchObject({
          last_message_at: at,
          priority: 'urgent',
          version: 2,
        })
      })

      it('does not limit open cases of different residents', async () => {
        const store = createInboundStore(db)
        const a = await newResident()
        const b = await newResident()
        await write({
          newCases: [newCase(a.residentId, a.identityId, 10), newCase(b.residentId, b.identityId, 11)],
        })
        const counts = await store.openCaseCounts([LI_MING])
        expect(counts.get(LI_MING)).toBeGreaterThanOrEqual(2)
      })
    })

    describe('residents', () => {
      it('creates one resident and one identity when 20 messages of a new contact race', async () => {
        const store = createInboundStore(db)
        const contact = `race-${randomUUID()}`
        const residentsBefore = await db
          .selectFrom('residents')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
        const refs = await Promise.all(
          Array.from({ length: 20 }, () =>
            store
              .transaction((tx) =>
                tx.resolveResidents([{ event: eventFrom(contact), language: 'zh' }], randomUUID),
              )
              .then(([ref]) => ref!),
          ),
        )
        expect(new Set(refs.map((r) => r.residentId)).size).toBe(1)
        expect(new Set(refs.map((r) => r.identityId)).size).toBe(1)
        expect(refs.filter((r) => r.created)).toHaveLength(1)

        const identities = await db
          .selectFrom('channel_identities')
          .select(['id', 'resident_id'])
          .where('contact_ref', '=', contact)
          .execute()
        expect(identities).toEqual([{ id: refs[0]?.identityId, resident_id: refs[0]?.residentId }])
        const residentsAfter = await db
          .selectFrom('residents')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
        expect(Number(residentsAfter.n) - Number(residentsBefore.n)).toBe(1)
      })

      it('finds the existing resident on a later message and takes the channel language', async () => {
        const contact = randomUUID()
        const first = await resolve(eventFrom(contact))
        const again = await resolve(eventFrom(contact, { language: 'en' }))
        expect(again).toMatchObject({
          residentId: first.residentId,
          identityId: first.identityId,
          created: false,
        })
        expect(again.language).toBe('en')
      })
    })

    describe('inbound events', () => {
      it('saves an event once and clears its payload when done', async () => {
        const events = createInboundEvents(db)
        const store = createInboundStore(db)
        const id = `ev-${randomUUID()}`
        const event = eventFrom(randomUUID(), {
          text: '我住柳营巷12号，电话13800000000',
          media: { type: 'image', sizeBytes: 2048, name: '照片.jpg' },
        })
        expect(await events.save(id, event)).toBe(true)
        expect(await events.save(id, { ...event, text: 'changed' })).toBe(false)

        expect(await store.peekEvents([id])).toEqual([{ id, event, status: 'pending' }])

        await write({ doneEventIds: [id] })
        const row = await db
          .selectFrom('inbound_events')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
        expect(row.payload).toBeNull()
        expect(row.status).toBe('done')
        expect(row.processed_at).toBeInstanceOf(Date)
        expect(JSON.stringify(row)).not.toContain('13800000000')
        expect(await store.peekEvents([`ev-${randomUUID()}`])).toEqual([])
      })
    })

    describe('web chat sessions', () => {
      it('stores the token only as a hash and finds the session by token', async () => {
        const chat = createWebChatStore(db)
        const { token, session } = await chat.createSession({
          stationId: STATION,
          displayName: '访客',
          language: 'en',
        })
        expect(token.length).toBeGreaterThanOrEqual(32)
        const rows = await db.selectFrom('web_chat_sessions').selectAll().execute()
        const row = rows.find((r) => r.id === session.id)
        expect(row?.token_hash).toBe(createHash('sha256').update(token).digest('hex'))
        expect(JSON.stringify(rows)).not.toContain(token)

        expect(await chat.findByToken(token)).toEqual({
          id: session.id,
          stationId: STATION,
          displayName: '访客',
          language: 'en',
        })
        expect(await chat.findByToken(`${token}x`)).toBeNull()
        expect(await chat.findByToken('')).toBeNull()
      })
    })

    describe('column types', () => {
      it('round-trips jsonb values', async () => {
        const detail = {
          list: [1, 'two', { three: true, four: null }],
          text: '引号 " 和 \\ 反斜杠 and emoji 🚓',
          nested: { deep: { number: 1.5, negative: -7 } },
        }
        const subject = randomUUID()
        await write({
          audits: [
            { stationId: STATION, action: 'test.json', subjectType: 'test', subjectId: subject, detail },
          ],
        })
        const audit = await db
          .selectFrom('audit_events')
          .select('detail')
          .where('subject_id', '=', subject)
          .executeTakeFirstOrThrow()
        expect(audit.detail).toEqual(detail)

        const compound = await db
          .selectFrom('compounds')
          .select(['aliases', 'pinyin', 'streets'])
          .where('name', '=', '长寿桥小区')
          .executeTakeFirstOrThrow()
        expect(compound).toEqual({
          aliases: ['长寿桥', '长寿新村'],
          pinyin: ['changshouqiao', 'changshouxincun'],
          streets: [
            { street: '柳营巷', from: 1, to: 59, parity: 'odd' },
            { street: '长寿路', from: 2, to: 40, parity: 'even' },
          ],
        })

        const events = createInboundEvents(db)
        const parkedId = await events.park({ channel: 'web', accountId: 'web-cq', reason: 'bad', detail })
        const parked = await db
          .selectFrom('parked_events')
          .select('detail')
          .where('id', '=', parkedId)
          .executeTakeFirstOrThrow()
        expect(parked.detail).toEqual(detail)
      })

      it('returns timestamps as Date, whether written as Date, as ISO text or by default', async () => {
        const resident = await newResident()
        const opened = newCase(resident.residentId, resident.identityId, 900)
        await write({ newCases: [opened] })
        const row = await db
          .selectFrom('cases')
          .select(['opened_at', 'first_response_due_at', 'resolved_at', 'updated_at'])
          .where('id', '=', opened.id)
          .executeTakeFirstOrThrow()
        expect(row.opened_at).toBeInstanceOf(Date)
        expect(row.opened_at.getTime()).toBe(opened.openedAt.getTime())
        expect(row.first_response_due_at).toBeInstanceOf(Date)
        expect(row.first_response_due_at?.toISOString()).toBe('2026-03-02T01:30:00.000Z')
        expect(row.resolved_at).toBeNull()
        expect(row.updated_at).toBeInstanceOf(Date)
        expect(Math.abs(row.updated_at.getTime() - Date.now())).toBeLessThan(60_000)

        const id = `ev-${randomUUID()}`
        const event = eventFrom(randomUUID(), { receivedAt: '2026-03-02T09:15:30.250+08:00' })
        await createInboundEvents(db).save(id, event)
        const saved = await db
          .selectFrom('inbound_events')
          .select('received_at')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
        expect(saved.received_at).toBeInstanceOf(Date)
        expect(saved.received_at.toISOString()).toBe('2026-03-02T01:15:30.250Z')
      })
    })
  })
}
