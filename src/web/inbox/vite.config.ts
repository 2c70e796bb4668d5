import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

/**
 * Builds the officer inbox into `dist/inbox/`, served by Fastify at `/inbox`.
 * JSX goes through Vite's own oxc transform with Preact's automatic runtime,
 * so no framework plugin is needed.
 */
export default defineConfig({
  root: here('.'),
  base: '/inbox/',
  publicDir: false,
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: here('../../../dist/inbox'),
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    sourcemap: false,
    reportCompressedSize: true,
  },
})
