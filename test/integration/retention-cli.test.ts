import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/store/db.ts'
import { signIn } from '../helpers/officer-session.ts'
import { startTestStack } from '../helpers/stack.ts'

const run = promisify(execFile)
const DAY = 86_400_000

/**
 * `npm run retention` as an operator runs it: its own process against the
 * embedded database on disk, after the service that wrote the data stopped.
 */
describe('npm run retention', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })

  it('removes the ID numbers of requests closed longer ago than the retention period, and only those', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mb-retention-'))
    dirs.push(dir)
    const stack = await startTestStack({
      database: await openDatabase({ dataDir: dir }),
      label: 'retention-cli',
      roles: ['api'],
    })
    const register = async (submissionId: string, idNumber: string) => {
      const session = await stack.app!.inject({ method: 'POST', url: '/chat/api/sessions', payload: {} })
      const made = await stack.app!.inject({
        method: 'POST',
        url: '/chat/api/forms/rental-registration',
        headers: { authorization: `Bearer ${session.json().token}` },
        payload: {
          submissionId,
          answers: {
            compound: '长寿桥小区',
            building: '2幢',
            unit: '1单元101',
            tenantName: '李娜',
            phone: '13700001111',
            moveIn: '2026-11-20',
            leaseEnd: '2027-11-19',
            idNumber,
          },
        },
      })
      expect(made.statusCode).toBe(201)
      return made.json() as { requestId: string }
    }
    const ended = await register('cli-1', '330102199001011234')
    const running = await register('cli-2', '330106198506152017')
    const li = await signIn(stack.ctx, stack.app!, '330104')
    const row = await stack.ctx.database.db
      .selectFrom('service_requests')
      .select('case_id')
      .where('id', '=', ended.requestId)
      .executeTakeFirstOrThrow()
    expect(
      (await li.request('POST', `/api/cases/${row.case_id}/rental/tenancy`, { answer: 'moved-out' })).status,
    ).toBe(200)
    await stack.ctx.database.db
      .updateTable('service_requests')
      .set({ ended_at: new Date(Date.now() - 100 * DAY) })
      .where('id', '=', ended.requestId)
      .execute()
    await stack.stop()

    const { DATABASE_URL: _unused, ...env } = process.env
    const { stdout } = await run('npm', ['run', '--silent', 'retention'], {
      env: { ...env, DATA_DIR: dir, PERSONAL_DATA_RETENTION: '90d', NODE_ENV: 'production' },
    })
    expect(stdout).toContain('ID numbers removed from 1 closed request(s)')

    const db = await openDatabase({ dataDir: dir })
    try {
      const rows = await db.db
        .selectFrom('service_requests')
        .select(['id', 'answers'])
        .where('id', 'in', [ended.requestId, running.requestId])
        .execute()
      const sealed = (id: string) => {
        const answers = rows.find((r) => r.id === id)?.answers as
          | { tenantId: { sealed: string | null; masked: string } }
          | undefined
        return answers?.tenantId
      }
      expect(sealed(ended.requestId)).toMatchObject({ sealed: null, masked: '3301**********1234' })
      expect(sealed(running.requestId)?.sealed).toMatch(/^v1\./)
      const audit = await db.db
        .selectFrom('audit_events')
        .select(['actor', 'subject_id'])
        .where('action', '=', 'personal_data.purged')
        .execute()
      expect(audit).toEqual([{ actor: 'cli', subject_id: ended.requestId }])
    } finally {
      await db.close()
    }

    // Again: nothing left to remove.
    const again = await run('npm', ['run', '--silent', 'retention'], {
      env: { ...env, DATA_DIR: dir, PERSONAL_DATA_RETENTION: '90d' },
    })
    expect(again.stdout).toContain('ID numbers removed from 0 closed request(s)')
  })
})
