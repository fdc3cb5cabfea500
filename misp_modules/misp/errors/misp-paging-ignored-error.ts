import { MispError } from './misp-error.js';

/**
 * Thrown when two pages in a row start with the same attribute: the server ignores the `page`
 * parameter, and reading on would loop forever. Carries the repeated attribute id and the page.
 */
export class MispPagingIgnoredError extends MispError {
  readonly attributeId: string;
  readonly page: number;

  constructor(host: string, attributeId: string, page: number) {
    super(
      `MISP at ${host} returned the same first attribute (id ${attributeId}) on pages ${page - 1} and ${page} of the attribute search: ` +
        'it ignores paging, so the search stopped rather than loop forever. ' +
        'Check that MISP is recent enough to page restSearch results and that no proxy or cache in front of it alters the request body.',
      host,
    );
    this.name = 'MispPagingIgnoredError';
    this.attributeId = attributeId;
    this.page = page;
  }
}
