/** Raised when the environment does not satisfy the schema; the message names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
