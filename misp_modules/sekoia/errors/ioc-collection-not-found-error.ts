import { FatalIocCollectionError } from './fatal-ioc-collection-error.js';

/**
 * Thrown when Sekoia.io answers 404 to a push: no IOC collection with this identifier exists on this
 * server. Usually a mistyped identifier, or a collection that lives in another region than the
 * configured API URL.
 */
export class IocCollectionNotFoundError extends FatalIocCollectionError {
  constructor(collectionUuid: string, server: string) {
    super(
      `IOC collection ${collectionUuid} was not found at ${server} (HTTP 404): ` +
        'check the ioc_collection_uuid, and that ioc_collection_server is the API URL of the region where the collection lives ' +
        '(for example https://api.sekoia.io or https://app.usa1.sekoia.io/api).',
      404,
      collectionUuid,
      server,
    );
    this.name = 'IocCollectionNotFoundError';
  }
}
