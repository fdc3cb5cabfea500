import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchSecrets } from '../src/secrets.js';
import { SecretsFetchError } from '../src/secrets-fetch-error.js';
import { FakeClock } from '../src/testing/fake-clock.js';
import { drive } from './helpers/drive.js';
import { PlatformServer } from './helpers/platform-server.js';

let platform: PlatformServer;
let clock: FakeClock;

beforeEach(async () => {
  platform = await new PlatformServer().start();
  clock = new FakeClock();
});
afterEach(() => platform.close());

const url = (): string => `${platform.base}/secrets`;

describe('fetchSecrets', () => {
  it('GETs url_secrets with the bearer token and returns the value object', async () => {
    platform.responders.set('secrets', () => ({ status: 200, body: { value: { misp_api_key: 'm-key', sekoia_api_key: 's-key' } } }));
    await expect(fetchSecrets({ url: url(), token: 'runtime-token', clock })).resolves.toEqual({ misp_api_key: 'm-key', sekoia_api_key: 's-key' });
    expect(platform.to('secrets')).toEqual([expect.objectContaining({ method: 'GET', authorization: 'Bearer runtime-token' })]);
  });

  it.each([401, 403])('fails at once with a clear message on %i, without the token', async (status) => {
    platform.responders.set('secrets', () => ({ status, body: { message: 'denied' } }));
    const error = await fetchSecrets({ url: url(), token: 'runtime-token', clock }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SecretsFetchError);
    expect((error as Error).message).toBe(
      `The platform refused the token of this trigger when fetching the module's secrets (HTTP ${status} from GET ${url()}): check the token given to the container.`,
    );
    expect((error as Error).message).not.toContain('runtime-token');
    expect(platform.to('secrets')).toHaveLength(1);
  });

  it('retries 5xx with backoff, then succeeds', async () => {
    let calls = 0;
    platform.responders.set('secrets', () => ((calls += 1) < 3 ? { status: 503 } : { status: 200, body: { value: { k: 'v' } } }));
    const logs: string[] = [];
    const secrets = await drive(clock, fetchSecrets({ url: url(), token: 't', clock, logger: { log: (message) => logs.push(message) } }));
    expect(secrets).toEqual({ k: 'v' });
    expect(calls).toBe(3);
    expect(logs).toEqual([
      "Fetching the module's secrets failed (HTTP 503, attempt 1 of 5); trying again in 1 s",
      "Fetching the module's secrets failed (HTTP 503, attempt 2 of 5); trying again in 2 s",
    ]);
  });

  it('gives up after the last attempt and says how often it tried', async () => {
    platform.responders.set('secrets', () => ({ status: 500 }));
    const error = await drive(clock, fetchSecrets({ url: url(), token: 't', clock, retry: { maxAttempts: 3 } })).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(`The module's secrets could not be fetched from ${url()} after 3 attempts (last: HTTP 500).`);
  });

  it('rejects an answer without a value object', async () => {
    platform.responders.set('secrets', () => ({ status: 200, body: { secrets: {} } }));
    await expect(fetchSecrets({ url: url(), token: 't', clock })).rejects.toThrow(`The answer of GET ${url()} is not a JSON object with a "value" object of secrets.`);
  });
});
