import { FatalIocCollectionError } from './fatal-ioc-collection-error.js';

/**
 * Thrown when Sekoia.io answers 403 to a push: the API key is valid but may not write to this IOC
 * collection. Nothing can be delivered until the key is granted that permission or replaced.
 */
export class SekoiaPermissionError extends FatalIocCollectionError {
  constructor(collectionUuid: string, server: string) {
    super(
      `Sekoia.io refused to let this API key write to IOC collection ${collectionUuid} at ${server} (HTTP 403): ` +
        'check that the sekoia_api_key has the permission to write to IOC collections, in the community that owns this collection.',
      403,
      collectionUuid,
      server,
    );
    this.name = 'SekoiaPermissionError';
  }
}
