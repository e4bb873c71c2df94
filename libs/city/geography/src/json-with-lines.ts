import { GeographyError } from './geography-error';

/** A parsed JSON document that can say on which line each of its objects and arrays began. */
export interface JsonWithLines {
  value: unknown;
  lineOf(node: object): number | undefined;
}

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

// A MultiPolygon position is six levels down; the limit only stops a hostile file from
// overflowing the stack, which would surface as a RangeError instead of a GeographyError.
const MAX_DEPTH = 256;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * JSON.parse that remembers the line each object and array starts on, so a validation error can
 * point into the file. Syntax errors throw a GeographyError with `source:line:column`.
 */
export function parseJsonWithLines(text: string, source: string): JsonWithLines {
  // A Map, not a WeakMap: it lives only as long as lineOf, and is markedly faster on the
  // hundreds of thousands of position arrays in a large GeoJSON file.
  const lines = new Map<object, number>();
  const value = new LineTrackingParser(text, source, lines).parseDocument();
  return { value, lineOf: (node) => lines.get(node) };
}

class LineTrackingParser {
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(
    private readonly text: string,
    private readonly source: string,
    private readonly lines: Map<object, number>,
  ) {
    // Some Windows editors save a byte-order mark: not JSON, but it carries no meaning either.
    if (text.charCodeAt(0) === 0xfeff) this.pos = this.lineStart = 1;
  }

  parseDocument(): unknown {
    this.skipWhitespace();
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.found()} after the JSON value`);
    return value;
  }

  private parseValue(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nested more than ${MAX_DEPTH} levels deep`);
    const char = this.text[this.pos];
    if (char === '{') return this.parseObject(depth);
    if (char === '[') return this.parseArray(depth);
    if (char === '"') return this.parseString();
    if (char === '-' || (char >= '0' && char <= '9')) return this.parseNumber();
    if (this.text.startsWith('true', this.pos)) return this.literal('true', true);
    if (this.text.startsWith('false', this.pos)) return this.literal('false', false);
    if (this.text.startsWith('null', this.pos)) return this.literal('null', null);
    return this.fail(`unexpected ${this.found()}, expected a JSON value`);
  }

  private parseObject(depth: number): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    this.lines.set(object, this.line);
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return object;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail(`expected a property name in double quotes, found ${this.found()}`);
      const key = this.parseString();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail(`expected ':' after the property name "${key}", found ${this.found()}`);
      this.pos++;
      this.skipWhitespace();
      // defineProperty, not assignment: a key named "__proto__" must stay plain data, as in JSON.parse.
      Object.defineProperty(object, key, { value: this.parseValue(depth + 1), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === '}') return object;
      if (next !== ',') this.fail(`expected ',' or '}' after the value of "${key}", found ${this.found(-1)}`, -1);
      this.skipWhitespace();
    }
  }

  private parseArray(depth: number): unknown[] {
    const array: unknown[] = [];
    this.lines.set(array, this.line);
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return array;
    }
    for (;;) {
      array.push(this.parseValue(depth + 1));
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === ']') return array;
      if (next !== ',') this.fail(`expected ',' or ']' after an array element, found ${this.found(-1)}`, -1);
      this.skipWhitespace();
    }
  }

  private parseString(): string {
    let value = '';
    let chunkStart = ++this.pos;
    for (;;) {
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22 /* " */) {
        value += this.text.slice(chunkStart, this.pos++);
        return value;
      }
      if (Number.isNaN(code) || code === 0x0a) this.fail('unterminated string');
      if (code < 0x20) this.fail('control character in a string; write it as an escape such as \\t');
      if (code === 0x5c /* \ */) {
        value += this.text.slice(chunkStart, this.pos) + this.parseEscape();
        chunkStart = this.pos;
      } else {
        this.pos++;
      }
    }
  }

  /** Reads one escape sequence starting at the backslash. */
  private parseEscape(): string {
    const letter = this.text[this.pos + 1];
    if (letter === 'u') {
      const hex = this.text.slice(this.pos + 2, this.pos + 6);
      if (!HEX4.test(hex)) this.fail('\\u must be followed by four hex digits');
      this.pos += 6;
      return String.fromCharCode(parseInt(hex, 16));
    }
    const escaped = ESCAPES[letter];
    if (escaped === undefined) this.fail(`invalid escape \\${letter ?? ''} in a string`);
    this.pos += 2;
    return escaped;
  }

  private parseNumber(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail('invalid number');
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private literal<T>(word: string, value: T): T {
    this.pos += word.length;
    return value;
  }

  /** Whitespace is the only place a newline can appear in JSON, so lines are counted here. */
  private skipWhitespace(): void {
    for (;;) {
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x0a) {
        this.line++;
        this.lineStart = ++this.pos;
      } else if (code === 0x20 || code === 0x09 || code === 0x0d) {
        this.pos++;
      } else {
        return;
      }
    }
  }

  /** Names the character at the current position (shifted by `offset`) for an error message. */
  private found(offset = 0): string {
    const at = this.pos + offset;
    return at < this.text.length ? `'${this.text[at]}'` : 'end of file';
  }

  private fail(reason: string, offset = 0): never {
    throw new GeographyError(this.source, reason, { line: this.line, column: this.pos + offset - this.lineStart + 1 });
  }
}
