/**
 * A chunked RFC 4180 parser: quoted fields, `""` escapes, delimiters and line breaks inside quotes, CRLF / LF / CR
 * line ends, split anywhere across chunks. Text arrives with `push` and records leave through a callback as offset
 * views (`RecordView`), so numeric cells never become strings and no more than one chunk is held as text. Chosen over
 * papaparse's streaming mode after measuring (`npm run bench:load`): faster with its checks than papaparse parsing
 * numbers alone, and it reports the line where a record starts and how many lines a quoted field spans.
 *
 * `'whitespace'` splits lines on runs of spaces/tabs (numpy `savetxt` style) and knows no quoting.
 */
import { DatasetError } from './dataset';

/** A field delimiter, or runs of whitespace. */
export type Delimiter = string;

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * One record as offsets into the parser's text: fields are cut into strings only when asked (`str`, `fields`), and
 * numbers are read straight from the characters (`num`). Valid only during the handler call.
 */
export class RecordView {
  text = '';
  count = 0;
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** Unquoted text of quoted fields (undefined for plain fields). */
  quoted: (string | undefined)[] = [];

  push(start: number, end: number, quoted: string | undefined): void {
    if (this.count === this.starts.length) {
      const s = new Int32Array(this.count * 2);
      s.set(this.starts);
      this.starts = s;
      const e = new Int32Array(this.count * 2);
      e.set(this.ends);
      this.ends = e;
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.quoted[this.count] = quoted;
    this.count++;
  }

  reset(text: string): void {
    this.text = text;
    this.count = 0;
    this.quoted.length = 0;
  }

  str(j: number): string {
    return this.quoted[j] ?? this.text.slice(this.starts[j], this.ends[j]);
  }

  fields(): string[] {
    const out = new Array<string>(this.count);
    for (let j = 0; j < this.count; j++) out[j] = this.str(j);
    return out;
  }

  /**
   * Field `j` as a plain decimal number (`-12.5`, `.5`, `3.`, `1e-3`), read from the characters; NaN for anything
   * else, including numbers with more than 15 significant digits or exponents beyond ±22 (callers then use `Number`).
   * Within those limits `m * 10^e` (or `m / 10^-e`) of two exact doubles is one correctly rounded operation, so the
   * result equals `Number(text)` (Clinger's fast path).
   */
  num(j: number): number {
    if (this.quoted[j] !== undefined) return NaN;
    const t = this.text;
    let i = this.starts[j];
    const end = this.ends[j];
    if (i >= end) return NaN;
    let c = t.charCodeAt(i);
    let neg = false;
    if (c === 45 || c === 43) {
      neg = c === 45;
      i++;
    }
    let mant = 0;
    let digits = 0;
    let exp = 0;
    let any = false;
    while (i < end && (c = t.charCodeAt(i)) >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      if (mant !== 0) digits++;
      any = true;
      i++;
    }
    if (i < end && t.charCodeAt(i) === 46) {
      i++;
      while (i < end && (c = t.charCodeAt(i)) >= 48 && c <= 57) {
        mant = mant * 10 + (c - 48);
        if (mant !== 0) digits++;
        exp--;
        any = true;
        i++;
      }
    }
    if (!any || digits > 15) return NaN;
    if (i < end && (t.charCodeAt(i) | 32) === 101) {
      i++;
      let eneg = false;
      c = t.charCodeAt(i);
      if (c === 45 || c === 43) {
        eneg = c === 45;
        i++;
      }
      let e = 0;
      let edigits = 0;
      while (i < end && (c = t.charCodeAt(i)) >= 48 && c <= 57) {
        e = e * 10 + (c - 48);
        edigits++;
        i++;
      }
      if (edigits === 0 || edigits > 4) return NaN;
      exp += eneg ? -e : e;
    }
    if (i !== end) return NaN;
    let v: number;
    if (mant === 0) v = 0;
    else if (exp >= 0 && exp <= 22) v = mant * POW10[exp];
    else if (exp < 0 && exp >= -22) v = mant / POW10[-exp];
    else return NaN;
    return neg ? -v : v;
  }
}

/**
 * Receives each non-blank record (a view valid during the call), the 1-based line it starts on and how many lines it
 * spans (more than one only when a quoted field holds a line break). Returning `false` stops the parser.
 */
export type RecordHandler = (record: RecordView, line: number, span: number) => unknown;

/** Longest record (in characters) the parser will hold; longer means a runaway quote or not a table. */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class DelimitedParser {
  private carry = '';
  private line = 1;
  /** The previous chunk ended with CR: a leading LF belongs to that line end. */
  private skipLF = false;
  private stopped = false;
  private readonly d: number;
  private readonly view = new RecordView();

  constructor(
    private readonly delimiter: Delimiter,
    private readonly file: string,
    private readonly onRecord: RecordHandler,
    private readonly maxRecordChars = MAX_RECORD_CHARS,
  ) {
    if (delimiter !== 'whitespace' && delimiter.length !== 1) throw new DatasetError(`delimiter must be one character, got ${JSON.stringify(delimiter)}`, file);
    this.d = delimiter === 'whitespace' ? -1 : delimiter.charCodeAt(0);
  }

  /** True once the handler asked to stop. */
  get done(): boolean {
    return this.stopped;
  }

  push(chunk: string): void {
    if (this.stopped) return;
    let text = this.carry === '' ? chunk : this.carry + chunk;
    if (this.skipLF && text.charCodeAt(0) === LF) text = text.slice(1);
    this.skipLF = false;
    const consumed = this.parse(text, false);
    this.carry = consumed < text.length ? text.slice(consumed) : '';
    if (this.carry.length > this.maxRecordChars) {
      const quoted = this.carry.charCodeAt(0) === QUOTE || this.carry.includes(`${this.delimiter}"`);
      throw new DatasetError(
        quoted
          ? `a quoted field opened here is still open after ${this.maxRecordChars} characters: unterminated quote?`
          : `a record longer than ${this.maxRecordChars} characters starts here: is this a delimited table?`,
        this.file,
        this.line,
      );
    }
  }

  end(): void {
    if (this.stopped || this.carry === '') return;
    const text = this.carry;
    this.carry = '';
    this.parse(text, true);
  }

  /** Parses complete records of `text`; returns the index where the first incomplete record starts. */
  private parse(text: string, final: boolean): number {
    return this.delimiter === 'whitespace' ? this.parseWhitespace(text, final) : this.parseQuoted(text, final);
  }

  private emit(line: number, span: number): void {
    const v = this.view;
    if (v.count === 1 && v.str(0).trim() === '') return; // blank line
    if (this.onRecord(v, line, span) === false) this.stopped = true;
  }

  private parseWhitespace(text: string, final: boolean): number {
    let i = 0;
    const len = text.length;
    while (i < len && !this.stopped) {
      let k = i;
      while (k < len) {
        const c = text.charCodeAt(k);
        if (c === LF || c === CR) break;
        k++;
      }
      if (k === len && !final) return i;
      const v = this.view;
      v.reset(text);
      for (let a = i; a < k; ) {
        let c = text.charCodeAt(a);
        while (a < k && (c === 32 || c === 9 || c === 12 || c === 11)) c = text.charCodeAt(++a);
        if (a >= k) break;
        let b = a;
        while (b < k && (c = text.charCodeAt(b)) !== 32 && c !== 9 && c !== 12 && c !== 11) b++;
        v.push(a, b, undefined);
        a = b;
      }
      if (v.count > 0) this.emit(this.line, 1);
      i = k;
      if (i < len) {
        if (text.charCodeAt(i) === CR) {
          i++;
          if (i === len) this.skipLF = true;
        }
        if (i < len && text.charCodeAt(i) === LF) i++;
      }
      this.line++;
    }
    return i;
  }

  private parseQuoted(text: string, final: boolean): number {
    const d = this.d;
    const len = text.length;
    let i = 0;
    while (i < len && !this.stopped) {
      const recStart = i;
      const recLine = this.line;
      let line = this.line;
      const view = this.view;
      view.reset(text);
      let complete = false;
      let span = 1;
      for (;;) {
        if (text.charCodeAt(i) === QUOTE) {
          const openLine = line;
          let buf = '';
          let j = i + 1;
          let closed = false;
          for (;;) {
            const q = text.indexOf('"', j);
            if (q < 0) break;
            const part = text.slice(j, q);
            buf += part;
            for (let n = part.indexOf('\n'); n >= 0; n = part.indexOf('\n', n + 1)) line++;
            if (q + 1 === len && !final) break; // cannot tell `"` from `""` yet
            if (text.charCodeAt(q + 1) === QUOTE) {
              buf += '"';
              j = q + 2;
              continue;
            }
            i = q + 1;
            closed = true;
            break;
          }
          if (!closed) {
            if (final) throw new DatasetError('unterminated quoted field (the quote opened on this line is never closed)', this.file, openLine);
            return recStart;
          }
          // Lenient: text between the closing quote and the delimiter is kept.
          let k = i;
          while (k < len) {
            const c = text.charCodeAt(k);
            if (c === d || c === LF || c === CR) break;
            k++;
          }
          view.push(i, k, k === i ? buf : buf + text.slice(i, k));
          i = k;
        } else {
          let k = i;
          while (k < len) {
            const c = text.charCodeAt(k);
            if (c === d || c === LF || c === CR) break;
            k++;
          }
          view.push(i, k, undefined);
          i = k;
        }
        if (i < len && text.charCodeAt(i) === d) {
          i++;
          if (i === len && !final) break;
          continue;
        }
        span = line - recLine + 1;
        if (i >= len) {
          complete = final;
          break;
        }
        if (text.charCodeAt(i) === CR) {
          i++;
          if (i === len) this.skipLF = true;
        }
        if (i < len && text.charCodeAt(i) === LF) i++;
        line++;
        complete = true;
        break;
      }
      if (!complete) return recStart;
      this.line = line;
      this.emit(recLine, span);
    }
    return i;
  }
}

/** Parses a whole string (tests, small files): at most `limit` non-blank records. */
export function parseAll(text: string, delimiter: Delimiter, file: string, limit = Infinity): { fields: string[]; line: number; span: number }[] {
  const out: { fields: string[]; line: number; span: number }[] = [];
  if (limit <= 0) return out;
  const p = new DelimitedParser(delimiter, file, (rec, line, span) => {
    out.push({ fields: rec.fields(), line, span });
    return out.length < limit;
  });
  p.push(text);
  p.end();
  return out;
}
