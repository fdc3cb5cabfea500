/**
 * Thrown when the module's secrets cannot be fetched from url_secrets: the runtime token was
 * refused (401/403), the endpoint answered something else than `{"value": {...}}`, or it stayed
 * unreachable through every attempt. The message never holds the token or a secret.
 */
export class SecretsFetchError extends Error {
  /** HTTP status of the last answer, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.name = 'SecretsFetchError';
    this.status = status;
  }
}
