import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { fromRoot } from '../../src/project-root.ts'

const scripts = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')).scripts as Record<string, string>
const dockerfile = readFileSync(fromRoot('Dockerfile'), 'utf8')
const compose = parse(readFileSync(fromRoot('docker-compose.yml'), 'utf8'))

// The image runs the bundle with node directly; these keep it the same service npm runs.
describe('the container runs what npm runs', () => {
  it('builds the bundle into the image', () => {
    expect(dockerfile).toMatch(/^RUN npm run build$/m)
  })

  it("starts with package.json's start command, not through npm", () => {
    const cmd = dockerfile.match(/^CMD (.+)$/m)?.[1]
    expect(cmd).toBeDefined()
    expect((JSON.parse(cmd!) as string[]).join(' ')).toBe(scripts.start)
  })

  it("runs the demo in compose with package.json's demo command", () => {
    expect((compose.services.app.command as string[]).join(' ')).toBe(scripts.demo)
  })
})
