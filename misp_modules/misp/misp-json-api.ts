import type { Got } from 'got';
import type { AgentSet } from '../http/http-agents.js';
import { safeExcerpt } from '../http/safe-text.js';
import { classifyTransportError } from '../http/transport-failure.js';
import { MispAuthenticationError } from './errors/misp-authentication-error.js';
import { MispRefusedError } from './errors/misp-refused-error.js';
import { MispTlsError } from './errors/misp-tls-error.js';
import { MispUnexpectedAnswerError } from './errors/misp-unexpected-answer-error.js';
import { MispUnreachableError } from './errors/misp-unreachable-error.js';
import { DEFAULT_TIMEOUTS } from './misp-client.js';
import { openMispConnection } from './misp-connection.js';
import { mispRefusalReason } from './misp-refusal-reason.js';

export interface MispJsonApiOptions {
  baseUrl: string;
  apiKey: string;
  verifySsl: boolean;
  httpProxy?: string | undefined;
  httpsProxy?: string | undefined;
  timeouts?: { connectMs: number; responseMs: number };
}

// MISP answers a refused key with 403 and this message (401 is not used); other 403s are refusals
// of the request itself, e.g. events/add's "Could not add Event".
const KEY_REFUSED = /^authentication failed/i;

/**
 * One JSON request to MISP's API at a time, for the New Event trigger and the actions: the answer's
 * JSON, or a named error that says what MISP or the network did. No retry here: creating an event is
 * not idempotent, and the trigger retries a whole cycle.
 */
export class MispJsonApi {
  readonly host: string;
  private readonly base: string;
  private readonly http: Got;
  private readonly agents: AgentSet;
  private readonly timeouts: { connectMs: number; responseMs: number };

  constructor(options: MispJsonApiOptions) {
    this.timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
    const connection = openMispConnection({ ...options, timeouts: this.timeouts });
    this.base = connection.base;
    this.host = connection.host;
    this.http = connection.http;
    this.agents = connection.agents;
  }

  /** POSTs `body` to `<misp_url><path>` and resolves with the parsed JSON of a 2xx answer. */
  post(path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    return this.request('POST', path, body, signal);
  }

  /** GETs `<misp_url><path>` (a read such as `/warninglists/index`) and resolves with the parsed JSON of a 2xx answer. */
  get(path: string, signal?: AbortSignal): Promise<unknown> {
    return this.request('GET', path, undefined, signal);
  }

  /** Destroys the connections kept alive. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private async request(method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    const request = `${method} ${new URL(this.base + path).pathname}`;
    let response;
    try {
      response = await this.http(this.base + path, { method, ...(method === 'POST' ? { json: body } : {}), ...(signal === undefined ? {} : { signal }) });
    } catch (error) {
      signal?.throwIfAborted();
      const failure = classifyTransportError(error, this.timeouts);
      const description = failure.detail === undefined ? failure.description : `${failure.description}: ${safeExcerpt(failure.detail)}`;
      if (failure.kind === 'tls') throw new MispTlsError(this.host, failure.code, description, failure.certificateRejected);
      throw new MispUnreachableError(this.host, failure.code, description, 1);
    }
    const text = response.body;
    if (response.statusCode < 200 || response.statusCode >= 300) {
      const reason = mispRefusalReason(text);
      if (response.statusCode === 401 || (response.statusCode === 403 && KEY_REFUSED.test(reason))) {
        throw new MispAuthenticationError(this.host, response.statusCode, reason);
      }
      throw new MispRefusedError(this.host, request, response.statusCode, reason);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      const found = text.trim() === '' ? 'an empty body' : `a body that is not JSON ("${safeExcerpt(text, 80)}")`;
      throw new MispUnexpectedAnswerError(this.host, request, found, 'JSON');
    }
  }

  /** The reason MISP gives in a 2xx JSON body that reports errors, for a caller that must treat it as a refusal. */
  reasonOf(answer: unknown): string {
    return mispRefusalReason(JSON.stringify(answer));
  }
}
