import { GeographyError } from './geography-error';
import { parseJsonWithLines } from './json-with-lines';

/** The GeographyError thrown by parsing `text`, so its fields can be checked. */
function syntaxError(text: string): GeographyError {
  try {
    parseJsonWithLines(text, 'bad.json');
  } catch (error) {
    if (error instanceof GeographyError) return error;
    throw error;
  }
  throw new Error(`parsed without error: ${text}`);
}

describe('parseJsonWithLines', () => {
  it('reads what JSON.parse reads', () => {
    const text = JSON.stringify({ a: [1, -2.5e3, 0, true, false, null], s: 'tab\there "quoted" \\ \u00e9 \ud83d\ude00 /', nested: { deep: [[[]], {}] } }, null, 2);
    expect(parseJsonWithLines(text, 'x.json').value).toEqual(JSON.parse(text));
    expect(parseJsonWithLines('"\\u0041\\n\\/"', 'x.json').value).toBe('A\n/');
  });

  it('remembers the line each object and array starts on', () => {
    const text = ['{', '  "features": [', '    { "id": 1 },', '', '    {', '      "id": 2, "ring": [[0, 0],', '        [1, 1]]', '    }', '  ]', '}'].join('\n');
    const { value, lineOf } = parseJsonWithLines(text, 'x.json');
    const root = value as { features: { id: number; ring?: number[][] }[] };
    expect(lineOf(root)).toBe(1);
    expect(lineOf(root.features)).toBe(2);
    expect(root.features.map((feature) => lineOf(feature))).toEqual([3, 5]);
    expect(lineOf(root.features[1].ring!)).toBe(6);
    expect(root.features[1].ring!.map((position) => lineOf(position))).toEqual([6, 7]);
    expect(lineOf({})).toBeUndefined();
  });

  it('counts CRLF line ends once and skips a byte-order mark', () => {
    const { value, lineOf } = parseJsonWithLines('\ufeff{\r\n"a":\r\n[1]}', 'x.json');
    expect(lineOf((value as { a: number[] }).a)).toBe(3);
    expect(syntaxError('\ufeff{\r\n  "a" 1}')).toMatchObject({ line: 2, column: 7 });
  });

  it('keeps a "__proto__" key as plain data, like JSON.parse', () => {
    const value = parseJsonWithLines('{"__proto__": {"polluted": true}}', 'x.json').value as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect((value as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it.each([
    ['{"a": 1,}', 1, 9, /expected a property name in double quotes, found '}'/],
    ['[1, 2,\n]', 2, 1, /unexpected ']', expected a JSON value/],
    ['{\n  "a" 1\n}', 2, 7, /expected ':' after the property name "a", found '1'/],
    ['{"a": 1 "b": 2}', 1, 9, /expected ',' or '}' after the value of "a", found '"'/],
    ['[1 2]', 1, 4, /expected ',' or ']' after an array element, found '2'/],
    ['[1,\n  "open\n]', 2, 8, /unterminated string/],
    ['"a\tb"', 1, 3, /control character in a string/],
    ['"\\x"', 1, 2, /invalid escape \\x/],
    ['"\\u12g4"', 1, 2, /\\u must be followed by four hex digits/],
    ['[-]', 1, 2, /invalid number/],
    ['[nul]', 1, 2, /unexpected 'n', expected a JSON value/],
    ['{"a": [1, 2]', 1, 13, /expected ',' or '}' after the value of "a", found end of file/],
    ['{} {}', 1, 4, /unexpected '{' after the JSON value/],
    ['', 1, 1, /unexpected end of file, expected a JSON value/],
  ])('refuses %j at line %i, column %i', (text, line, column, reason) => {
    const error = syntaxError(text);
    expect(error).toMatchObject({ source: 'bad.json', line, column });
    expect(error.message).toMatch(new RegExp(`^bad\\.json:${line}:${column}: `));
    expect(error.message).toMatch(reason);
  });

  it('refuses nesting deep enough to overflow the stack, with a GeographyError', () => {
    expect(syntaxError('['.repeat(100_000)).message).toMatch(/^bad\.json:1:258: nested more than 256 levels deep/);
  });
});
