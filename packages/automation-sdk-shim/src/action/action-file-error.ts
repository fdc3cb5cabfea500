/**
 * Thrown when a `<name>_path` argument cannot be used: the file lies outside the data folder, is
 * missing or unreadable, or does not hold JSON. Carries the argument's name and the path as given.
 */
export class ActionFileError extends Error {
  readonly argument: string;
  readonly path: string;

  constructor(argument: string, path: string, reason: string) {
    super(`The file given by "${argument}_path" (${path}) ${reason}.`);
    this.name = 'ActionFileError';
    this.argument = argument;
    this.path = path;
  }
}
