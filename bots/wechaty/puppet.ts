import type { impls } from 'wechaty-puppet'

/** A Wechaty puppet instance, whichever package provides it. */
export type WechatyPuppet = impls.PuppetInterface

/** Which puppet drives an account. */
export type PuppetKind = 'mock' | 'wechat4u' | 'service'

export interface PuppetSpec {
  puppet: PuppetKind
  /** The puppet-service token; required for `service`. */
  token?: string
  /** A `Mocker` from wechaty-puppet-mock, so a test can drive the mock account. */
  mocker?: unknown
}

/** Raised when an account's puppet cannot be built; the message says what to fix. */
export class PuppetUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PuppetUnavailableError'
  }
}

const PACKAGES: Record<PuppetKind, string> = {
  mock: 'wechaty-puppet-mock',
  wechat4u: 'wechaty-puppet-wechat4u',
  service: 'wechaty-puppet-service',
}

function isModuleNotFound(err: unknown, pkg: string): boolean {
  const e = err as { code?: unknown; message?: unknown }
  return (
    (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') &&
    typeof e.message === 'string' &&
    e.message.includes(pkg)
  )
}

/** A puppet package's main class. */
export type PuppetClass = new (options?: Record<string, unknown>) => WechatyPuppet

/**
 * Imports a puppet package by a name held in a variable: the package stays optional for
 * both the type checker and the runtime, and only the accounts that use it pay its load time.
 * Exported for tests, which point it at a package that is not installed.
 */
export async function loadPuppetClass(pkg: string, exportName: string): Promise<PuppetClass> {
  let mod: Record<string, unknown>
  try {
    mod = (await import(pkg)) as Record<string, unknown>
  } catch (err) {
    if (isModuleNotFound(err, pkg)) {
      throw new PuppetUnavailableError(
        `The WeChat puppet package ${pkg} is not installed: run \`npm install ${pkg}\` or choose another puppet for this account.`,
      )
    }
    throw err
  }
  const cls = mod[exportName] ?? mod.default
  if (typeof cls !== 'function') {
    throw new PuppetUnavailableError(`The package ${pkg} does not export ${exportName}; check its version.`)
  }
  return cls as PuppetClass
}

/** Builds the puppet for one account. Each puppet package is imported only when first needed. */
export async function createPuppet(spec: PuppetSpec): Promise<WechatyPuppet> {
  switch (spec.puppet) {
    case 'mock': {
      const PuppetMock = await loadPuppetClass(PACKAGES.mock, 'PuppetMock')
      return new PuppetMock(spec.mocker ? { mocker: spec.mocker } : {})
    }
    case 'wechat4u': {
      const PuppetWechat4u = await loadPuppetClass(PACKAGES.wechat4u, 'PuppetWechat4u')
      return new PuppetWechat4u()
    }
    case 'service': {
      if (!spec.token) {
        throw new PuppetUnavailableError(
          'The WeChat puppet `service` needs a token (the puppet-service token).',
        )
      }
      const PuppetService = await loadPuppetClass(PACKAGES.service, 'PuppetService')
      return new PuppetService({ token: spec.token })
    }
    default: {
      const unknownKind: never = spec.puppet
      throw new PuppetUnavailableError(
        `Unknown WeChat puppet '${String(unknownKind)}': use mock, wechat4u or service.`,
      )
    }
  }
}
