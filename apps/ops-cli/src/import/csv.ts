import { StringDecoder } from 'node:string_decoder';

/** One record of a CSV file (the header is the first). */
export interface CsvRecord {
  /** The line of the file the record starts on: 1 is the header's. */
  line: number;
  fields: string[];
  /** What is wrong with its syntax, when something is (the fields are then what could be read). */
  problem?: string;
}

const LF = 10;
const CR = 13;
/** Where an unquoted field may end or hold something special. */
const UNQUOTED_STOP = /[,"\r\n]/g;

function countLineFeeds(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/**
 * An RFC 4180 parser fed text in pieces of any size: fields quoted with ", holding commas, line
 * breaks and doubled quotes (""); records end at CRLF, LF or a lone CR. A UTF-8 byte order mark
 * before the header is dropped, and so are empty lines. Lenient where nothing is lost: a quote inside
 * an unquoted field is kept as it is. A quoted field followed by more text, or still open at the end
 * of the file, gives a record with a `problem`: its fields cannot be trusted.
 */
export class CsvParser {
  private fields: string[] = [];
  private field = '';
  /** start: at the beginning of a field; quote: a quote seen inside a quoted field (closing, or the first of ""). */
  private state: 'start' | 'unquoted' | 'quoted' | 'quote' = 'start';
  /** The record holds a quoted field (so "" alone on a line is a record, an empty line is not). */
  private quoted = false;
  private problem?: string;
  private line = 1;
  private recordLine = 1;
  private atStart = true;
  /** A CR ended the last record: an LF right after it belongs to it. */
  private afterCr = false;

  /** Parses the next piece of text; returns the records it completed. */
  push(text: string): CsvRecord[] {
    const records: CsvRecord[] = [];
    let i = 0;
    const n = text.length;
    if (this.atStart && n > 0) {
      this.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    while (i < n) {
      if (this.afterCr) {
        this.afterCr = false;
        if (text.charCodeAt(i) === LF) {
          i++;
          continue;
        }
      }
      switch (this.state) {
        case 'start':
          if (text.charCodeAt(i) === 34) {
            this.state = 'quoted';
            this.quoted = true;
            i++;
          } else {
            this.state = 'unquoted';
          }
          break;
        case 'quoted': {
          const quote = text.indexOf('"', i);
          const end = quote === -1 ? n : quote;
          const piece = text.slice(i, end);
          this.field += piece;
          this.line += countLineFeeds(piece);
          if (quote === -1) {
            i = n;
          } else {
            this.state = 'quote';
            i = quote + 1;
          }
          break;
        }
        case 'quote': {
          const code = text.charCodeAt(i);
          if (code === 34) {
            this.field += '"';
            this.state = 'quoted';
            i++;
          } else if (code === 44 || code === LF || code === CR) {
            this.state = 'unquoted';
          } else {
            this.problem ??= `text after the closing quote of field ${this.fields.length + 1}`;
            this.state = 'unquoted';
          }
          break;
        }
        case 'unquoted': {
          UNQUOTED_STOP.lastIndex = i;
          const stop = UNQUOTED_STOP.exec(text);
          const end = stop ? stop.index : n;
          this.field += text.slice(i, end);
          i = end;
          if (!stop) break;
          const code = text.charCodeAt(end);
          i++;
          if (code === 34) {
            this.field += '"';
          } else if (code === 44) {
            this.fields.push(this.field);
            this.field = '';
            this.state = 'start';
          } else {
            this.line++;
            this.afterCr = code === CR;
            const record = this.endRecord();
            if (record) records.push(record);
          }
          break;
        }
      }
    }
    return records;
  }

  /** The end of the text: the last record, if it did not end with a line break. */
  end(): CsvRecord[] {
    if (this.state === 'quoted') this.problem ??= `the quoted field ${this.fields.length + 1} is never closed: the rest of the file is in it`;
    const record = this.endRecord();
    return record ? [record] : [];
  }

  private endRecord(): CsvRecord | undefined {
    const empty = this.fields.length === 0 && this.field === '' && !this.quoted;
    const record: CsvRecord = { line: this.recordLine, fields: [...this.fields, this.field] };
    if (this.problem !== undefined) record.problem = this.problem;
    this.fields = [];
    this.field = '';
    this.state = 'start';
    this.quoted = false;
    this.problem = undefined;
    this.recordLine = this.line;
    return empty ? undefined : record;
  }
}

/** The records of a CSV file read as a stream (bytes as UTF-8, split anywhere, or text). */
export async function* readCsv(input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser();
  const decoder = new StringDecoder('utf8');
  for await (const chunk of input) {
    yield* parser.push(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  }
  const rest = decoder.end();
  if (rest) yield* parser.push(rest);
  yield* parser.end();
}
