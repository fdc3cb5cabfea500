import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createValidator } from '@sekoia/automation-sdk-shim';
import { describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { mispEventToStixBundle } from '../../misp_modules/stix/index.js';
import { PHISHING_CAMPAIGN_EVENT } from './misp-event-samples.js';

const action = JSON.parse(readFileSync(path.join(moduleRoot(), 'action_misp-to-stix.json'), 'utf8')) as Record<string, any>;

describe('action_misp-to-stix.json', () => {
  it("keeps the identity of the Python module's action, so playbooks that use it keep working", () => {
    expect(action).toMatchObject({
      uuid: '710c46f9-9984-437e-a6a0-cd28db7978d0',
      name: 'MISP to STIX',
      slug: 'misp_to_stix',
      docker_parameters: 'convert-misp-to-stix',
    });
  });

  it('takes the event as the argument and gives the bundle as the result', () => {
    const ajv = createValidator();
    const validArguments = ajv.compile(action.arguments);
    const validResults = ajv.compile(action.results);
    expect(validArguments({ event: PHISHING_CAMPAIGN_EVENT })).toBe(true);
    expect(validArguments({})).toBe(false);
    expect(validArguments({ event: 'not an object' })).toBe(false);
    expect(validResults({ bundle: mispEventToStixBundle(PHISHING_CAMPAIGN_EVENT) })).toBe(true);
    expect(validResults({})).toBe(false);
  });

  it('describes every argument and result for the playbook editor', () => {
    for (const schema of [action.arguments, action.results]) {
      for (const property of Object.values(schema.properties as Record<string, { description?: string }>)) {
        expect(property.description?.length).toBeGreaterThan(30);
      }
    }
  });
});
