/**
 * Thrown by a push started after the client was closed. Pushes already under way when the client
 * closes do not throw: they resolve with their undelivered values reported as failed.
 */
export class IocCollectionClientClosedError extends Error {
  constructor() {
    super('The Sekoia.io IOC collection client is closed: create a new client to push more IOCs.');
    this.name = 'IocCollectionClientClosedError';
  }
}
