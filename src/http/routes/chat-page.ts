import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { fromRoot } from '../../project-root.ts'

const PAGE_DIR = fromRoot('src', 'web', 'chat')

const FILES: Record<string, { file: string; type: string }> = {
  '/chat': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/chat/chat.js': { file: 'chat.js', type: 'text/javascript; charset=utf-8' },
  '/chat/forms.js': { file: 'forms.js', type: 'text/javascript; charset=utf-8' },
  '/chat/chat.css': { file: 'chat.css', type: 'text/css; charset=utf-8' },
}

/** The resident chat page: its hand-written files, read once. */
export async function chatPageRoutes(app: FastifyInstance): Promise<void> {
  for (const [url, { file, type }] of Object.entries(FILES)) {
    const body = await readFile(join(PAGE_DIR, file))
    app.get(url, async (_request, reply) =>
      reply
        .type(type)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .send(body),
    )
  }
  app.get('/chat/', async (_request, reply) => reply.redirect('/chat'))
}
