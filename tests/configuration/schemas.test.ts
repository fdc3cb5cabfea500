import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createValidator } from '@sekoia/automation-sdk-shim';
import { describe, expect, it } from 'vitest';
import { moduleRoot, TRIGGER_COMMAND, TRIGGER_DEFINITION_FILE } from '../../misp_modules/configuration/module-root.js';

const root = moduleRoot();
const readJson = (file: string): Record<string, any> => JSON.parse(readFileSync(path.join(root, file), 'utf8'));

describe('manifest.json and the trigger JSON', () => {
  const manifest = readJson('manifest.json');
  const trigger = readJson(TRIGGER_DEFINITION_FILE);

  it('describe the MISP module and its trigger as the platform expects', () => {
    expect(manifest).toMatchObject({ name: 'MISP', slug: 'misp', categories: ['Threat Intelligence'] });
    expect(manifest.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(manifest.configuration.secrets).toEqual(['misp_api_key', 'sekoia_api_key', 'feed_authorization', 'feed_headers', 's3_access_key_id', 's3_secret_access_key']);
    expect(trigger).toMatchObject({ name: 'MISP IDS Attributes to IOC Collection', docker_parameters: TRIGGER_COMMAND });
    expect(trigger.uuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('carry the version of package.json and the CHANGELOG', () => {
    const pkg = readJson('package.json');
    expect(manifest.version).toBe(pkg.version);
    expect(readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8')).toContain(`## [${manifest.version}]`);
  });

  it('hold schemas that compile, with the defaults of the README "Configuration" tables', () => {
    const ajv = createValidator();
    for (const schema of [manifest.configuration, trigger.arguments, trigger.results]) expect(() => ajv.compile(schema)).not.toThrow();
    const configuration: Record<string, unknown> = { ioc_collection_uuid: 'ioc-collection--1b8c4f6e-1c9e-4a54-9a29-2d0c9cbd1f4a' };
    expect(ajv.validate(trigger.arguments, configuration)).toBe(true);
    expect(configuration).toMatchObject({ ioc_collection_server: 'https://api.sekoia.io', publish_timestamp: '1', sleep_time: 300, verify_ssl: true });
    expect(ajv.validate(trigger.arguments, { ioc_collection_uuid: 'ioc-collection--x', sleep_time: 59 })).toBe(false);
  });

  it('match the committed TypeScript types derived from them', async () => {
    await expect(promisify(execFile)(process.execPath, [path.join(root, 'scripts/generate-configuration-types.mjs'), '--check'])).resolves.toBeDefined();
  });
});
