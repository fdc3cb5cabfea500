import { FeedError } from './feed-error.js';

/**
 * Thrown when manifest.json was read but is not JSON: typically an HTML page (a login portal, a
 * proxy's error page, a directory listing) served in its place. Carries the content type, a short,
 * single-line, sanitised start of the body and the HTML title if any.
 */
export class FeedManifestNotJsonError extends FeedError {
  readonly contentType: string;
  readonly bodyStart: string;
  readonly pageTitle: string | undefined;

  constructor(feed: string, contentType: string, bodyStart: string, pageTitle?: string) {
    super(
      `The manifest.json of the MISP feed at ${feed} is not JSON (content type "${contentType || 'none'}", ` +
        `${bodyStart ? `starting "${bodyStart}"` : 'empty'}${pageTitle ? `, page title "${pageTitle}"` : ''}). ` +
        'Check that the feed location points at a MISP feed and that no login page or proxy answers in its place ' +
        '(a feed that needs credentials takes them in the feed headers).',
      feed,
    );
    this.name = 'FeedManifestNotJsonError';
    this.contentType = contentType;
    this.bodyStart = bodyStart;
    this.pageTitle = pageTitle;
  }
}
