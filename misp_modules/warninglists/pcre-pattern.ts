/**
 * A PHP (PCRE) pattern as `preg_match` takes it, delimiters and modifiers included (`/\.local$/i`,
 * `#^https?://#`, `{^a}`), turned into a JavaScript RegExp of the same meaning, or a sentence that
 * says why it cannot be. What has no JavaScript equivalent (atomic groups, possessive quantifiers,
 * recursion, conditionals, `\K`, `\R`, `\G`, Unicode properties, the `U` and `A` modifiers, inline
 * flags other than at the start) is refused rather than approximated: a refused entry matches
 * nothing, and the caller says so once.
 */
export type PcreTranslation = { ok: true; regexp: RegExp } | { ok: false; reason: string };

const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };
/** Modifiers with a JavaScript flag, and those that change nothing for a match test. */
const FLAGS: Record<string, string> = { i: 'i', m: 'm', s: 's' };
// u: PCRE reads UTF-8, JavaScript UTF-16 code units; for the ASCII patterns of warninglists that is
// the same, and JavaScript's u mode would refuse escapes PCRE accepts. D: JavaScript's `$` already
// ends at the very end. S: study, an optimisation.
const HARMLESS = new Set(['u', 'D', 'S']);
const POSIX_CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  xdigit: '0-9a-fA-F',
  space: '\\s',
  blank: ' \\t',
  word: '\\w',
  punct: '!-\\/:-@\\[-`{-~',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
};
/** Escapes with no JavaScript equivalent. */
const REFUSED_ESCAPES = new Set(['K', 'R', 'G', 'X', 'C', 'p', 'P', 'g', 'N', 'a']);

export function translatePcre(pattern: string): PcreTranslation {
  const text = pattern.replace(/^\s+/, '');
  const opening = text[0];
  if (opening === undefined) return { ok: false, reason: 'the pattern is empty' };
  if (/[a-zA-Z0-9\\\s]/.test(opening)) return { ok: false, reason: `it does not start with a delimiter (found "${opening}")` };
  const closing = CLOSING[opening] ?? opening;
  const end = closingDelimiter(text, opening, closing);
  if (end < 0) return { ok: false, reason: `it has no closing delimiter "${closing}"` };
  let body = text.slice(1, end);
  let flags = '';
  let extended = false;
  for (const modifier of text.slice(end + 1).trimEnd()) {
    if (FLAGS[modifier] !== undefined) {
      if (!flags.includes(FLAGS[modifier])) flags += FLAGS[modifier];
    } else if (modifier === 'x') extended = true;
    else if (!HARMLESS.has(modifier)) return { ok: false, reason: `its modifier "${modifier}" has no JavaScript equivalent` };
  }
  // Inline flags opening the pattern, such as (?i), apply to all of it.
  const leading = /^\(\?([imsx]+)\)/.exec(body);
  if (leading !== null) {
    for (const flag of leading[1] as string) {
      if (flag === 'x') extended = true;
      else if (!flags.includes(flag)) flags += flag;
    }
    body = body.slice(leading[0].length);
  }
  const translated = translateBody(body, extended);
  if (!translated.ok) return translated;
  try {
    return { ok: true, regexp: new RegExp(translated.source, flags) };
  } catch (error) {
    return { ok: false, reason: `JavaScript does not read it (${(error as Error).message})` };
  }
}

/** Where the pattern ends: the first unescaped closing delimiter, counting nested brackets for bracket delimiters. */
function closingDelimiter(text: string, opening: string, closing: string): number {
  let depth = 0;
  for (let i = 1; i < text.length; i++) {
    const character = text[i];
    if (character === '\\') {
      i++;
    } else if (character === closing && depth === 0) {
      return i;
    } else if (opening !== closing) {
      if (character === opening) depth++;
      else if (character === closing) depth--;
    }
  }
  return -1;
}

type Body = { ok: true; source: string } | { ok: false; reason: string };

/** The pattern between its delimiters, in JavaScript's syntax. */
function translateBody(body: string, extended: boolean): Body {
  let out = '';
  let inClass = false;
  // After a quantifier, a `+` makes it possessive.
  let afterQuantifier = false;
  for (let i = 0; i < body.length; i++) {
    const character = body[i] as string;
    const next = body[i + 1];
    const wasQuantifier: boolean = afterQuantifier;
    afterQuantifier = false;
    if (character === '\\') {
      if (next === undefined) return { ok: false, reason: 'it ends with a lone backslash' };
      if (next === 'Q') {
        const stop = body.indexOf('\\E', i + 2);
        const literal = body.slice(i + 2, stop < 0 ? body.length : stop);
        out += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = stop < 0 ? body.length : stop + 1;
        continue;
      }
      if (next === 'E') {
        i++;
        continue;
      }
      if (REFUSED_ESCAPES.has(next)) return { ok: false, reason: `its escape \\${next} has no JavaScript equivalent` };
      if (next === 'x' && body[i + 2] === '{') {
        const close = body.indexOf('}', i + 3);
        const code = close < 0 ? NaN : parseInt(body.slice(i + 3, close), 16);
        if (!Number.isInteger(code) || code > 0xffff) return { ok: false, reason: 'its escape \\x{…} is not a code point JavaScript reads without the u flag' };
        out += `\\u${code.toString(16).padStart(4, '0')}`;
        i = close;
        continue;
      }
      i++;
      if (!inClass && next === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && next === 'z') out += '(?![\\s\\S])';
      else if (!inClass && next === 'Z') out += '(?=\\n?(?![\\s\\S]))';
      else if (next === 'h') out += inClass ? ' \\t\\u00a0' : '[ \\t\\u00a0]';
      else if (next === 'H' && !inClass) out += '[^ \\t\\u00a0]';
      else if (next === 'e') out += '\\x1b';
      else if (next === 'H' || next === 'A' || next === 'z' || next === 'Z') return { ok: false, reason: `its escape \\${next} inside a class has no JavaScript equivalent` };
      else out += `\\${next}`;
      continue;
    }
    if (inClass) {
      if (character === '[' && next === ':') {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(body.slice(i));
        if (posix !== null) {
          const range = POSIX_CLASSES[posix[2] as string];
          if (range === undefined || posix[1] === '^') return { ok: false, reason: `its class [:${posix[1]}${posix[2]}:] has no JavaScript equivalent` };
          out += range;
          i += posix[0].length - 1;
          continue;
        }
      }
      if (character === '[') out += '\\[';
      else out += character;
      if (character === ']') inClass = false;
      continue;
    }
    if (extended && /\s/.test(character)) continue;
    if (extended && character === '#') {
      const newline = body.indexOf('\n', i);
      i = newline < 0 ? body.length : newline;
      continue;
    }
    if (character === '[') {
      inClass = true;
      out += character;
      // A `]` (or `^]`) right after the opening is a literal in PCRE, an empty class in JavaScript.
      if (next === '^') {
        out += '^';
        i++;
      }
      if (body[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (character === '(' && next === '?') {
      const group = translateGroupOpening(body.slice(i));
      if (!group.ok) return group;
      if (group.skip !== undefined) {
        i += group.skip - 1;
        continue;
      }
      out += group.source;
      i += group.consumed - 1;
      continue;
    }
    if (character === '+' && wasQuantifier) return { ok: false, reason: 'it uses a possessive quantifier, which JavaScript lacks' };
    if (character === '*' || character === '+' || character === '?') afterQuantifier = !(character === '?' && wasQuantifier);
    if (character === '}' && /\{\d+(,\d*)?$/.test(body.slice(0, i))) afterQuantifier = true;
    out += character;
  }
  if (inClass) return { ok: false, reason: 'a character class is not closed' };
  return { ok: true, source: out };
}

type GroupOpening = { ok: true; source: string; consumed: number; skip?: undefined } | { ok: true; skip: number } | { ok: false; reason: string };

/** `(?…` at the start of `rest`: JavaScript's spelling of the same group, or why there is none. */
function translateGroupOpening(rest: string): GroupOpening {
  if (rest.startsWith('(?#')) {
    const close = rest.indexOf(')');
    return close < 0 ? { ok: false, reason: 'a comment (?#… is not closed' } : { ok: true, skip: close + 1 };
  }
  const named = /^\(\?P?<([A-Za-z_]\w*)>/.exec(rest) ?? /^\(\?'([A-Za-z_]\w*)'/.exec(rest);
  if (named !== null) return { ok: true, source: `(?<${named[1] as string}>`, consumed: named[0].length };
  const reference = /^\(\?P=([A-Za-z_]\w*)\)/.exec(rest);
  if (reference !== null) return { ok: true, source: `\\k<${reference[1] as string}>`, consumed: reference[0].length };
  for (const opening of ['(?:', '(?=', '(?!', '(?<=', '(?<!']) {
    if (rest.startsWith(opening)) return { ok: true, source: opening, consumed: opening.length };
  }
  const kind = rest.startsWith('(?>')
    ? 'an atomic group'
    : rest.startsWith('(?|')
      ? 'a branch-reset group'
      : rest.startsWith('(?(')
        ? 'a conditional'
        : /^\(\?[-+]?(\d|R|&|P>)/.test(rest)
          ? 'recursion'
          : 'inline flags inside the pattern';
  return { ok: false, reason: `it uses ${kind}, which JavaScript lacks` };
}
