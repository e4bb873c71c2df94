import { copyLines, copyValue } from './copy-rows';

describe("rows in COPY's text format", () => {
  it('writes null as \\N, booleans as t/f, arrays as {…}, and escapes what would end a field or a row', () => {
    expect([null, undefined, true, false, [3, 0, 1], 42, 'plain'].map(copyValue)).toEqual(['\\N', '\\N', 't', 'f', '{3,0,1}', '42', 'plain']);
    expect(copyValue('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyValue('\\N')).toBe('\\\\N'); // the text "\N", not a null
  });

  it('joins fields with tabs and rows with newlines, 10,000 rows to a chunk', () => {
    const rows = Array.from({ length: 10_001 }, (_, i) => [i, `r${i}`]);
    const chunks = [...copyLines(rows)];
    expect(chunks).toHaveLength(2);
    expect(chunks[0].split('\n')[0]).toBe('0\tr0');
    expect(chunks[1]).toBe('10000\tr10000\n');
  });
});
