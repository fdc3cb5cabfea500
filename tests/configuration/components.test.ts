/**
 * The identity the platform knows Sekoia's Python MISP module by: module uuid and slug, each
 * component's uuid, command and (for actions) slug, and those of Sekoia's own IDS trigger. Literal
 * values, from the upstream module.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createValidator, loadModuleDefinition } from '@sekoia/automation-sdk-shim';
import { describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';

const root = moduleRoot();
const definition = loadModuleDefinition(root);

describe('the module replaces the Python MISP module in place', () => {
  it('carries its uuid, slug and name, and a later version', () => {
    expect(definition.manifest).toMatchObject({ uuid: 'df3a0c67-592b-45b2-8465-48473929c7f9', slug: 'misp', name: 'MISP' });
    const [major, minor] = (definition.manifest.version ?? '').split('.').map(Number);
    expect((major as number) * 1000 + (minor as number)).toBeGreaterThan(2 * 1000 + 9);
  });

  it.each([
    // Sekoia's own IDS trigger for the MISP module, which this one replaces.
    ['trigger_misp_ids_attributes_to_ioc_collection.json', '9bfd6d9d-3f64-4ec0-bdb5-6253677af677', 'trigger-misp-ids-to-ioc-collection', undefined],
    ['trigger_event.json', 'f9e8cf2c-065f-4116-89dd-ff2cfe7f452a', 'trigger', undefined],
    ['action_publish-to-misp.json', '14a89812-1d7b-46bb-a300-4a98cdff8e69', 'publish-to-misp', 'publish_event'],
    ['action_misp-to-stix.json', '710c46f9-9984-437e-a6a0-cd28db7978d0', 'convert-misp-to-stix', 'misp_to_stix'],
  ])('%s keeps the uuid, command and slug Sekoia gave it', (file, uuid, command, slug) => {
    const component = JSON.parse(readFileSync(path.join(root, file), 'utf8')) as Record<string, unknown>;
    expect(component).toMatchObject({ uuid, docker_parameters: command });
    expect(component.slug).toBe(slug);
    const ajv = createValidator();
    for (const schema of [component.arguments, component.results]) expect(() => ajv.compile(schema as object)).not.toThrow();
  });

  it('accepts an account with only what the actions need', () => {
    const ajv = createValidator();
    expect(ajv.validate(definition.manifest.configuration as object, { misp_url: 'https://misp.example.org', misp_api_key: 'k' })).toBe(true);
  });

  it('gives every command one component', () => {
    const commands = [...definition.triggers, ...definition.actions].map((component) => component.docker_parameters);
    expect(new Set(commands).size).toBe(commands.length);
  });
});
