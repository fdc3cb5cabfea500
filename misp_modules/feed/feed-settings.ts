import { InvalidFeedOptionsError } from './errors/invalid-feed-options-error.js';

/** How a feed's files are laid out, as MISP's `source_format` names it. */
export const FEED_FORMATS = ['misp', 'csv', 'freetext'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

/** MISP's feed settings, read: what the CSV and free-text readers need of them. */
export interface FeedSettings {
  /** 1-based columns holding indicators; empty means every column (MISP's `value: ""`). */
  readonly columns: readonly number[];
  /** Column delimiter, a comma unless MISP's settings give another (several characters allowed, as MISP does). */
  readonly delimiter: string;
  /** MISP's `common.excluderegex`: a value it matches is left out. */
  readonly exclude: RegExp | undefined;
}

export const DEFAULT_FEED_SETTINGS: FeedSettings = Object.freeze({ columns: [], delimiter: ',', exclude: undefined });

const SETTING = 'feed settings';
const COLUMNS = /^\s*\d+\s*(,\s*\d+\s*)*$/;
/** The PCRE flags that have a JavaScript equivalent; any other flag changes the meaning, so it is refused. */
const FLAGS: Readonly<Record<string, string>> = { i: 'i', m: 'm', s: 's', u: 'u' };
const CLOSING: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}', '<': '>' };

/**
 * Reads a feed's settings as MISP's feed editor and its `defaults.json` write them: a JSON text (or
 * the object it encodes) `{"csv": {"value": "2,3", "delimiter": ","}, "common": {"excluderegex": "/^#/i"}}`.
 * MISP's own catalogue holds one entry encoded twice (a JSON string of the JSON text): it is
 * decoded again. Other keys (`disable_correlation`...) concern a MISP instance and are ignored.
 *
 * @throws InvalidFeedOptionsError naming what is wrong: not JSON, a column that is not a number, a
 *   regular expression without delimiters or with a flag JavaScript lacks.
 */
export function parseFeedSettings(raw: unknown): FeedSettings {
  const document = decode(raw);
  if (document === undefined) return DEFAULT_FEED_SETTINGS;
  const csv = section(document, 'csv');
  const common = section(document, 'common');
  return Object.freeze({
    columns: Object.freeze(readColumns(csv['value'])),
    delimiter: readDelimiter(csv['delimiter']),
    exclude: readExcludeRegex(common['excluderegex']),
  });
}

function decode(raw: unknown): Record<string, unknown> | undefined {
  let value = raw;
  // At most twice: MISP's catalogue has one entry whose settings are a JSON string of the JSON text.
  for (let depth = 0; depth < 3 && typeof value === 'string'; depth++) {
    if (value.trim() === '') return undefined;
    try {
      value = JSON.parse(value);
    } catch {
      throw new InvalidFeedOptionsError(SETTING, 'The feed settings are not JSON: give them as MISP writes them, for example {"csv":{"value":"2","delimiter":","},"common":{"excluderegex":""}}.');
    }
  }
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidFeedOptionsError(SETTING, `The feed settings must be a JSON object with "csv" and "common" sections, not ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}.`);
  }
  return value as Record<string, unknown>;
}

function section(document: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = document[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidFeedOptionsError(SETTING, `The "${name}" section of the feed settings must be an object.`);
  return value as Record<string, unknown>;
}

function readColumns(value: unknown): number[] {
  if (value === undefined || value === null || value === '') return [];
  const text = typeof value === 'number' ? String(value) : Array.isArray(value) ? value.join(',') : value;
  if (typeof text !== 'string' || !COLUMNS.test(text)) {
    throw new InvalidFeedOptionsError(SETTING, `The feed settings' csv.value must be column numbers from 1, separated by commas (for example "2" or "3,4"), or "" for every column; got ${JSON.stringify(value)}.`);
  }
  const columns = text.split(',').map((part) => Number(part.trim()));
  if (columns.some((column) => column < 1)) throw new InvalidFeedOptionsError(SETTING, "The feed settings' csv.value counts columns from 1: column 0 does not exist.");
  return [...new Set(columns)];
}

function readDelimiter(value: unknown): string {
  if (value === undefined || value === null || value === '') return ',';
  if (typeof value !== 'string') throw new InvalidFeedOptionsError(SETTING, "The feed settings' csv.delimiter must be a string, for example \",\" or \"|\".");
  // MISP's form writes a tab as the two characters \t.
  if (value === '\\t') return '\t';
  if (/[\r\n"]/.test(value)) throw new InvalidFeedOptionsError(SETTING, "The feed settings' csv.delimiter cannot hold a line break or a double quote.");
  return value;
}

/**
 * A PCRE pattern as PHP's preg_match takes it: a delimiter, the pattern, the delimiter (or the
 * closing bracket), then flags. Only flags with a JavaScript equivalent are accepted.
 */
export function readExcludeRegex(value: unknown): RegExp | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new InvalidFeedOptionsError(SETTING, "The feed settings' common.excluderegex must be a string such as \"/^#.*/i\".");
  const text = value.trim();
  const open = text.charAt(0);
  const close = CLOSING[open] ?? open;
  const end = text.lastIndexOf(close);
  if (open === '' || /[\p{L}\p{N}\\\s]/u.test(open) || end <= 0) {
    throw new InvalidFeedOptionsError(SETTING, `The feed settings' common.excluderegex must be written as MISP takes it, between delimiters with optional flags (for example "/^#.*/i"), not ${JSON.stringify(value)}.`);
  }
  const pattern = text.slice(1, end);
  let flags = '';
  for (const flag of text.slice(end + 1)) {
    const translated = FLAGS[flag];
    if (translated === undefined) throw new InvalidFeedOptionsError(SETTING, `The feed settings' common.excluderegex uses the flag "${flag}", which is not supported; use i, m, s or u.`);
    if (!flags.includes(translated)) flags += translated;
  }
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    throw new InvalidFeedOptionsError(SETTING, `The feed settings' common.excluderegex is not a valid regular expression (${(error as Error).message}).`);
  }
}

/** The feed format of a trigger argument, `misp` when unset. */
export function feedFormatOf(value: unknown): FeedFormat {
  return typeof value === 'string' && (FEED_FORMATS as readonly string[]).includes(value) ? (value as FeedFormat) : 'misp';
}
