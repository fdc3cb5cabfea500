import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/configuration/configuration-error.js';
import type { JsonSchema } from '../../src/configuration/json-schema.js';
import { checkConfigurations, validateConfigurations } from '../../src/configuration/validation.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/example-module/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

const moduleSchema = fixture('manifest.json')['configuration'] as JsonSchema;
const triggerSchema = fixture('trigger_example.json')['arguments'] as JsonSchema;

// Shaped like the MISP module's own schemas, to check the messages an operator of that module reads.
const mispModuleSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    misp_url: { type: 'string', format: 'uri', pattern: '^https?://' },
    misp_api_key: { type: 'string', minLength: 1 },
    sekoia_api_key: { type: 'string', minLength: 1 },
  },
  required: ['misp_url', 'misp_api_key', 'sekoia_api_key'],
  secrets: ['misp_api_key', 'sekoia_api_key'],
};
const mispTriggerSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    ioc_collection_uuid: { type: 'string', pattern: '^ioc-collection--[0-9a-f-]{36}$' },
    sleep_time: { type: 'integer', minimum: 60, default: 300 },
    verify_ssl: { type: 'boolean', default: true },
    lookback_days: { type: 'string', deprecated: true },
  },
  required: ['ioc_collection_uuid'],
};

describe('validateConfigurations', () => {
  it('names every missing or invalid key of both configurations in one message', () => {
    const error = (() => {
      try {
        validateConfigurations({
          moduleConfiguration: { misp_url: 'https://misp.example.org', sekoia_api_key: 'k-123' },
          moduleSchema: mispModuleSchema,
          triggerConfiguration: { ioc_collection_uuid: 'not-a-collection', sleep_time: 5, verify_ssl: 'yes' },
          triggerSchema: mispTriggerSchema,
        });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).message).toBe(
      'Invalid configuration (4 problems): In the module configuration, misp_api_key is missing; expected a non-empty text. ' +
        'In the trigger configuration, ioc_collection_uuid is "not-a-collection"; expected a text matching the pattern ^ioc-collection--[0-9a-f-]{36}$. ' +
        'In the trigger configuration, sleep_time is 5; expected a whole number of at least 60, for example 300. ' +
        'In the trigger configuration, verify_ssl is "yes"; expected true or false, for example true.',
    );
    expect((error as ConfigurationError).problems).toHaveLength(4);
  });

  it('applies defaults, accepts the secrets and deprecated keywords and reports deprecated keys in use', () => {
    const input = { ioc_collection_uuid: `ioc-collection--${'a'.repeat(8)}-aaaa-aaaa-aaaa-${'a'.repeat(12)}`, lookback_days: '3' };
    const valid = validateConfigurations({
      moduleConfiguration: { misp_url: 'https://misp.example.org', misp_api_key: 'a', sekoia_api_key: 'b' },
      moduleSchema: mispModuleSchema,
      triggerConfiguration: input,
      triggerSchema: mispTriggerSchema,
    });
    expect(valid.triggerConfiguration).toEqual({ ...input, sleep_time: 300, verify_ssl: true });
    expect(valid.deprecatedKeys).toEqual(['trigger configuration: lookback_days']);
    // The caller's object keeps its own shape.
    expect(input).not.toHaveProperty('sleep_time');
  });

  it('says once per field what was given and what is expected, masking secrets and URL credentials', () => {
    const check = checkConfigurations({
      moduleConfiguration: { api_url: 'example.org/api', api_key: '', http_proxy: 'socks5://user:s3cret@proxy.example.org' },
      moduleSchema,
      triggerConfiguration: { collection_uuid: 'collection--0123abcd', interval_seconds: 0 },
      triggerSchema,
    });
    expect(check.problems).toEqual([
      'In the module configuration, api_url is "example.org/api"; expected a URL starting with "http://" or "https://".',
      'In the module configuration, api_key is empty; expected a non-empty text.',
      'In the module configuration, http_proxy is "socks5://[REDACTED]@proxy.example.org"; expected a text starting with "http://" or "https://".',
      'In the trigger configuration, interval_seconds is 0; expected a whole number of at least 1, for example 1.',
    ]);
    expect(check.problems.join(' ')).not.toContain('s3cret');
  });

  it('says so when a configuration is not an object', () => {
    const check = checkConfigurations({ moduleConfiguration: 'text', moduleSchema, triggerConfiguration: {}, triggerSchema });
    expect(check.problems).toEqual([
      'The module configuration is "text"; expected a JSON object.',
      'In the trigger configuration, collection_uuid is missing; expected a text matching the pattern ^collection--[0-9a-f]{8}$.',
    ]);
  });

  it('adds the trigger rules that span both configurations to the same single message', () => {
    const result = checkConfigurations({
      moduleConfiguration: { sekoia_api_key: 'k' },
      moduleSchema: { ...mispModuleSchema, required: ['sekoia_api_key'] },
      triggerConfiguration: { ioc_collection_uuid: 'ioc-collection--x', sleep_time: 10 },
      triggerSchema: mispTriggerSchema,
      crossCheck: (account, args) => {
        expect(args.verify_ssl).toBe(true); // defaults are applied before the cross-check
        return account.misp_url === undefined ? ['In the module configuration, misp_url is missing.'] : [];
      },
    });
    expect(result.problems).toHaveLength(3);
    expect(result.problems[0]).toMatch(/^In the trigger configuration, ioc_collection_uuid is "ioc-collection--x"/);
    expect(result.problems[1]).toMatch(/^In the trigger configuration, sleep_time is 10/);
    expect(result.problems[2]).toBe('In the module configuration, misp_url is missing.');
  });

  it('keeps one sentence per field: a trigger rule naming a field the schema faults too stands alone', () => {
    const result = checkConfigurations({
      moduleConfiguration: { api_url: 'https://example.org', api_key: '' },
      moduleSchema,
      triggerConfiguration: { collection_uuid: 'collection--0123abcd', interval_seconds: 0 },
      triggerSchema,
      crossCheck: (account) => (account.api_key === '' ? ['In the module configuration, api_key is empty; it is required to call the API.'] : []),
    });
    expect(result.problems).toEqual([
      'In the trigger configuration, interval_seconds is 0; expected a whole number of at least 1, for example 1.',
      'In the module configuration, api_key is empty; it is required to call the API.',
    ]);
  });
});

