/** The rows of one restSearch answer, or a description of what came instead of the expected shape. */
export type RestSearchRows = { ok: true; rows: unknown[] } | { ok: false; found: string };

/**
 * Extracts the attribute rows of a parsed restSearch answer. `{"response": {"Attribute": [...]}}` is
 * the shape since MISP 2.4.95; `{"response": []}` is how 2.4.71 to 2.4.94 say "nothing".
 */
export function restSearchRows(answer: unknown): RestSearchRows {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    return { ok: false, found: describeJson(answer) };
  }
  const response = (answer as Record<string, unknown>)['response'];
  if (Array.isArray(response) && response.length === 0) return { ok: true, rows: [] };
  if (typeof response === 'object' && response !== null && !Array.isArray(response)) {
    const rows = (response as Record<string, unknown>)['Attribute'];
    if (Array.isArray(rows)) return { ok: true, rows };
    return { ok: false, found: `"response" as ${describeJson(response)}` };
  }
  if (response !== undefined) return { ok: false, found: `"response" as ${describeJson(response)}` };
  return { ok: false, found: describeJson(answer) };
}

/** A text this short is a field's value, not a page: shown as it is. */
const SHOWN_TEXT = 40;

/**
 * A description of a JSON value for an error message: its kind and, for an object, its first keys,
 * for a number, a boolean or a short text, the value itself (uncut: the caller redacts, then cuts).
 */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).slice(0, 5).map((key) => JSON.stringify(key));
    return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.join(', ')}`;
  }
  if (typeof value === 'string') return value.length <= SHOWN_TEXT ? `the text ${JSON.stringify(value)}` : `a text of ${value.length} characters`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return `a ${typeof value}`;
}


/**
 * MISP's own explanation in an error body (`{"name", "message", "url"}`), or, when the body is not
 * such JSON, undefined so that the caller shows the start of the body instead.
 */
export function mispMessageOf(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  for (const key of ['message', 'name', 'errors']) {
    const field = record[key];
    if (typeof field === 'string' && field.trim() !== '') return field;
    if (Array.isArray(field) && typeof field[0] === 'string') return field[0];
  }
  return undefined;
}
