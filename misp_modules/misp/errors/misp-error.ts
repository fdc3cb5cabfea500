/**
 * Base of every error the MISP client throws, so that a caller can tell a MISP failure from a bug.
 * It carries the MISP host (never a URL with credentials, never the API key). The transport error
 * is deliberately not attached as `cause`: got's errors hold the request options, headers included,
 * and the Authorization header would surface wherever the cause is printed.
 */
export class MispError extends Error {
  /** Host and port of the MISP instance. */
  readonly host: string;

  constructor(message: string, host: string) {
    super(message);
    this.name = 'MispError';
    this.host = host;
  }
}
