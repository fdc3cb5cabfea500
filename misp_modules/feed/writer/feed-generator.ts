import { InvalidFeedAttributeError } from '../errors/invalid-feed-attribute-error.js';
import { FeedWriter, type FeedWriteReport } from './feed-writer.js';
import { checkAttributeValue } from './attribute-value.js';
import { buildFeedObject, type ObjectSettings, type RelationValues } from './feed-object.js';
import type { FeedFiles } from './feed-files.js';

export interface FeedGeneratorOptions {
  /** The feed directory, created if missing. */
  directory: string;
  /** Creator organisation of the daily events. */
  orgName: string;
  /** Defaults to a uuid derived from the name, stable across runs. */
  orgUuid?: string | undefined;
  /** Title of the daily events: `<eventInfo>: IDS indicators of <day>`. Defaults to the organisation name. */
  eventInfo?: string | undefined;
  /** Event tags, for example `tlp:clear`. */
  tags?: readonly string[] | undefined;
  /** Milliseconds since the epoch; decides the day of what is added. Defaults to the system clock. */
  now?: (() => number) | undefined;
  /** Where the files go; defaults to the directory. */
  files?: FeedFiles | undefined;
}

/** An attribute as a producer gives it. */
export interface GeneratedAttribute {
  type: string;
  value: string;
  category?: string | undefined;
  comment?: string | undefined;
  /** Detection material; default true. */
  to_ids?: boolean | undefined;
  tags?: readonly string[] | undefined;
}

/** Options of one object. */
export interface GeneratedObjectOptions {
  comment?: string | undefined;
  references?: ObjectSettings['references'];
}

/**
 * The live feed generator, for producers without MISP (a honeypot, a sensor): what they see is
 * appended to the day's event of their organisation, under uuids no other feed or MISP holds, and
 * written as a MISP feed on `flush()`. Adding checks at once (a bad value or an unknown object template throws and queues
 * nothing); nothing touches the disk before `flush()`, which writes only the events that changed.
 *
 * ```ts
 * const feed = new FeedGenerator({ directory: '/srv/feed', orgName: 'Honeynet', tags: ['tlp:clear'] });
 * feed.addAttribute({ type: 'ip-src', value: '203.0.113.9', comment: 'ssh brute force' });
 * feed.addObject('cowrie', { session: 'a1b2c3', src_ip: '203.0.113.9', username: 'root', password: ['123456'] });
 * await feed.flush();
 * ```
 */
export class FeedGenerator {
  private readonly writer: FeedWriter;
  private readonly now: () => number;

  constructor(options: FeedGeneratorOptions) {
    this.now = options.now ?? Date.now;
    this.writer = new FeedWriter({
      directory: options.directory,
      orgName: options.orgName,
      orgUuid: options.orgUuid,
      eventInfo: options.eventInfo,
      tags: options.tags,
      nowMs: this.now(),
      files: options.files,
    });
  }

  /** Attributes and objects added since the last flush. */
  get pending(): number {
    return this.writer.pending;
  }

  /**
   * Appends an attribute to today's event; returns its uuid. The same type and value twice in a
   * day is one attribute (the later comment, category and flags win).
   */
  addAttribute(attribute: GeneratedAttribute): string {
    const type = typeof attribute.type === 'string' ? attribute.type : '';
    if (typeof attribute.value !== 'string') throw new InvalidFeedAttributeError(type, 'its value must be a string.');
    const problem = checkAttributeValue(type, attribute.value);
    if (problem !== undefined) throw new InvalidFeedAttributeError(type, problem);
    const nowMs = this.now();
    return this.writer.add({
      type,
      value: attribute.value,
      category: attribute.category,
      comment: attribute.comment,
      toIds: attribute.to_ids ?? true,
      tags: attribute.tags,
      timestamp: Math.floor(nowMs / 1000),
      day: dayOf(nowMs),
    });
  }

  /** Appends an object of a known template (cowrie, file, domain-ip, url, ip-port) to today's event; returns its uuid. */
  addObject(template: string, values: RelationValues, options: GeneratedObjectOptions = {}): string {
    const nowMs = this.now();
    const object = buildFeedObject(template, values, { timestamp: Math.floor(nowMs / 1000), comment: options.comment, references: options.references });
    this.writer.addObject(dayOf(nowMs), object);
    return object.uuid;
  }

  /** Writes what was added since the last flush: the changed daily events, then hashes.csv and the manifest. */
  flush(): Promise<FeedWriteReport> {
    return this.writer.write(this.now());
  }
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
