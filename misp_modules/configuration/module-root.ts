import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root, where manifest.json and the trigger JSON live: found by walking up from this
 * file, so that the same code works from the TypeScript sources and from the build in dist/.
 */
export function moduleRoot(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(directory, 'manifest.json'))) return directory;
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error('manifest.json not found above the module sources');
    directory = parent;
  }
}

export const TRIGGER_DEFINITION_FILE = 'trigger_misp_ids_attributes_to_ioc_collection.json';
export const TRIGGER_COMMAND = 'trigger-misp-ids-to-ioc-collection';

interface ArgumentsSchema {
  properties: Record<string, { default?: unknown }>;
}

/** The default the trigger JSON gives an argument: read from the schema, never restated. */
export function argumentDefault(name: string): unknown {
  const definition = JSON.parse(readFileSync(path.join(moduleRoot(), TRIGGER_DEFINITION_FILE), 'utf8')) as { arguments: ArgumentsSchema };
  return definition.arguments.properties[name]?.default;
}
