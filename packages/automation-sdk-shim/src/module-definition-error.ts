/**
 * Thrown when the files that describe the module (manifest.json, the trigger JSONs) are missing or
 * unreadable, or when no trigger JSON declares a registered command. The message names the file.
 */
export class ModuleDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModuleDefinitionError';
  }
}
