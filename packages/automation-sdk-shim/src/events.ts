import { randomUUID } from 'node:crypto';
import type { Ajv } from 'ajv';
import type { JsonSchema } from './configuration/json-schema.js';
import { checkAgainstSchema, createValidator } from './configuration/validation.js';
import { EventDeliveryError } from './event-delivery-error.js';
import { InvalidEventError } from './invalid-event-error.js';
import { formatSeconds, type RetryPolicy } from './retry/retry.js';
import { retryRuntimeRequest } from './runtime-http.js';
import type { Clock, Logger } from './types.js';

/** As the SDK: ten attempts in all, pauses doubling from 1 s up to one minute. */
export const DEFAULT_EVENT_RETRY: RetryPolicy = { maxAttempts: 10, backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0 } };

export interface EventSenderOptions {
  /** url_callback. */
  url: string;
  token: string;
  clock: Clock;
  /** The trigger JSON's `results`; events are not checked when it is absent. */
  resultsSchema?: JsonSchema;
  ajv?: Ajv;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** Told about each retry. */
  logger?: Logger;
}

/** The event with the defaults of `results` applied; throws InvalidEventError when it does not match. */
export function validateEvent(
  ajv: Ajv,
  resultsSchema: JsonSchema | undefined,
  name: string,
  event: Record<string, unknown>,
): Record<string, unknown> {
  const check = checkAgainstSchema<Record<string, unknown>>(ajv, resultsSchema, event, `the event "${name}"`);
  if (check.problems.length > 0) throw new InvalidEventError(name, check.problems);
  return check.value;
}

/** Validates events against the trigger's `results` and POSTs them to url_callback. */
export class EventSender {
  private readonly policy: RetryPolicy;
  private readonly ajv: Ajv;

  constructor(private readonly options: EventSenderOptions) {
    this.policy = { ...DEFAULT_EVENT_RETRY, ...options.retry };
    this.ajv = options.ajv ?? createValidator();
  }

  /** The event with the defaults of `results` applied; throws InvalidEventError when it does not match. */
  validate(name: string, event: Record<string, unknown>): Record<string, unknown> {
    return validateEvent(this.ajv, this.options.resultsSchema, name, event);
  }

  /**
   * POSTs `{name, event, request_id}` with `Authorization: Bearer <token>`. 5xx and network errors
   * are retried with exponential backoff (ten attempts in all, one request_id for all of them, so
   * that the platform can drop duplicates); a 4xx is final. A stop (`signal`) ends the retries.
   */
  async send(name: string, event: Record<string, unknown>, signal?: AbortSignal): Promise<void> {
    const body = { name, event: this.validate(name, event), request_id: randomUUID() };
    const { maxAttempts } = this.policy;
    const run = await retryRuntimeRequest(
      { method: 'POST', url: this.options.url, token: this.options.token, json: body, timeoutMs: this.options.timeoutMs ?? 30_000, ...(signal === undefined ? {} : { signal }) },
      {
        policy: this.policy,
        clock: this.options.clock,
        signal,
        onRetry: ({ attempt, summary, waitMs }) =>
          this.options.logger?.log(`Event "${name}" not delivered (${summary}, attempt ${attempt} of ${maxAttempts}); trying again in ${formatSeconds(waitMs)}`, 'warning'),
      },
    );
    const { response, summary } = run.outcome;
    const { attempts } = run;
    if (run.end === 'done' && response !== undefined) {
      if (response.status >= 200 && response.status < 300) return;
      throw new EventDeliveryError(
        `Event "${name}" was refused by the platform (HTTP ${response.status} from POST ${this.options.url}); it is not sent again.`,
        attempts,
        response.status,
      );
    }
    if (run.end === 'stopped') {
      throw new EventDeliveryError(
        `Event "${name}" was abandoned after ${attempts} failed attempt${attempts === 1 ? '' : 's'} (last: ${summary}) because the trigger is stopping.`,
        attempts,
        response?.status,
      );
    }
    throw new EventDeliveryError(`Event "${name}" could not be delivered to POST ${this.options.url} after ${attempts} attempts (last: ${summary}).`, attempts, response?.status);
  }
}
