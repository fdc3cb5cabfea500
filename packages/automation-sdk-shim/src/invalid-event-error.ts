/**
 * Thrown by `sendEvent` when an event does not match the `results` schema of the trigger JSON. The
 * event is not sent: the playbooks downstream rely on that schema. The message names the fields.
 */
export class InvalidEventError extends Error {
  readonly problems: readonly string[];

  constructor(eventName: string, problems: readonly string[]) {
    super(`Event "${eventName}" does not match the results schema of the trigger and was not sent. ${problems.join(' ')}`);
    this.name = 'InvalidEventError';
    this.problems = [...problems];
  }
}
