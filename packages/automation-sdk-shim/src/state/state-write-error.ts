/** What an operator is told, per errno, about the place a write failed in. */
const SITUATIONS: Readonly<Record<string, string>> = {
  ENOSPC: 'is full',
  EDQUOT: 'is over its disk quota',
  EROFS: 'is read-only',
  EIO: 'has a disk error',
  EACCES: 'refuses writing',
  EPERM: 'refuses writing',
};

/**
 * Thrown by the state writer when a file cannot be written (a full disk, a read-only mount, an I/O
 * error). Carries the file's path and the errno code; the message is one sentence that says what
 * the place suffers and where, and that the file's previous content is kept: the writer never
 * touches it before the new content is whole on disk.
 */
export class StateWriteError extends Error {
  override readonly name = 'StateWriteError';

  constructor(
    /** The file that was being written. */
    readonly path: string,
    /** The errno code of the failure (ENOSPC, EROFS, EIO…). */
    readonly code: string,
    /** Where the file lives, as the operator knows it: "data path", "feed directory". */
    readonly place: string,
    options?: ErrorOptions,
  ) {
    const situation = SITUATIONS[code];
    super(
      situation === undefined
        ? `The ${place} could not be written: ${path} failed with ${code}; its previous content is kept.`
        : `The ${place} ${situation}: ${path} could not be written (${code}); its previous content is kept.`,
      options,
    );
  }

  /** `error` as a StateWriteError when it is a file-system failure (it has an errno code); undefined otherwise. */
  static of(error: unknown, path: string, place: string): StateWriteError | undefined {
    if (error instanceof StateWriteError) return error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    return typeof code === 'string' ? new StateWriteError(path, code, place, { cause: error }) : undefined;
  }
}
