import { isDocumentFormat } from '../../feed/feed-reader.js';
import { missingMispKeys } from '../../misp/misp-account-api.js';
import type { SourceKind } from '../attribute-source.js';
import { openMispApiSource } from './misp-api-source.js';

/** `source: misp_api`: the attribute search of the account's MISP. */
export const mispApiKind: SourceKind = {
  source: 'misp_api',
  lifetimes: true,
  checkConfiguration(account, configuration) {
    const problems: string[] = [];
    if (isDocumentFormat(configuration.feed_format)) {
      problems.push(`In the trigger configuration, feed_format is ${JSON.stringify(configuration.feed_format)}, which needs source misp_feed; expected source "misp_feed" with it, or feed_format left out.`);
    }
    problems.push(...missingMispKeys(account, 'to read the MISP API (source misp_api)', 'a MISP user that can read attributes'));
    return problems;
  },
  open: async (context) => openMispApiSource(context),
};
