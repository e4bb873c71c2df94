import { CsvParser, CsvRecord, readCsv } from './csv';

/** All records of a text, fed to the parser in pieces of the given sizes (cycled). */
function parse(text: string, sizes: number[] = [text.length || 1]): CsvRecord[] {
  const parser = new CsvParser();
  const records: CsvRecord[] = [];
  for (let at = 0, i = 0; at < text.length; i++) {
    const size = sizes[i % sizes.length];
    records.push(...parser.push(text.slice(at, at + size)));
    at += size;
  }
  return [...records, ...parser.end()];
}

const fields = (records: CsvRecord[]) => records.map((r) => r.fields);

describe('CsvParser', () => {
  it('reads quoted fields holding commas, doubled quotes and line breaks', () => {
    const text = 'id,address,note\n1,"3400 GARRISON BLVD, BALTIMORE, MD","said ""now"""\n2,"two\r\nlines",\n';
    expect(fields(parse(text))).toEqual([
      ['id', 'address', 'note'],
      ['1', '3400 GARRISON BLVD, BALTIMORE, MD', 'said "now"'],
      ['2', 'two\r\nlines', ''],
    ]);
  });

  it('numbers each record by the line it starts on, counting line breaks inside quotes', () => {
    const records = parse('h1,h2\n"a\nb\nc",x\n\nlast,one');
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ['h1', 'h2']],
      [2, ['a\nb\nc', 'x']],
      [6, ['last', 'one']],
    ]);
  });

  it('drops the byte order mark before the first header, and nothing else', () => {
    expect(fields(parse('\uFEFFUnique Key,Created Date\n1,"\uFEFF"\n'))).toEqual([
      ['Unique Key', 'Created Date'],
      ['1', '\uFEFF'],
    ]);
  });

  it('ends records at CRLF, LF and a lone CR, and skips empty lines but not an empty quoted field', () => {
    expect(fields(parse('a,b\r\n1,2\r3,4\n\r\n""\n,\n'))).toEqual([['a', 'b'], ['1', '2'], ['3', '4'], [''], ['', '']]);
  });

  it('keeps a quote inside an unquoted field as it is', () => {
    expect(fields(parse('12" PIPE,x\n'))).toEqual([['12" PIPE', 'x']]);
  });

  it('says what is wrong with text after a closing quote, and with a quote never closed', () => {
    const records = parse('a,b\n"x"y,z\n1,"open\n2,3\n');
    expect(records[1]).toEqual({ line: 2, fields: ['xy', 'z'], problem: 'text after the closing quote of field 1' });
    expect(records[2]).toEqual({ line: 3, fields: ['1', 'open\n2,3\n'], problem: 'the quoted field 2 is never closed: the rest of the file is in it' });
    expect(records).toHaveLength(3);
  });

  it('gives the same records however the text is cut into pieces', () => {
    const text = '\uFEFFid,"a ""b""",c\r\n1,"x,\r\ny",\r\n2,"",z\r\n\r\n3,"""",""""""';
    const whole = parse(text);
    expect(fields(whole)).toEqual([['id', 'a "b"', 'c'], ['1', 'x,\r\ny', ''], ['2', '', 'z'], ['3', '"', '""']]);
    for (const sizes of [[1], [2], [3], [5, 1], [7, 2, 1]]) expect(parse(text, sizes)).toEqual(whole);
  });

  it('decodes UTF-8 split anywhere between chunks of bytes', async () => {
    const bytes = Buffer.from('name,street\nJosé,"Ñandú Café, 2º"\n', 'utf8');
    const chunks = async function* () {
      for (let at = 0; at < bytes.length; at += 3) yield bytes.subarray(at, at + 3);
    };
    const records: CsvRecord[] = [];
    for await (const record of readCsv(chunks())) records.push(record);
    expect(fields(records)).toEqual([
      ['name', 'street'],
      ['José', 'Ñandú Café, 2º'],
    ]);
  });
});
