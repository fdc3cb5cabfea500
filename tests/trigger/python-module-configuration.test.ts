import { ConfigurationError } from '@sekoia/automation-sdk-shim';
import { describe, expect, it } from 'vitest';
import { syntheticAttributes } from '../../misp_modules/dev/synthetic-attributes.js';
import { acceptedValues, MISP_KEY, SEKOIA_KEY, START_MS, closedAfterEachTest } from './trigger-harness.js';

const { world, trigger } = closedAfterEachTest();

describe('a trigger configuration written for the Python module', () => {
  it('takes sekoia_api_key from the trigger arguments when the account has none', async () => {
    const w = await world([...syntheticAttributes({ count: 200, now: Math.floor(START_MS / 1000), seed: 5 })]);
    const t = trigger(w, { account: { sekoia_api_key: undefined }, configuration: { sekoia_api_key: SEKOIA_KEY } });
    await t.untilCycles(1);
    expect(acceptedValues(w).length).toBeGreaterThan(0);
    expect(w.collection.requests.every((request) => request.headers.authorization === `Bearer ${SEKOIA_KEY}`)).toBe(true);
  });

  it('prefers the key of the account when both are set', async () => {
    const w = await world([...syntheticAttributes({ count: 50, now: Math.floor(START_MS / 1000), seed: 6 })]);
    const t = trigger(w, { configuration: { sekoia_api_key: 'an-older-key-in-the-arguments' } });
    await t.untilCycles(1);
    expect(w.collection.requests.length).toBeGreaterThan(0);
    expect(w.collection.requests.every((request) => request.headers.authorization === `Bearer ${SEKOIA_KEY}`)).toBe(true);
  });

  it('names sekoia_api_key when neither place holds it', () => {
    expect(() => trigger({ misp: { url: 'http://127.0.0.1:1' }, collection: { url: 'http://127.0.0.1:1' } } as never, { account: { sekoia_api_key: undefined, misp_api_key: MISP_KEY } })).toThrow(
      new ConfigurationError([
        'In the module configuration, sekoia_api_key is missing; expected the Sekoia.io API key allowed to write to the IOC collection, ' +
          'in the account (or among the trigger arguments, where configurations of the Python module keep it).',
      ]),
    );
  });
});
