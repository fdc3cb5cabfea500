import { MispError } from './misp-error.js';

/**
 * Thrown when an attribute search reaches the client's maximum page count without a last page:
 * a safety stop against a server that never ends a search. Carries the page count and size.
 */
export class MispTooManyPagesError extends MispError {
  readonly pages: number;
  readonly pageSize: number;

  constructor(host: string, pages: number, pageSize: number) {
    super(
      `The attribute search on MISP at ${host} read ${pages} pages of ${pageSize} attributes without reaching the last one, and stopped. ` +
        'Narrow the search (a shorter look-back window, tag or organisation filters) or raise the page size.',
      host,
    );
    this.name = 'MispTooManyPagesError';
    this.pages = pages;
    this.pageSize = pageSize;
  }
}
