import { isDocumentFormat } from '../../feed/feed-reader.js';
import type { SourceKind } from '../attribute-source.js';
import { mispFeedProblems } from './misp-feed-checks.js';
import { openMispFeedSource } from './misp-feed-source.js';

/** `source: misp_feed`: a MISP feed, or a CSV or free-text list (`feed_format`), over HTTP, in a directory or on S3. */
export const mispFeedKind: SourceKind = {
  source: 'misp_feed',
  checkConfiguration: mispFeedProblems,
  // MISP files a name with more than two labels from a list as a host name: a list's names are synced by default.
  defaultTypes: (configuration) => (isDocumentFormat(configuration.feed_format) ? ['hostname'] : []),
  open: openMispFeedSource,
};
