import { checkFeedHeaders, parseFeedHeaders } from '../../feed/feed-headers.js';

/** The feed's extra headers, from the account: `feed_headers` lines and `feed_authorization`. */
export function feedHeadersOf(account: Record<string, unknown>): Record<string, string> {
  const text = typeof account.feed_headers === 'string' ? account.feed_headers : undefined;
  const authorization = typeof account.feed_authorization === 'string' && account.feed_authorization.trim() !== '' ? account.feed_authorization.trim() : undefined;
  return checkFeedHeaders({ ...parseFeedHeaders(text), ...(authorization === undefined ? {} : { authorization }) });
}
