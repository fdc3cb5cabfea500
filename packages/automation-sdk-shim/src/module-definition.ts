import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonSchema } from './configuration/json-schema.js';
import { ModuleDefinitionError } from './module-definition-error.js';

/** The parts of manifest.json the runtime reads. */
export interface Manifest {
  name?: string;
  slug?: string;
  version?: string;
  /** JSON Schema of the module configuration; its `secrets` lists the keys served by url_secrets. */
  configuration?: JsonSchema & { secrets?: string[] };
}

/** The parts of a trigger JSON the runtime reads. */
export interface TriggerDefinition {
  uuid?: string;
  name?: string;
  /** The command that starts this trigger. */
  docker_parameters: string;
  arguments?: JsonSchema;
  results?: JsonSchema;
  /** The file it was read from. */
  file: string;
}

/** The parts of an action JSON the runtime reads. */
export interface ActionDefinition {
  uuid?: string;
  name?: string;
  slug?: string;
  /** The command that runs this action. */
  docker_parameters: string;
  arguments?: JsonSchema;
  results?: JsonSchema;
  /** The file it was read from. */
  file: string;
}

export interface ModuleDefinition {
  root: string;
  manifest: Manifest;
  triggers: TriggerDefinition[];
  actions: ActionDefinition[];
}

/** Reads `<root>/manifest.json`, every `<root>/trigger_*.json` and every `<root>/action_*.json`. */
export function loadModuleDefinition(root: string): ModuleDefinition {
  const manifest = readJsonFile(join(root, 'manifest.json')) as Manifest;
  let names: string[];
  try {
    names = readdirSync(root).sort();
  } catch (error) {
    throw new ModuleDefinitionError(`The module directory ${root} cannot be listed (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  const triggers = readComponents<TriggerDefinition>(root, names, 'trigger');
  const actions = readComponents<ActionDefinition>(root, names, 'action');
  return { root, manifest, triggers, actions };
}

/** The `<kind>_*.json` files of the module, each checked for the command that starts it. */
function readComponents<T extends { docker_parameters: string; file: string }>(root: string, names: string[], kind: 'trigger' | 'action'): T[] {
  const pattern = new RegExp(`^${kind}_.*\\.json$`);
  return names
    .filter((name) => pattern.test(name))
    .map((name) => {
      const file = join(root, name);
      const definition = readJsonFile(file) as Omit<T, 'file'>;
      if (typeof definition.docker_parameters !== 'string' || definition.docker_parameters === '') {
        throw new ModuleDefinitionError(`${file} has no docker_parameters: the runtime cannot tell which command starts this ${kind}.`);
      }
      return { ...definition, file } as T;
    });
}

/** The trigger JSON whose docker_parameters is `command`. */
export function findTrigger(definition: ModuleDefinition, command: string): TriggerDefinition {
  const found = definition.triggers.find((trigger) => trigger.docker_parameters === command);
  if (found === undefined) {
    throw new ModuleDefinitionError(`No trigger_*.json in ${definition.root} has docker_parameters "${command}".`);
  }
  return found;
}

/** The action JSON whose docker_parameters is `command`. */
export function findAction(definition: ModuleDefinition, command: string): ActionDefinition {
  const found = definition.actions.find((action) => action.docker_parameters === command);
  if (found === undefined) {
    throw new ModuleDefinitionError(`No action_*.json in ${definition.root} has docker_parameters "${command}".`);
  }
  return found;
}

/** The keys of the module configuration that the manifest declares secret. */
export function secretKeys(manifest: Manifest): string[] {
  const secrets = manifest.configuration?.secrets;
  return Array.isArray(secrets) ? secrets.filter((key): key is string => typeof key === 'string') : [];
}

function readJsonFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModuleDefinitionError(`${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new ModuleDefinitionError(`${file} is not a JSON object.`);
  }
}
