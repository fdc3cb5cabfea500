/**
 * Thrown by a trigger's `run()` when running on cannot help: a wrong API key, a missing IOC
 * collection. The runtime logs its message once at `critical`, marks /health unhealthy, stops and
 * exits non-zero instead of restarting the trigger. The message is shown to the operator as is.
 */
export class FatalTriggerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FatalTriggerError';
  }
}

/** Also recognises a FatalTriggerError from another copy of this package. */
export function isFatalTriggerError(error: unknown): error is Error {
  return error instanceof FatalTriggerError || (error instanceof Error && error.name === 'FatalTriggerError');
}
