import { formatSeconds, type RetryPolicy } from '../retry/retry.js';
import { retryRuntimeRequest } from '../runtime-http.js';
import type { Clock, Logger } from '../types.js';
import { ActionCallbackError } from './action-callback-error.js';

/** As the SDK: ten attempts, pauses doubling from 1 s, capped at one minute. */
export const DEFAULT_CALLBACK_RETRY: RetryPolicy = { maxAttempts: 10, backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0 } };

export interface ActionCallbackOptions {
  /** url_callback. */
  url: string;
  token: string;
  clock: Clock;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** Told about each retry. */
  logger?: Logger;
}

/**
 * The two calls through which an action reports to the platform: `PATCH url_callback` with
 * `{status: "running"}` and then `{status: "finished", ...}`. Network errors and 5xx are retried with
 * backoff; any other refusal is final, except a 409 to the finished call, which means the platform
 * already holds the run as finished (the SDK ignores it too).
 */
export class ActionCallback {
  private readonly policy: RetryPolicy;

  constructor(private readonly options: ActionCallbackOptions) {
    this.policy = { ...DEFAULT_CALLBACK_RETRY, ...options.retry };
  }

  /** Sends `{status: "running"}`; resolves with the parsed answer (it carries the secrets when asked for). */
  async running(needSecrets: boolean): Promise<unknown> {
    const body = needSecrets ? { status: 'running', need_secrets: true } : { status: 'running' };
    const answer = await this.patch(body, false);
    try {
      return answer === '' ? {} : (JSON.parse(answer) as unknown);
    } catch {
      throw new ActionCallbackError(`The platform answered PATCH ${this.options.url} (status "running") with something that is not JSON.`);
    }
  }

  /** Sends `{status: "finished", ...}`. */
  async finished(report: Record<string, unknown>): Promise<void> {
    await this.patch({ status: 'finished', ...report }, true);
  }

  private async patch(body: Record<string, unknown>, final: boolean): Promise<string> {
    const step = String(body.status);
    const { maxAttempts } = this.policy;
    const run = await retryRuntimeRequest(
      { method: 'PATCH', url: this.options.url, token: this.options.token, json: body, timeoutMs: this.options.timeoutMs ?? 30_000 },
      {
        policy: this.policy,
        clock: this.options.clock,
        onRetry: ({ attempt, summary, waitMs }) =>
          this.options.logger?.log(`The "${step}" callback failed (${summary}, attempt ${attempt} of ${maxAttempts}); trying again in ${formatSeconds(waitMs)}`, 'warning'),
      },
    );
    const { response, summary } = run.outcome;
    if (run.end === 'done' && response !== undefined) {
      if (response.status >= 200 && response.status < 300) return response.body;
      if (final && response.status === 409) return '';
      throw new ActionCallbackError(
        `The platform refused the action's "${step}" callback (HTTP ${response.status} from PATCH ${this.options.url}); check the token and url_callback given to the container.`,
        response.status,
      );
    }
    throw new ActionCallbackError(
      `The action's "${step}" callback could not be delivered to PATCH ${this.options.url} after ${run.attempts} attempts (last: ${summary}).`,
      response?.status,
    );
  }
}
