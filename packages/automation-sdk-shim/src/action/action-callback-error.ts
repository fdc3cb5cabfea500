/**
 * Thrown when the platform's callback of an action (`PATCH url_callback`) cannot be reached or
 * refuses the call: the platform then never learns the action's state or results. Carries the
 * status of the last answer, when there was one. The message never holds the token.
 */
export class ActionCallbackError extends Error {
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.name = 'ActionCallbackError';
    this.status = status;
  }
}
