import { MispError } from './misp-error.js';

/**
 * Thrown when a successful (2xx) answer is not JSON: typically an HTML login page of MISP itself,
 * of a single sign-on portal or of a proxy, reached because misp_url does not point at the API.
 * Carries the content type, a short, single-line, sanitised start of the body and the HTML title if any.
 */
export class MispNotJsonError extends MispError {
  readonly status: number;
  readonly contentType: string;
  readonly bodyStart: string;
  readonly pageTitle: string | undefined;

  constructor(host: string, status: number, contentType: string, bodyStart: string, pageTitle?: string) {
    const looksLikeJson = /json/i.test(contentType);
    super(
      `MISP at ${host} answered the attribute search with HTTP ${status} but not with JSON ` +
        `(content type "${contentType || 'none'}", ${bodyStart ? `body starting "${bodyStart}"` : 'empty body'}` +
        `${pageTitle ? `, page title "${pageTitle}"` : ''}). ` +
        (looksLikeJson
          ? 'The body claims to be JSON but does not parse: MISP may have run out of memory mid-answer; lower the page size or check MISP\'s error log.'
          : 'Check that misp_url is the base URL of the MISP instance (for example https://misp.example.org, without /users/login or another path), ' +
            'and that no proxy or single sign-on portal in front of MISP answers in its place.'),
      host,
    );
    this.name = 'MispNotJsonError';
    this.status = status;
    this.contentType = contentType;
    this.bodyStart = bodyStart;
    this.pageTitle = pageTitle;
  }
}
