import { FatalIocCollectionError } from './fatal-ioc-collection-error.js';

/**
 * Thrown when Sekoia.io answers 401 to a push: the API key is unknown, revoked or expired.
 * Nothing can be delivered until the `sekoia_api_key` of the module configuration is replaced.
 */
export class SekoiaAuthenticationError extends FatalIocCollectionError {
  constructor(collectionUuid: string, server: string) {
    super(
      `Sekoia.io rejected the API key (HTTP 401) while pushing IOCs to ${collectionUuid} at ${server}: ` +
        'check the sekoia_api_key of the module configuration (it may be mistyped, revoked or expired).',
      401,
      collectionUuid,
      server,
    );
    this.name = 'SekoiaAuthenticationError';
  }
}
