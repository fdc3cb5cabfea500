/**
 * Base of the errors after which pushing to the IOC collection cannot succeed until an operator
 * changes the configuration: the key, its permissions, or where the collection is looked for.
 * Once one is thrown, the client sends nothing more and every later push rejects with the same
 * error. Carries the HTTP status, the collection and the server (never the API key).
 */
export class FatalIocCollectionError extends Error {
  /** The HTTP status Sekoia.io answered. */
  readonly status: number;
  /** The configured `ioc_collection_uuid`. */
  readonly collectionUuid: string;
  /** The configured `ioc_collection_server`, without any credentials, query or fragment. */
  readonly server: string;

  constructor(message: string, status: number, collectionUuid: string, server: string) {
    super(message);
    this.name = 'FatalIocCollectionError';
    this.status = status;
    this.collectionUuid = collectionUuid;
    this.server = server;
  }
}
