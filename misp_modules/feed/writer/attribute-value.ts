import { normaliseAttribute } from '../../iocs/normalise-attribute.js';
import { holdsLineBreakOrControl } from '../../iocs/text-guards.js';

const MAX_SHOWN = 80;

/** A value as shown in a message: JSON-quoted, cut when long. */
export function shownValue(value: string): string {
  return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value);
}

/**
 * Why a value cannot be written as an attribute of `type`, or undefined when it can: it must not
 * be empty nor hold a line break or control character, and a type the trigger pushes must hold a
 * valid indicator (what a reader would drop is refused at the source, where it can be fixed).
 */
export function checkAttributeValue(type: string, value: string): string | undefined {
  if (type.trim() === '' || holdsLineBreakOrControl(type)) return 'its type is empty or holds a control character.';
  if (value === '') return 'its value is empty.';
  if (holdsLineBreakOrControl(value)) return `${shownValue(value)} holds a line break or another control character.`;
  const checked = normaliseAttribute(type, value);
  if (checked.status === 'invalid') return `${shownValue(value)} is not a valid ${type}: it ${checked.reason}.`;
  return undefined;
}
