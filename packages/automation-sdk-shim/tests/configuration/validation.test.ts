import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/configuration/configuration-error.js';
import { checkConfigurations, validateConfigurations, type JsonSchema } from '../../src/configuration/validation.js';

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
      'Invalid configuration: module configuration: missing misp_api_key; trigger configuration: ' +
        'ioc_collection_uuid must match pattern "^ioc-collection--[0-9a-f-]{36}$", sleep_time must be >= 60, verify_ssl must be boolean',
    );
    expect((error as ConfigurationError).problems).toHaveLength(2);
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

  it('checks formats and never quotes the offending value', () => {
    const check = checkConfigurations({
      moduleConfiguration: { api_url: 'not a url with s3cret', api_key: '' },
      moduleSchema,
      triggerConfiguration: { collection_uuid: 'collection--0123abcd', interval_seconds: 0 },
      triggerSchema,
    });
    expect(check.problems).toEqual([
      'module configuration: api_url must match pattern "^https?://", api_url must match format "uri", api_key must NOT have fewer than 1 characters',
      'trigger configuration: interval_seconds must be >= 1',
    ]);
    expect(check.problems.join(' ')).not.toContain('s3cret');
  });

  it('says so when a configuration is not an object', () => {
    const check = checkConfigurations({ moduleConfiguration: 'text', moduleSchema, triggerConfiguration: {}, triggerSchema });
    expect(check.problems).toEqual(['module configuration: the value must be object', 'trigger configuration: missing collection_uuid']);
  });

  it('adds the trigger rules that span both configurations to the same single message', () => {
    const result = checkConfigurations({
      moduleConfiguration: { sekoia_api_key: 'k' },
      moduleSchema: { ...mispModuleSchema, required: ['sekoia_api_key'] },
      triggerConfiguration: { ioc_collection_uuid: 'ioc-collection--x', sleep_time: 10 },
      triggerSchema: mispTriggerSchema,
      crossCheck: (account, args) => {
        expect(args.verify_ssl).toBe(true); // defaults are applied before the cross-check
        return account.misp_url === undefined ? ['missing misp_url'] : [];
      },
    });
    expect(result.problems).toHaveLength(2);
    expect(result.problems[0]).toMatch(/^trigger configuration: .*ioc_collection_uuid.*sleep_time/);
    expect(result.problems[1]).toBe('configuration: missing misp_url');
  });
});

