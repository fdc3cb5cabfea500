import { FeedError } from './feed-error.js';

/**
 * Thrown by the feed writer when the output directory cannot be used: it holds a manifest.json or
 * an event file that is not a MISP feed's (so writing would destroy someone else's data), or a
 * file cannot be written. Nothing already in the directory is changed when it is thrown before a write.
 */
export class FeedDirectoryError extends FeedError {
  constructor(directory: string, problem: string) {
    super(`The feed directory ${directory} cannot be written: ${problem}`, directory);
    this.name = 'FeedDirectoryError';
  }
}
