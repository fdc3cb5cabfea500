import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_IOC_COLLECTION_SERVER,
  DEMO_INTERVAL_SECONDS,
  parseTriggerDevOptions,
  TriggerDevUsageError,
} from '../../misp_modules/dev/trigger-dev-options.js';

const COLLECTION = 'ioc-collection--2f6a9c1e-0b4d-4e8f-a7c3-5d1e9b0f2a64';
const MISP_KEY = 'misp-key-0a1b2c3d4e5f';
const SEKOIA_KEY = 'sekoia-key-6a7b8c9d0e1f';
const realEnv = { MISP_URL: 'https://misp.example.org', MISP_API_KEY: MISP_KEY, SEKOIA_API_KEY: SEKOIA_KEY, IOC_COLLECTION_UUID: COLLECTION };

function usageError(argv: string[], env: NodeJS.ProcessEnv = {}): TriggerDevUsageError {
  try {
    parseTriggerDevOptions(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(TriggerDevUsageError);
    return error as TriggerDevUsageError;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('parseTriggerDevOptions', () => {
  it('runs the demo without settings, with the short development interval', () => {
    expect(parseTriggerDevOptions([], {})).toEqual({
      help: false,
      once: false,
      dryRun: false,
      verbose: false,
      intervalSeconds: DEMO_INTERVAL_SECONDS,
      lookbackDays: undefined,
      dataPath: undefined,
      verifySsl: true,
      misp: undefined,
      feed: undefined,
      collection: undefined,
      dryRunCollectionUuid: undefined,
    });
  });

  it('reads real services from the environment, with the default Sekoia.io server and sleep_time kept', () => {
    const options = parseTriggerDevOptions(['--once'], realEnv);
    expect(options.misp).toEqual({ url: 'https://misp.example.org', apiKey: MISP_KEY });
    expect(options.collection).toEqual({ server: DEFAULT_IOC_COLLECTION_SERVER, uuid: COLLECTION, apiKey: SEKOIA_KEY });
    expect(options.intervalSeconds).toBeUndefined();
    expect(options.once).toBe(true);
  });

  it('lets a flag, in either form, win over its variable', () => {
    const options = parseTriggerDevOptions(
      ['--misp-url', 'https://other.example.net', '--server=https://app.usa1.sekoia.io/api', '--interval', '5', '--lookback-days=007', '--no-verify-ssl'],
      realEnv,
    );
    expect(options.misp?.url).toBe('https://other.example.net');
    expect(options.collection?.server).toBe('https://app.usa1.sekoia.io/api');
    expect(options.intervalSeconds).toBe(5);
    expect(options.lookbackDays).toBe('7');
    expect(options.verifySsl).toBe(false);
  });

  it('--dry-run never pushes to Sekoia.io, even when its settings are given, and keeps the collection name', () => {
    const options = parseTriggerDevOptions(['--dry-run'], realEnv);
    expect(options.collection).toBeUndefined();
    expect(options.dryRunCollectionUuid).toBe(COLLECTION);
    expect(options.misp?.apiKey).toBe(MISP_KEY);
  });

  it('refuses to push the demo data to a real collection', () => {
    expect(usageError([], { SEKOIA_API_KEY: SEKOIA_KEY, IOC_COLLECTION_UUID: COLLECTION }).message).toContain('not meant for a real IOC collection');
    expect(parseTriggerDevOptions(['--dry-run'], { SEKOIA_API_KEY: SEKOIA_KEY }).collection).toBeUndefined();
  });

  it('names what is missing, never the keys', () => {
    const messages = [
      usageError([], { MISP_URL: 'https://misp.example.org' }).message,
      usageError([], { MISP_API_KEY: MISP_KEY }).message,
      usageError([], { ...realEnv, SEKOIA_API_KEY: '' }).message,
      usageError([], { ...realEnv, IOC_COLLECTION_UUID: '' }).message,
      usageError([], { MISP_URL: 'https://misp.example.org', MISP_API_KEY: MISP_KEY }).message,
    ];
    expect(messages).toEqual([
      expect.stringContaining('MISP_API_KEY'),
      expect.stringContaining('MISP_URL'),
      expect.stringContaining('SEKOIA_API_KEY'),
      expect.stringContaining('IOC_COLLECTION_UUID'),
      expect.stringContaining('--dry-run'),
    ]);
    for (const message of messages) {
      expect(message).not.toContain(MISP_KEY);
      expect(message).not.toContain(SEKOIA_KEY);
    }
  });

  it('refuses malformed values and flags', () => {
    expect(usageError(['--interval', '0']).message).toContain('--interval takes a whole number of at least 1');
    expect(usageError(['--lookback-days', '1.5']).message).toContain('--lookback-days');
    expect(usageError(['--interval']).message).toBe('--interval needs a value.');
    expect(usageError(['--data-path', '--once']).message).toBe('--data-path needs a value.');
    expect(usageError(['--once=yes']).message).toBe('--once takes no value.');
    expect(usageError(['--bogus']).message).toContain('Unknown option "--bogus"');
    expect(usageError([], { ...realEnv, MISP_URL: 'ftp://misp.example.org' }).message).toContain('http:// or https://');
    expect(usageError([], { ...realEnv, IOC_COLLECTION_SERVER: 'not a url' }).message).toContain('The IOC collection server is not a URL');
  });

  it('keeps a dry run from remembering deliveries in a data path that a real run would reuse', () => {
    expect(usageError(['--dry-run', '--data-path', '/tmp/state']).message).toContain('throw-away data path');
  });

  it('--feed runs the demo as a MISP feed, at the demo pace, with the authorization of FEED_AUTHORIZATION if any', () => {
    const options = parseTriggerDevOptions(['--feed', '--once'], {});
    expect(options.feed).toEqual({ kind: 'demo', authorization: undefined });
    expect(options.misp).toBeUndefined();
    expect(options.intervalSeconds).toBe(DEMO_INTERVAL_SECONDS);
    expect(parseTriggerDevOptions(['--feed'], { FEED_AUTHORIZATION: 'Bearer abc123' }).feed).toEqual({ kind: 'demo', authorization: 'Bearer abc123' });
    expect(parseTriggerDevOptions(['--feed', '--feed-authorization', 'Bearer def456'], { FEED_AUTHORIZATION: 'Bearer abc123' }).feed?.authorization).toBe('Bearer def456');
    // The variable alone, without a feed, changes nothing.
    expect(parseTriggerDevOptions([], { FEED_AUTHORIZATION: 'Bearer abc123' }).feed).toBeUndefined();
  });

  it('--feed-location reads a real feed, by URL or directory, into the embedded collection or to Sekoia.io', () => {
    const byUrl = parseTriggerDevOptions(['--feed-location', 'https://feeds.example.org/misp', '--once'], { FEED_AUTHORIZATION: 'Bearer abc123' });
    expect(byUrl.feed).toEqual({ kind: 'location', location: 'https://feeds.example.org/misp', authorization: 'Bearer abc123' });
    expect(byUrl.collection).toBeUndefined();
    expect(byUrl.intervalSeconds).toBeUndefined();
    const relative = parseTriggerDevOptions(['--feed-location', 'out/feed'], { INIT_CWD: '/home/analyst' });
    expect(relative.feed).toEqual({ kind: 'location', location: path.resolve('/home/analyst', 'out/feed'), authorization: undefined });
    const pushing = parseTriggerDevOptions(['--feed-location=/mnt/usb/misp-feed'], { SEKOIA_API_KEY: SEKOIA_KEY, IOC_COLLECTION_UUID: COLLECTION });
    expect(pushing.collection).toEqual({ server: DEFAULT_IOC_COLLECTION_SERVER, uuid: COLLECTION, apiKey: SEKOIA_KEY });
    expect(pushing.feed).toMatchObject({ kind: 'location', location: '/mnt/usb/misp-feed' });
  });

  it('refuses two sources, the demo feed towards a real collection, and unusable feed settings, never echoing the header', () => {
    expect(usageError(['--feed'], { MISP_URL: 'https://misp.example.org', MISP_API_KEY: MISP_KEY }).message).toContain('choose one source');
    expect(usageError(['--feed-location', 'https://feeds.example.org/misp'], realEnv).message).toContain('choose one source');
    expect(usageError(['--feed'], { SEKOIA_API_KEY: SEKOIA_KEY, IOC_COLLECTION_UUID: COLLECTION }).message).toContain('not meant for a real IOC collection');
    expect(usageError(['--feed-location', 'ftp://feeds.example.org/misp']).message).toMatch(/^--feed-location: .*https:\/\//);
    expect(usageError(['--feed-authorization', 'Bearer abc123']).message).toContain('add --feed or --feed-location');
    const broken = usageError(['--feed'], { FEED_AUTHORIZATION: 'Bearer abc123\r\nX-Injected: 1' }).message;
    expect(broken).toContain('line break');
    expect(broken).not.toContain('abc123');
  });

  it('--expiry decaying_model takes the models to apply, each once, and a threshold', () => {
    expect(parseTriggerDevOptions(['--once'], {}).expiry).toBeUndefined();
    expect(parseTriggerDevOptions(['--expiry', 'fixed'], {}).expiry).toEqual({ kind: 'fixed' });
    expect(parseTriggerDevOptions(['--expiry=decaying_model'], {}).expiry).toEqual({ kind: 'decaying_model', models: [], threshold: undefined });
    const named = parseTriggerDevOptions(['--expiry', 'decaying_model', '--decaying-model', '1', '--decaying-model=Demo retention', '--decay-threshold', '12.5'], {});
    expect(named.expiry).toEqual({ kind: 'decaying_model', models: ['1', 'Demo retention'], threshold: 12.5 });
    expect(parseTriggerDevOptions(['--expiry', 'decaying_model', '--decay-threshold', '0'], {}).expiry).toMatchObject({ threshold: 0 });
    expect(parseTriggerDevOptions(['--expiry', 'decaying_model', '--dry-run'], realEnv).expiry).toMatchObject({ kind: 'decaying_model' });
  });

  it('refuses an unknown expiry, decay settings without it, a model named twice, a threshold out of 0 to 100, and a feed', () => {
    expect(usageError(['--expiry', 'decay']).message).toBe('--expiry takes fixed or decaying_model; "decay" is neither.');
    expect(usageError(['--decaying-model', '1']).message).toBe("--decaying-model applies to MISP's decaying models: add --expiry decaying_model.");
    expect(usageError(['--expiry', 'fixed', '--decay-threshold', '20']).message).toBe("--decay-threshold applies to MISP's decaying models: add --expiry decaying_model.");
    expect(usageError(['--expiry', 'decaying_model', '--decaying-model', '1', '--decaying-model', '1']).message).toBe('--decaying-model "1" is given twice: name each model once.');
    for (const threshold of ['101', '-1', 'high', '1e2']) {
      expect(usageError(['--expiry', 'decaying_model', '--decay-threshold', threshold]).message).toBe(`--decay-threshold takes a score from 0 to 100; "${threshold}" is not one.`);
    }
    expect(usageError(['--expiry', 'decaying_model', '--decaying-model']).message).toBe('--decaying-model needs a value.');
    expect(usageError(['--expiry', 'decaying_model', '--feed']).message).toContain('a feed does not have: drop --feed');
    expect(usageError(['--expiry', 'decaying_model', '--feed-location', 'https://feeds.example.org/misp']).message).toContain('drop --feed-location');
  });

  it('accepts --help whatever else is missing', () => {
    expect(parseTriggerDevOptions(['--help'], { MISP_URL: 'https://misp.example.org', MISP_API_KEY: MISP_KEY }).help).toBe(true);
    expect(parseTriggerDevOptions(['-h'], {}).help).toBe(true);
  });
});
