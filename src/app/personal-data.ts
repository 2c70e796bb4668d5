/**
 * Encryption of personal data at rest (ID and passport numbers), as the app
 * layer sees it. `context` is bound into the ciphertext: a value sealed for
 * one purpose ("rental-id") cannot be opened as another's.
 */
export interface PersonalDataCipher {
  seal(plain: string, context: string): string
  /** Throws `SealedDataError` for a value altered, or sealed with another key. */
  open(sealed: string, context: string): string
  /** Looks like a sealed value (not a proof that it opens). */
  isSealed(value: unknown): value is string
}

/** A sealed value that cannot be opened: altered, sealed for another purpose, or with another DATA_KEY. */
export class SealedDataError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SealedDataError'
  }
}
