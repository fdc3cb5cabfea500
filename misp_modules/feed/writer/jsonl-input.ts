import { FeedError } from '../errors/feed-error.js';
import type { FeedGenerator, GeneratedAttribute } from './feed-generator.js';
import type { RelationValues } from './feed-object.js';

export interface JsonLinesOutcome {
  attributes: number;
  objects: number;
  /** The refused lines, each described with its number. */
  refused: string[];
}

const ATTRIBUTE_KEYS = new Set(['type', 'value', 'category', 'comment', 'to_ids', 'tags']);
/** Keys of an object line that are not relations. */
const OBJECT_KEYS = new Set(['object', 'comment']);

/**
 * Feeds JSON lines to the live generator: `{"type": …, "value": …}` is an attribute (optional
 * `category`, `comment`, `to_ids`, `tags`), `{"object": "<template>", "<relation>": value(s), …}`
 * an object. Blank lines are skipped; a line that is not one of these, or that the generator
 * refuses, is reported with its number and does not stop the others.
 */
export async function addJsonLines(generator: FeedGenerator, lines: AsyncIterable<string>): Promise<JsonLinesOutcome> {
  const outcome: JsonLinesOutcome = { attributes: 0, objects: 0, refused: [] };
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    const problem = addLine(generator, line, outcome);
    if (problem !== undefined) outcome.refused.push(`line ${number}: ${problem}`);
  }
  return outcome;
}

function addLine(generator: FeedGenerator, line: string, outcome: JsonLinesOutcome): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return 'not JSON.';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not a JSON object.';
  const record = parsed as Record<string, unknown>;
  try {
    if (typeof record['object'] === 'string') {
      const values: Record<string, RelationValues[string]> = {};
      for (const [key, value] of Object.entries(record)) if (!OBJECT_KEYS.has(key)) values[key] = value as RelationValues[string];
      generator.addObject(record['object'], values, { comment: typeof record['comment'] === 'string' ? record['comment'] : undefined });
      outcome.objects++;
      return undefined;
    }
    if (record['object'] !== undefined) return '"object" must name an object template.';
    const unknown = Object.keys(record).filter((key) => !ATTRIBUTE_KEYS.has(key));
    if (unknown.length > 0) return `unknown key${unknown.length === 1 ? '' : 's'} ${unknown.map((key) => JSON.stringify(key)).join(', ')} (an attribute takes ${[...ATTRIBUTE_KEYS].join(', ')}; an object line starts with "object").`;
    if (typeof record['type'] !== 'string' || typeof record['value'] !== 'string') return 'an attribute needs "type" and "value" as strings.';
    const tags = record['tags'];
    if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string'))) return '"tags" must be a list of strings.';
    if (record['to_ids'] !== undefined && typeof record['to_ids'] !== 'boolean') return '"to_ids" must be true or false.';
    for (const key of ['category', 'comment'] as const) if (record[key] !== undefined && typeof record[key] !== 'string') return `"${key}" must be a string.`;
    generator.addAttribute(record as unknown as GeneratedAttribute);
    outcome.attributes++;
    return undefined;
  } catch (error) {
    if (error instanceof FeedError) return error.message;
    throw error;
  }
}
