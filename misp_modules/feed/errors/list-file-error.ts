/**
 * Thrown by the feed generator when the list of indicators given with --from-list cannot be read
 * (no such file, no permission, a directory). Carries the system error code.
 */
export class ListFileError extends Error {
  readonly code: string;

  constructor(file: string, code: string) {
    super(`The list of indicators ${file} cannot be read (${code}). Give the path of a text file with one indicator per line.`);
    this.name = 'ListFileError';
    this.code = code;
  }
}
