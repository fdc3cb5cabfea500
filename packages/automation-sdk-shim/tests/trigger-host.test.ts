import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/configuration/configuration-error.js';
import { FatalTriggerError } from '../src/fatal-trigger-error.js';
import { createTestRuntime, FakeClock } from '../src/testing/index.js';
import { Trigger } from '../src/trigger.js';

const root = fileURLToPath(new URL('./fixtures/example-module/', import.meta.url));
const moduleConfiguration = { api_url: 'https://example.org', api_key: 'k' };
const configuration = { collection_uuid: 'collection--0123abcd' };

/** Fails on each call to run() until told otherwise; reports a successful cycle after that. */
class FlakyTrigger extends Trigger<typeof moduleConfiguration, { collection_uuid: string; interval_seconds: number }> {
  static failures = 0;
  static fatal = false;
  calls = 0;

  async run(): Promise<void> {
    this.calls += 1;
    if (FlakyTrigger.fatal) throw new FatalTriggerError('The API key is refused by the example service: check api_key.');
    if (this.calls <= FlakyTrigger.failures) throw new Error(`upstream answered 502 (call ${this.calls})`);
    this.cycleSucceeded();
    await this.sendEvent('example cycle', { cycle: this.calls, collection: this.configuration.collection_uuid });
    while (this.running) await this.sleep(this.configuration.interval_seconds);
  }
}

function runtime(failures: number, clock = new FakeClock()): { clock: FakeClock; test: ReturnType<typeof createTestRuntime<FlakyTrigger>> } {
  FlakyTrigger.failures = failures;
  FlakyTrigger.fatal = false;
  return { clock, test: createTestRuntime(FlakyTrigger, { root, command: 'example-trigger', moduleConfiguration, configuration, clock }) };
}

/** Advances the fake clock until `count` calls to run() happened. */
async function untilCalls(clock: FakeClock, trigger: FlakyTrigger, count: number): Promise<void> {
  while (trigger.calls < count) {
    await clock.whenSleeping();
    await clock.advanceToNext();
  }
}

describe('error accounting of the runtime', () => {
  it('restarts run() after an error and logs one critical after five in a row', async () => {
    const { clock, test } = runtime(7);
    const running = test.run();
    await untilCalls(clock, test.trigger, 7);
    const levels = test.logs.map((entry) => entry.level);
    expect(levels.filter((level) => level === 'error')).toHaveLength(7);
    expect(test.logs.filter((entry) => entry.level === 'critical')).toEqual([
      expect.objectContaining({ message: 'The trigger failed 5 times in a row without completing a cycle; last error: upstream answered 502 (call 5)' }),
    ]);
    expect(test.logs.find((entry) => entry.level === 'error')?.message).toBe('The trigger failed: upstream answered 502 (call 1)');
    expect(test.health().healthy).toBe(false);
    expect(test.health().context).toMatchObject({ successive_errors: 7 });

    // The eighth call completes a cycle: the count goes back to 0 and /health recovers.
    await untilCalls(clock, test.trigger, 8);
    await clock.whenSleeping();
    expect(test.health()).toMatchObject({ healthy: true, context: { successive_errors: 0 } });
    expect(test.events).toEqual([{ name: 'example cycle', event: { cycle: 8, collection: 'collection--0123abcd' } }]);
    expect(test.health().context['last_event']).toBe(new Date(clock.now()).toISOString());
    await test.stop();
    await running;
    expect(test.outcome).toBe('stopped');
  });

  it('counts failed cycles in a row: a heartbeat does not reset them, the fifth turns /health to 500, a success ends it', async () => {
    const clock = new FakeClock();
    /** Each cycle fails while `failing`; heartbeats all along, as a trigger reading pages does. */
    class CyclingTrigger extends Trigger<typeof moduleConfiguration, { collection_uuid: string; interval_seconds: number }> {
      static failing = true;
      cycles = 0;
      async run(): Promise<void> {
        while (this.running) {
          this.cycles += 1;
          this.heartbeat();
          if (CyclingTrigger.failing) this.cycleFailed(`cycle ${this.cycles}: MISP answered 502`);
          else this.cycleSucceeded();
          await this.sleep(this.configuration.interval_seconds);
        }
      }
    }
    const test = createTestRuntime(CyclingTrigger, { root, command: 'example-trigger', moduleConfiguration, configuration, clock });
    const running = test.run();
    const untilCycles = async (count: number): Promise<void> => {
      while (test.trigger.cycles < count) {
        await clock.whenSleeping();
        await clock.advanceToNext();
      }
      await clock.whenSleeping();
    };
    await untilCycles(4);
    expect(test.health()).toMatchObject({ healthy: true, context: { successive_errors: 4 } });
    expect(test.logs.filter((entry) => entry.level === 'critical')).toEqual([]);
    await untilCycles(5);
    expect(test.health()).toMatchObject({ healthy: false, context: { successive_errors: 5, reason: '5 cycles in a row failed' } });
    expect(test.logs.filter((entry) => entry.level === 'critical').map((entry) => entry.message)).toEqual([
      'The trigger failed 5 times in a row without completing a cycle; last error: cycle 5: MISP answered 502',
    ]);
    await untilCycles(7);
    expect(test.health()).toMatchObject({ healthy: false, context: { successive_errors: 7 } });
    expect(test.logs.filter((entry) => entry.level === 'critical')).toHaveLength(1);
    CyclingTrigger.failing = false;
    await untilCycles(8);
    expect(test.health()).toEqual({ healthy: true, context: expect.objectContaining({ successive_errors: 0 }) });
    expect(test.health().context).not.toHaveProperty('reason');
    await test.stop();
    await running;
  });

  it('waits longer after each successive error', async () => {
    const { clock, test } = runtime(3);
    const started = clock.now();
    void test.run();
    await untilCalls(clock, test.trigger, 4);
    // 5 s + 10 s + 20 s between the four calls.
    expect(clock.now() - started).toBe(35_000);
    await test.stop();
  });

  it('ends on a FatalTriggerError: one critical, unhealthy, no restart', async () => {
    const { test } = runtime(0);
    FlakyTrigger.fatal = true;
    await test.run();
    expect(test.outcome).toBe('fatal');
    expect(test.trigger.calls).toBe(1);
    expect(test.trigger.running).toBe(false);
    expect(test.logs.filter((entry) => entry.level === 'critical').map((entry) => entry.message)).toEqual([
      'The trigger stopped on a fatal error: The API key is refused by the example service: check api_key.',
    ]);
    expect(test.health()).toMatchObject({ healthy: false, context: { fatal_error: true } });
  });

  it('turns unhealthy when heartbeats stop outside sleep()', async () => {
    class Stuck extends Trigger {
      static override heartbeatTimeoutSeconds = 60;
      async run(): Promise<void> {
        // Waits on the clock directly, as a long request would, not in sleep().
        await this.clock.sleep(10 * 60_000, this.signal);
      }
    }
    const clock = new FakeClock();
    const test = createTestRuntime(Stuck, { root, command: 'example-trigger', moduleConfiguration, configuration, clock });
    void test.run();
    await clock.advance(59_000);
    expect(test.health().healthy).toBe(true);
    await clock.advance(2_000);
    expect(test.health()).toMatchObject({ healthy: false, context: { heartbeat_timeout_seconds: 60 } });
    await test.stop();
  });

  it('validates both configurations like production', () => {
    expect(() =>
      createTestRuntime(FlakyTrigger, {
        root,
        command: 'example-trigger',
        moduleConfiguration: { api_url: 'https://example.org' },
        configuration: { interval_seconds: 0 },
      }),
    ).toThrow(
      new ConfigurationError([
        'In the module configuration, api_key is missing; expected a non-empty text.',
        'In the trigger configuration, collection_uuid is missing; expected a text matching the pattern ^collection--[0-9a-f]{8}$.',
        'In the trigger configuration, interval_seconds is 0; expected a whole number of at least 1, for example 1.',
      ]),
    );
  });

  it('sleep() resolves false at once when a stop comes', async () => {
    const { test } = runtime(0);
    const sleeping = test.trigger.sleep(3600);
    test.trigger.stop();
    await expect(sleeping).resolves.toBe(false);
  });
});
