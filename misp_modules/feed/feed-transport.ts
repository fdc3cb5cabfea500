import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Got, Response } from 'got';
import got from 'got';
import { DEFAULT_BACKOFF, formatSeconds, isRetriedStatus, processSecrets, readRetryAfter, retry, type Backoff, type Clock, type Logger } from '@sekoia/automation-sdk-shim';
import { agentsFor, type AgentSet } from '../http/http-agents.js';
import { safeExcerpt } from '../http/safe-text.js';
import { classifyTransportError } from '../http/transport-failure.js';
import { USER_AGENT } from '../http/user-agent.js';
import type { FeedLocation } from './feed-location.js';
import type { S3Refusal } from './s3-refusal.js';

/** A file of the feed as read, or why not. */
export type FetchOutcome =
  | { status: 'ok'; body: Buffer; etag: string | undefined; contentType: string; lastModified?: string | undefined }
  | { status: 'not-modified' }
  | { status: 'failed'; failure: FetchFailure };

export interface FetchFailure {
  /** missing: 404/410 or no file; denied: 401/403 or no permission; other: anything else. */
  kind: 'missing' | 'denied' | 'other';
  /** `HTTP <status>` or a system/TLS error code. */
  code: string;
  description: string;
  status?: number | undefined;
  tls: boolean;
  attempts: number;
  /** From an S3 location: the refusal S3 named (wrong key, no permission, no such bucket), if any. */
  s3?: S3Refusal | undefined;
}

export interface FeedTransport {
  /**
   * Reads `file` of the feed (`''`: the location itself, a CSV or free-text feed); with `etag` or
   * `lastModified` (as the last answer gave them), answers not-modified when it did not change.
   */
  get(file: string, etag: string | undefined, signal: AbortSignal, lastModified?: string): Promise<FetchOutcome>;
  close(): void;
}

export interface HttpTransportOptions {
  location: Extract<FeedLocation, { kind: 'http' }>;
  headers: Record<string, string>;
  verifySsl: boolean;
  httpProxy?: string | undefined;
  httpsProxy?: string | undefined;
  clock: Clock;
  logger: Logger;
  timeouts: { connectMs: number; responseMs: number };
  maxAttempts: number;
  backoff?: Backoff | undefined;
  /** The Accept header: JSON for a MISP feed, any text for a CSV or free-text one. */
  accept?: string | undefined;
}

type Attempt = FetchOutcome | { status: 'retry'; failure: FetchFailure; summary: string; retryAfterMs: number | undefined };

/**
 * Reads feed files over HTTP(S) with got: its own retries off, the shared retry() waiting through
 * the injected clock with backoff (Retry-After honoured). Proxies and TLS settings come from the
 * shared agents. Header values are secrets: nothing here ever puts them into a message.
 */
export class HttpFeedTransport implements FeedTransport {
  private readonly http: Got;
  private readonly agents: AgentSet;

  constructor(private readonly options: HttpTransportOptions) {
    // What this transport sends, the header values and the credentials of the URL, is never shown.
    for (const value of Object.values(options.headers)) processSecrets.addSecret(value);
    processSecrets.addUrlCredentials(options.location.baseUrl);
    this.agents = agentsFor(options.location.baseUrl.href, { httpProxy: options.httpProxy, httpsProxy: options.httpsProxy, verifySsl: options.verifySsl });
    const { connectMs, responseMs } = options.timeouts;
    this.http = got.extend({
      agent: this.agents,
      https: { rejectUnauthorized: options.verifySsl },
      headers: { accept: options.accept ?? 'application/json', 'user-agent': USER_AGENT, ...options.headers },
      timeout: { lookup: connectMs, connect: connectMs, secureConnect: connectMs, request: responseMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: true,
      decompress: true,
      hooks: {
        // got drops only Authorization and Cookie on a redirect to another site; any feed header may be a credential.
        beforeRedirect: [
          (redirected) => {
            const target = redirected.url;
            const base = options.location.baseUrl;
            if (!(target instanceof URL) || (target.hostname === base.hostname && target.port === base.port)) return;
            for (const name of Object.keys(options.headers)) delete redirected.headers[name];
          },
        ],
      },
    });
  }

  async get(file: string, etag: string | undefined, signal: AbortSignal, lastModified?: string): Promise<FetchOutcome> {
    const url = new URL(this.options.location.baseUrl.href);
    if (file !== '') url.pathname = `${url.pathname}/${file}`;
    const conditions: Record<string, string> = {};
    if (etag !== undefined) conditions['if-none-match'] = etag;
    if (lastModified !== undefined) conditions['if-modified-since'] = lastModified;
    const { maxAttempts } = this.options;
    const run = await retry(
      (attempt) => {
        signal.throwIfAborted();
        return this.attempt(url, conditions, attempt, signal);
      },
      {
        maxAttempts,
        backoff: this.options.backoff ?? DEFAULT_BACKOFF,
        clock: this.options.clock,
        signal,
        classify: (outcome) => (outcome.status === 'retry' ? { retry: true, summary: outcome.summary, retryAfterMs: outcome.retryAfterMs } : { retry: false }),
        onRetry: ({ attempt, summary, waitMs }) =>
          this.options.logger.log(`MISP feed at ${this.options.location.display}, ${file}: ${summary}; attempt ${attempt + 1} of ${maxAttempts} in ${formatSeconds(waitMs)}.`, 'warning'),
      },
    );
    signal.throwIfAborted();
    return run.outcome.status === 'retry' ? { status: 'failed', failure: run.outcome.failure } : run.outcome;
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private async attempt(url: URL, conditions: Record<string, string>, attempt: number, signal: AbortSignal): Promise<Attempt> {
    let response: Response<Buffer>;
    try {
      response = await this.http.get(url, { responseType: 'buffer', signal, headers: conditions });
    } catch (error) {
      signal.throwIfAborted();
      // got's errors hold the request options, headers included: only codes and names are read.
      const classified = classifyTransportError(error, this.options.timeouts);
      const description = classified.detail === undefined ? classified.description : `${classified.description}: ${safeExcerpt(classified.detail)}`;
      const failure: FetchFailure = { kind: 'other', code: classified.code, description, tls: classified.kind === 'tls', attempts: attempt };
      if (!classified.transient) return { status: 'failed', failure };
      return { status: 'retry', failure, summary: `${classified.code} (${description})`, retryAfterMs: undefined };
    }
    const status = response.statusCode;
    if (status === 304) return { status: 'not-modified' };
    if (status >= 200 && status < 300) {
      const header = response.headers.etag;
      const modified = response.headers['last-modified'];
      return {
        status: 'ok',
        body: response.body,
        etag: typeof header === 'string' && header !== '' ? header : undefined,
        lastModified: typeof modified === 'string' && modified !== '' ? modified : undefined,
        contentType: String(response.headers['content-type'] ?? ''),
      };
    }
    const code = `HTTP ${status}`;
    const description = describeStatus(status, response.body);
    const failure = (kind: FetchFailure['kind']): FetchFailure => ({ kind, code, description, status, tls: false, attempts: attempt });
    if (status === 404 || status === 410) return { status: 'failed', failure: failure('missing') };
    if (status === 401 || status === 403) return { status: 'failed', failure: failure('denied') };
    if (isRetriedStatus(status)) {
      return { status: 'retry', failure: failure('other'), summary: code, retryAfterMs: readRetryAfter(response.headers['retry-after'], this.options.clock.now()) };
    }
    return { status: 'failed', failure: failure('other') };
  }
}

function describeStatus(status: number, body: Buffer): string {
  const excerpt = safeExcerpt(body.subarray(0, 4_096).toString('utf8'), 80);
  const name = status === 404 ? 'not found' : status === 429 ? 'rate limited' : status >= 500 ? 'server error' : 'refused';
  return excerpt === '' ? name : `${name}, "${excerpt}"`;
}

/**
 * Reads feed files from a local directory (a feed carried on removable media, a mounted share).
 * A manifest's "ETag" is the SHA-256 of its bytes, so an unchanged manifest costs no event read.
 */
export class DirectoryFeedTransport implements FeedTransport {
  constructor(private readonly directory: string) {}

  async get(file: string, etag: string | undefined, signal: AbortSignal): Promise<FetchOutcome> {
    signal.throwIfAborted();
    let body: Buffer;
    try {
      body = await readFile(path.join(this.directory, file), { signal });
    } catch (error) {
      signal.throwIfAborted();
      const code = (error as NodeJS.ErrnoException).code ?? 'ERR_UNKNOWN';
      const kind = code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : code === 'EACCES' || code === 'EPERM' ? 'denied' : 'other';
      return { status: 'failed', failure: { kind, code, description: kind === 'missing' ? 'no such file' : 'the file cannot be read', tls: false, attempts: 1 } };
    }
    const digest = `"sha256:${createHash('sha256').update(body).digest('hex')}"`;
    if (etag !== undefined && etag === digest) return { status: 'not-modified' };
    return { status: 'ok', body, etag: digest, contentType: 'application/json' };
  }

  close(): void {
    // Nothing held open.
  }
}
