/**
 * A checker for STIX 2.1 patterns (STIX 2.1 specification, section 9 "STIX Patterning"): the
 * grammar of observation and comparison expressions, qualifiers, literals and object paths, plus
 * the rules the grammar alone does not carry (object type names, comparisons joined by AND that
 * must all test one object type, positive counts and durations, real calendar timestamps).
 *
 * It answers whether a pattern is valid and, when it is not, where and why; it builds no tree.
 */
import { StixPatternSyntaxError } from './errors/stix-pattern-syntax-error.js';

export type PatternCheck = { readonly valid: true } | { readonly valid: false; readonly reason: string; readonly offset: number };

const KEYWORDS = new Set([
  'AND', 'OR', 'NOT', 'FOLLOWEDBY', 'LIKE', 'MATCHES', 'ISSUPERSET', 'ISSUBSET', 'EXISTS',
  'IN', 'START', 'STOP', 'SECONDS', 'TIMES', 'WITHIN', 'REPEATS', 'LAST',
]);

type TokenKind =
  | 'keyword' | 'identifier' | 'string' | 'int' | 'float' | 'bool' | 'binary' | 'hex' | 'timestamp'
  | 'operator' | 'punctuation' | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly offset: number;
}

// Lowercase ASCII letters, digits and hyphens, 3 to 250 characters (specification, 2.1 type names).
const OBJECT_TYPE_NAME = /^[a-z0-9-]{3,250}$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const OPERATORS = ['==', '!=', '<>', '<=', '>=', '=', '<', '>'];
const LINE_COMMENT = /[^\r\n]*/y;
// The grammar's whitespace: ASCII and Unicode spaces and line separators.
const WHITESPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const PREFIXED_LITERAL = /([hbt])'/y;
const NUMBER = /[+-]?(?:\d*\.\d+|\d+)/y;
const WORD = /[A-Za-z_][A-Za-z0-9_-]*/y;

function isValidTimestamp(body: string): boolean {
  const match = TIMESTAMP.exec(body);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day >= 1 && day <= daysInMonth;
}

/** Milliseconds of a timestamp literal (`t'...'`); the fraction beyond milliseconds is dropped. */
function timestampMilliseconds(literal: string): number {
  return Date.parse(literal.slice(2, -1).replace(/(\.\d{3})\d+/, '$1'));
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  const push = (kind: TokenKind, start: number, end: number): void => {
    tokens.push({ kind, text: pattern.slice(start, end), offset: start });
    position = end;
  };
  // Reads a quoted body from `start` (on the opening quote); returns the index after the closing one.
  const quoted = (start: number, escapes: boolean): number => {
    let index = start + 1;
    while (index < pattern.length) {
      const char = pattern[index];
      if (char === "'") return index + 1;
      if (char === '\\') {
        if (!escapes) throw new StixPatternSyntaxError('a backslash is not allowed in this literal', index);
        const next = pattern[index + 1];
        if (next !== "'" && next !== '\\') {
          throw new StixPatternSyntaxError("in a string literal a backslash may only escape ' or \\", index);
        }
        index += 2;
        continue;
      }
      index += 1;
    }
    throw new StixPatternSyntaxError('a literal is not closed by a quote', start);
  };

  // Sticky expressions read at `position` without copying the rest of the pattern.
  const at = (expression: RegExp): RegExpExecArray | null => {
    expression.lastIndex = position;
    return expression.exec(pattern);
  };
  while (position < pattern.length) {
    const char = pattern[position]!;
    if (WHITESPACE.test(char)) {
      position += 1;
      continue;
    }
    if (pattern.startsWith('/*', position)) {
      const end = pattern.indexOf('*/', position + 2);
      if (end === -1) throw new StixPatternSyntaxError('a comment is not closed', position);
      position = end + 2;
      continue;
    }
    if (pattern.startsWith('//', position)) {
      position += at(LINE_COMMENT)?.[0].length ?? 0;
      continue;
    }
    if (char === "'") {
      push('string', position, quoted(position, true));
      continue;
    }
    const prefixed = at(PREFIXED_LITERAL);
    if (prefixed) {
      const end = quoted(position + 1, false);
      const body = pattern.slice(position + 2, end - 1);
      const kind = prefixed[1] === 'h' ? 'hex' : prefixed[1] === 'b' ? 'binary' : 'timestamp';
      const valid = kind === 'hex' ? HEX.test(body) : kind === 'binary' ? BASE64.test(body) : isValidTimestamp(body);
      if (!valid) throw new StixPatternSyntaxError(`${pattern.slice(position, end)} is not a valid ${kind} literal`, position);
      push(kind, position, end);
      continue;
    }
    const previous = tokens.at(-1);
    const afterPathPart = previous !== undefined && (previous.kind === 'identifier' || previous.kind === 'string' || previous.text === ']');
    const number = at(NUMBER);
    if (number && !(char === '.' && afterPathPart)) {
      const literal = number[0];
      const isFloat = literal.includes('.');
      const digits = literal.replace(/^[+-]/, '');
      if (!isFloat && digits.length > 1 && digits.startsWith('0')) {
        throw new StixPatternSyntaxError(`${literal} is not a valid integer (leading zero)`, position);
      }
      if (/[A-Za-z_]/.test(pattern[position + literal.length] ?? '')) {
        throw new StixPatternSyntaxError(`${literal} runs into a name`, position);
      }
      push(isFloat ? 'float' : 'int', position, position + literal.length);
      continue;
    }
    const word = at(WORD);
    if (word) {
      const kind = KEYWORDS.has(word[0]) ? 'keyword' : word[0] === 'true' || word[0] === 'false' ? 'bool' : 'identifier';
      push(kind, position, position + word[0].length);
      continue;
    }
    const operator = OPERATORS.find((candidate) => pattern.startsWith(candidate, position));
    if (operator) {
      push('operator', position, position + operator.length);
      continue;
    }
    if ('[](),:.*'.includes(char)) {
      push('punctuation', position, position + 1);
      continue;
    }
    throw new StixPatternSyntaxError(`unexpected character ${JSON.stringify(char)}`, position);
  }
  tokens.push({ kind: 'end', text: '', offset: pattern.length });
  return tokens;
}

const ORDERABLE: ReadonlySet<TokenKind> = new Set(['int', 'float', 'string', 'binary', 'hex', 'timestamp']);

/** Recursive descent over the token list; each comparison method returns the object types it tests. */
class PatternParser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): void {
    this.observationExpressions();
    const next = this.peek();
    if (next.kind !== 'end') throw this.unexpected(next, 'the end of the pattern');
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private advance(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private accept(text: string): boolean {
    const token = this.peek();
    if ((token.kind === 'keyword' || token.kind === 'punctuation') && token.text === text) {
      this.index += 1;
      return true;
    }
    return false;
  }

  private expect(text: string): void {
    if (!this.accept(text)) throw this.unexpected(this.peek(), `"${text}"`);
  }

  private unexpected(token: Token, wanted: string): StixPatternSyntaxError {
    const found = token.kind === 'end' ? 'the end of the pattern' : `"${token.text}"`;
    return new StixPatternSyntaxError(`expected ${wanted}, found ${found}`, token.offset);
  }

  private observationExpressions(): void {
    do this.observationOr();
    while (this.accept('FOLLOWEDBY'));
  }

  private observationOr(): void {
    do this.observationAnd();
    while (this.accept('OR'));
  }

  private observationAnd(): void {
    do this.qualifiedObservation();
    while (this.accept('AND'));
  }

  private qualifiedObservation(): void {
    if (this.accept('[')) {
      this.comparisonExpression();
      this.expect(']');
    } else if (this.accept('(')) {
      this.observationExpressions();
      this.expect(')');
    } else {
      throw this.unexpected(this.peek(), 'an observation expression ("[" or "(")');
    }
    while (this.qualifier());
  }

  private qualifier(): boolean {
    if (this.accept('START')) {
      const start = this.literal(['timestamp'], 'a timestamp after START');
      this.expect('STOP');
      const stop = this.literal(['timestamp'], 'a timestamp after STOP');
      if (timestampMilliseconds(stop.text) <= timestampMilliseconds(start.text)) {
        throw new StixPatternSyntaxError('the STOP timestamp must be later than the START timestamp', stop.offset);
      }
      return true;
    }
    if (this.accept('WITHIN')) {
      const duration = this.literal(['int', 'float'], 'a number of seconds after WITHIN');
      if (!(Number(duration.text) > 0)) throw new StixPatternSyntaxError('WITHIN needs a positive number of seconds', duration.offset);
      this.expect('SECONDS');
      return true;
    }
    if (this.accept('REPEATS')) {
      const count = this.literal(['int'], 'a count after REPEATS');
      if (!(Number(count.text) > 0)) throw new StixPatternSyntaxError('REPEATS needs a positive count', count.offset);
      this.expect('TIMES');
      return true;
    }
    return false;
  }

  private literal(kinds: readonly TokenKind[], wanted: string): Token {
    const token = this.peek();
    if (!kinds.includes(token.kind)) throw this.unexpected(token, wanted);
    return this.advance();
  }

  private comparisonExpression(): Set<string> {
    const types = new Set<string>();
    do for (const type of this.comparisonAnd()) types.add(type);
    while (this.accept('OR'));
    return types;
  }

  private comparisonAnd(): Set<string> {
    const start = this.peek();
    const types = new Set<string>();
    let terms = 0;
    do {
      for (const type of this.propertyTest()) types.add(type);
      terms += 1;
    } while (this.accept('AND'));
    if (terms > 1 && types.size > 1) {
      throw new StixPatternSyntaxError(
        `comparisons joined by AND must all test the same object type, found ${[...types].join(', ')}`,
        start.offset,
      );
    }
    return types;
  }

  private propertyTest(): Set<string> {
    if (this.accept('(')) {
      const types = this.comparisonExpression();
      this.expect(')');
      return types;
    }
    if (this.accept('EXISTS')) return new Set([this.objectPath()]);
    const type = this.objectPath();
    this.accept('NOT');
    const operator = this.advance();
    if (operator.kind === 'operator') {
      const equality = ['=', '==', '!=', '<>'].includes(operator.text);
      const kinds: TokenKind[] = equality ? [...ORDERABLE, 'bool'] : [...ORDERABLE];
      this.literal(kinds, equality ? 'a literal' : 'an orderable literal (not a boolean)');
    } else if (operator.kind === 'keyword' && operator.text === 'IN') {
      this.setLiteral();
    } else if (operator.kind === 'keyword' && ['LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET'].includes(operator.text)) {
      this.literal(['string'], `a string literal after ${operator.text}`);
    } else {
      throw this.unexpected(operator, 'a comparison operator');
    }
    return new Set([type]);
  }

  private setLiteral(): void {
    this.expect('(');
    if (this.accept(')')) return;
    do this.literal([...ORDERABLE, 'bool'], 'a literal in the set');
    while (this.accept(','));
    this.expect(')');
  }

  /** Reads an object path and returns its object type. */
  private objectPath(): string {
    const type = this.peek();
    if (type.kind !== 'identifier') throw this.unexpected(type, 'an object path (object-type:property)');
    if (!OBJECT_TYPE_NAME.test(type.text)) {
      throw new StixPatternSyntaxError(
        `"${type.text}" is not a valid object type name (3 to 250 lowercase letters, digits or hyphens)`,
        type.offset,
      );
    }
    this.advance();
    this.expect(':');
    this.propertyName('a property name after ":"');
    for (;;) {
      if (this.accept('.')) {
        this.propertyName('a property name after "."');
      } else if (this.accept('[')) {
        const index = this.peek();
        if (index.kind === 'int' || (index.kind === 'punctuation' && index.text === '*')) this.advance();
        else throw this.unexpected(index, 'a list index or "*"');
        this.expect(']');
      } else {
        return type.text;
      }
    }
  }

  private propertyName(wanted: string): void {
    const token = this.peek();
    if (token.kind === 'string' || (token.kind === 'identifier' && !token.text.includes('-'))) {
      this.advance();
      return;
    }
    if (token.kind === 'identifier') {
      throw new StixPatternSyntaxError(`the property name ${token.text} holds a hyphen: quote it ('${token.text}')`, token.offset);
    }
    throw this.unexpected(token, wanted);
  }
}

/** Whether `pattern` is a valid STIX 2.1 pattern; if not, the first fault and its offset. */
export function checkStixPattern(pattern: string): PatternCheck {
  try {
    new PatternParser(tokenize(pattern)).parse();
    return { valid: true };
  } catch (error) {
    if (error instanceof StixPatternSyntaxError) return { valid: false, reason: error.message, offset: error.offset };
    throw error;
  }
}
