import { readFile, stat } from 'node:fs/promises'
import { extname, resolve, sep } from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { fromRoot } from '../../project-root.ts'

/** Where `npm run build` writes the inbox (see src/web/inbox/vite.config.ts). */
export const INBOX_DIST_DIR = fromRoot('dist', 'inbox')

export interface InboxPageOptions {
  /** The built inbox; defaults to `dist/inbox/` at the project root. */
  distDir?: string
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}

// The page loads only its own files and talks only to its own origin.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** Vite puts content-hashed files under `assets/`: their name changes when they do. */
const IMMUTABLE = 'public, max-age=31536000, immutable'

const NOT_BUILT = `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>民警工作台尚未构建 · Inbox not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 560px; margin: 12vh auto; padding: 0 20px; color: #1b2638">
<h1 style="color: #12325e; font-size: 22px">民警工作台尚未构建</h1>
<p>请在项目目录运行 <code>npm run build</code>，然后刷新本页。</p>
<h2 style="color: #12325e; font-size: 18px">The officer inbox has not been built</h2>
<p>Run <code>npm run build</code> in the project directory, then reload this page.</p>
</body>
</html>
`

/**
 * Maps the part of the URL after `/inbox/` to a file inside `root`, or null when
 * it could point anywhere else: no empty, dot or dot-dot segments (which also
 * keeps dotfiles private), no backslashes or NUL bytes.
 */
export function resolveInside(root: string, urlPath: string): string | null {
  if (urlPath === '' || urlPath.includes('\0') || urlPath.includes('\\')) return null
  const segments = urlPath.split('/')
  if (segments.some((segment) => segment === '' || segment.startsWith('.'))) return null
  const file = resolve(root, ...segments)
  return file.startsWith(root + sep) ? file : null
}

function etagOf(size: number, mtimeMs: number): string {
  return `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer')
}

/**
 * Sends the file if there is one. Answers whether it did: a boolean, because a
 * reply is a thenable that an async function would wait on instead of returning.
 */
async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: string,
  cacheControl: string,
): Promise<boolean> {
  const info = await stat(file).catch(() => null)
  if (!info?.isFile()) return false
  const etag = etagOf(info.size, info.mtimeMs)
  const fresh = request.headers['if-none-match'] === etag
  const body = fresh ? null : await readFile(file).catch(() => null)
  if (!fresh && !body) return false
  securityHeaders(reply)
    .type(CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream')
    .header('cache-control', cacheControl)
    .header('etag', etag)
  if (fresh) reply.code(304).send()
  else reply.send(body)
  return true
}

/**
 * The officer inbox single-page app at `/inbox`: built files from `dist/inbox/`,
 * `index.html` (never cached) for `/inbox` and every path under it that is not a
 * file, so deep links such as `/inbox/case/<id>` load the app; hashed assets are
 * cached for a year. Without a build it answers 503 with what to run.
 */
export async function inboxPageRoutes(app: FastifyInstance, options: InboxPageOptions = {}): Promise<void> {
  const root = resolve(options.distDir ?? INBOX_DIST_DIR)
  const indexFile = resolve(root, 'index.html')

  const sendIndex = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    reply.header('content-security-policy', CSP)
    if (await sendFile(request, reply, indexFile, 'no-cache')) return reply
    return securityHeaders(reply)
      .code(503)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(NOT_BUILT)
  }

  app.get('/inbox', sendIndex)
  app.get<{ Params: { '*': string } }>('/inbox/*', async (request, reply) => {
    const rest = request.params['*'] ?? ''
    if (rest === 'index.html' || rest === '') return sendIndex(request, reply)
    const file = resolveInside(root, rest)
    if (file) {
      const cache = rest.startsWith('assets/') ? IMMUTABLE : 'public, max-age=3600'
      if (await sendFile(request, reply, file, cache)) return reply
    }
    // A missing script or stylesheet must fail as one, not load the page as its body.
    if (rest.startsWith('assets/') || /\.(?:js|mjs|css|map|png|svg|ico|woff2)$/i.test(rest)) {
      return securityHeaders(reply)
        .code(404)
        .type('application/json; charset=utf-8')
        .send({ error: { code: 'NOT_FOUND', message: 'No such file' } })
    }
    return sendIndex(request, reply)
  })
}
