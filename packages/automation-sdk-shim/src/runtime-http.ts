import got, { RequestError } from 'got';
import { isRetriedStatus, retry, type RetryPolicy, type RetryResult, type RetryStep } from './retry/retry.js';
import type { Clock } from './types.js';

/** The answer of a runtime endpoint, whatever its status. */
export interface RuntimeResponse {
  status: number;
  body: string;
}

export interface RuntimeRequest {
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token: string;
  json?: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * One request to an endpoint of the platform (callback, secrets). Resolves with any HTTP status;
 * rejects only when no answer came (network error, timeout, abort), with a message that holds
 * neither the token nor the body.
 */
export async function runtimeRequest(request: RuntimeRequest): Promise<RuntimeResponse> {
  try {
    const response = await got(request.url, {
      method: request.method,
      headers: { authorization: `Bearer ${request.token}`, accept: 'application/json' },
      ...(request.json === undefined ? {} : { json: request.json }),
      throwHttpErrors: false,
      // Retries are ours (retryRuntimeRequest), on the injected clock.
      retry: { limit: 0 },
      timeout: { request: request.timeoutMs },
      responseType: 'text',
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    });
    return { status: response.statusCode, body: response.body };
  } catch (error) {
    const reason = error instanceof RequestError ? (error.code ?? error.message) : String(error);
    throw new Error(`no answer from ${request.method} ${request.url} (${reason})`);
  }
}

/** One attempt at a runtime endpoint: its answer, or why none came; `summary` says it in a log line. */
export interface RuntimeAttempt {
  response?: RuntimeResponse;
  summary: string;
}

export interface RuntimeRetry {
  policy: RetryPolicy;
  clock: Pick<Clock, 'sleep'>;
  signal?: AbortSignal | undefined;
  onRetry?(step: RetryStep<RuntimeAttempt>): void;
}

/**
 * A runtime request through the one retry loop: no answer, 5xx, 408 and 429 are tried again; any
 * other answer is the last outcome, for the caller to read.
 */
export function retryRuntimeRequest(request: RuntimeRequest, options: RuntimeRetry): Promise<RetryResult<RuntimeAttempt>> {
  return retry(
    async (): Promise<RuntimeAttempt> => {
      try {
        const response = await runtimeRequest(request);
        return { response, summary: `HTTP ${response.status}` };
      } catch (error) {
        return { summary: error instanceof Error ? error.message : String(error) };
      }
    },
    {
      ...options.policy,
      clock: options.clock,
      signal: options.signal,
      classify: (outcome) =>
        outcome.response === undefined || isRetriedStatus(outcome.response.status) ? { retry: true, summary: outcome.summary } : { retry: false },
      ...(options.onRetry === undefined ? {} : { onRetry: options.onRetry }),
    },
  );
}
