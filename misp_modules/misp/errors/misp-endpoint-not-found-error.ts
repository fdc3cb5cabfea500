import { MispError } from './misp-error.js';

/**
 * Thrown when MISP answers 404 to the attribute search with anything but MISP's own "No matches"
 * (which older versions use for an empty result): the URL does not lead to MISP's API.
 * Carries the path that was asked and what the server said.
 */
export class MispEndpointNotFoundError extends MispError {
  readonly path: string;
  readonly mispMessage: string;

  constructor(host: string, path: string, mispMessage: string) {
    super(
      `MISP at ${host} answered HTTP 404 (${mispMessage || 'no explanation given'}) to POST ${path}. ` +
        'Check that misp_url is the base URL of the MISP instance (the address of its home page, without a path such as /events), ' +
        'and that no proxy in front of MISP rewrites the path.',
      host,
    );
    this.name = 'MispEndpointNotFoundError';
    this.path = path;
    this.mispMessage = mispMessage;
  }
}
