import { randomUUID } from 'node:crypto';
import type { Ajv } from 'ajv';
import type { JsonSchema } from './configuration/json-schema.js';
import { checkAgainstSchema, createValidator } from './configuration/validation.js';
import { EventDeliveryError } from './event-delivery-error.js';
import { InvalidEventError } from './invalid-event-error.js';
import { backoffDelay, isTransientStatus, type RetryPolicy } from './retry.js';
import { runtimeRequest } from './runtime-http.js';
import type { Clock, Logger } from './types.js';

/** As the SDK: ten attempts in all, pauses doubling from 1 s up to one minute. */
export const DEFAULT_EVENT_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 60_000 };

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
    let lastReason = '';
    let lastStatus: number | undefined;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const response = await runtimeRequest({
          method: 'POST',
          url: this.options.url,
          token: this.options.token,
          json: body,
          timeoutMs: this.options.timeoutMs ?? 30_000,
          ...(signal === undefined ? {} : { signal }),
        });
        lastStatus = response.status;
        if (response.status >= 200 && response.status < 300) return;
        if (!isTransientStatus(response.status)) {
          throw new EventDeliveryError(
            `Event "${name}" was refused by the platform (HTTP ${response.status} from POST ${this.options.url}); it is not sent again.`,
            attempt,
            response.status,
          );
        }
        lastReason = `HTTP ${response.status}`;
      } catch (error) {
        if (error instanceof EventDeliveryError) throw error;
        lastStatus = undefined;
        lastReason = error instanceof Error ? error.message : String(error);
      }
      if (attempt >= this.policy.maxAttempts) {
        throw new EventDeliveryError(
          `Event "${name}" could not be delivered to POST ${this.options.url} after ${attempt} attempts (last: ${lastReason}).`,
          attempt,
          lastStatus,
        );
      }
      const delay = backoffDelay(attempt, this.policy);
      this.options.logger?.log(
        `Event "${name}" not delivered (${lastReason}, attempt ${attempt} of ${this.policy.maxAttempts}); trying again in ${delay / 1000} s`,
        'warning',
      );
      await this.options.clock.sleep(delay, signal);
      if (signal?.aborted === true) {
        throw new EventDeliveryError(
          `Event "${name}" was abandoned after ${attempt} failed attempt${attempt === 1 ? '' : 's'} (last: ${lastReason}) because the trigger is stopping.`,
          attempt,
          lastStatus,
        );
      }
    }
  }
}
