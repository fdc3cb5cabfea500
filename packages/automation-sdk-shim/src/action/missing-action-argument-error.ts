/**
 * Thrown by `Action.jsonArgument(name)` when the arguments hold neither `name` nor `<name>_path`:
 * the action has nothing to work on. Carries the argument's name; the message names both keys a
 * playbook can set.
 */
export class MissingActionArgumentError extends Error {
  readonly argument: string;

  constructor(argument: string) {
    super(`The action needs the argument "${argument}" (the value itself) or "${argument}_path" (a JSON file in the data folder); neither was given.`);
    this.name = 'MissingActionArgumentError';
    this.argument = argument;
  }
}
