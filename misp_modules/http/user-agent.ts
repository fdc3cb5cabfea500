import { readFileSync } from 'node:fs';
import path from 'node:path';
import { moduleRoot } from '../configuration/module-root.js';

/**
 * The User-Agent of every request the module sends (MISP, feeds, Sekoia.io): the module and its
 * version as manifest.json states them, so that the operators of those services can tell our
 * requests from others' and know which version sent them.
 */
export const USER_AGENT = `sekoia-automation-module-${manifestField('slug')}/${manifestField('version')} (trigger misp-ids-attributes-to-ioc-collection; node ${process.version})`;

function manifestField(name: 'slug' | 'version'): string {
  const manifest = JSON.parse(readFileSync(path.join(moduleRoot(), 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const value = manifest[name];
  return typeof value === 'string' && value !== '' ? value : 'unknown';
}
