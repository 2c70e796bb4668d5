import type { Database } from './db.ts'
import { newId } from './ids.ts'

export interface CannedReply {
  id: string
  shortcut: string
  title: string
  body: string
  language: string
}

/** Replies every station starts with; supervisors edit them in the inbox. */
export const STARTER_REPLIES: Array<Omit<CannedReply, 'id'>> = [
  {
    shortcut: 'hello',
    title: '问候',
    body: '{resident}您好，我是{officer}，您的案件{case}由我负责，我来了解一下情况。',
    language: 'zh',
  },
  {
    shortcut: 'more',
    title: '请补充信息',
    body: '{resident}您好，为了尽快处理案件{case}，请补充具体地址、时间和经过。',
    language: 'zh',
  },
  {
    shortcut: 'visit',
    title: '上门核实',
    body: '{resident}您好，我会尽快上门核实情况，到时电话联系您。——{officer}',
    language: 'zh',
  },
  {
    shortcut: 'fraud',
    title: '防诈骗提醒',
    body: '{resident}您好，请不要向陌生人转账或提供验证码；如已转账请立即拨打110并保留记录。',
    language: 'zh',
  },
  {
    shortcut: 'done',
    title: '办结',
    body: '{resident}您好，案件{case}已处理完毕，如还有问题请随时留言。——{officer}',
    language: 'zh',
  },
  {
    shortcut: 'hello',
    title: 'Greeting',
    body: 'Hello {resident}, this is {officer}. I am handling case {case} and will look into it now.',
    language: 'en',
  },
  {
    shortcut: 'more',
    title: 'Ask for details',
    body: 'Hello {resident}, to move case {case} forward, please tell me the exact address, time and what happened.',
    language: 'en',
  },
]

export function createCannedReplies(db: Database) {
  return {
    async list(stationId: string): Promise<CannedReply[]> {
      return db
        .selectFrom('canned_replies')
        .select(['id', 'shortcut', 'title', 'body', 'language'])
        .where('station_id', '=', stationId)
        .orderBy('shortcut')
        .orderBy('language')
        .execute()
    },
    async create(stationId: string, reply: Omit<CannedReply, 'id'>): Promise<CannedReply> {
      const id = newId()
      await db
        .insertInto('canned_replies')
        .values({ id, station_id: stationId, ...reply })
        .execute()
      return { id, ...reply }
    },
    async update(stationId: string, id: string, reply: Omit<CannedReply, 'id'>): Promise<boolean> {
      const result = await db
        .updateTable('canned_replies')
        .set({ ...reply, updated_at: new Date() })
        .where('id', '=', id)
        .where('station_id', '=', stationId)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async remove(stationId: string, id: string): Promise<boolean> {
      const result = await db
        .deleteFrom('canned_replies')
        .where('id', '=', id)
        .where('station_id', '=', stationId)
        .executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
    /** Gives a station the starter set once; a station that has edited its replies keeps them. */
    async ensureStarters(stationId: string): Promise<void> {
      const existing = await db
        .selectFrom('canned_replies')
        .select('id')
        .where('station_id', '=', stationId)
        .limit(1)
        .execute()
      if (existing.length) return
      for (const reply of STARTER_REPLIES) {
        await db
          .insertInto('canned_replies')
          .values({ id: newId(), station_id: stationId, ...reply })
          .onConflict((oc) => oc.columns(['station_id', 'shortcut', 'language']).doNothing())
          .execute()
      }
    },
  }
}

export type CannedReplies = ReturnType<typeof createCannedReplies>
