/**
 * The one place that decides how a delimited text table is laid out: its delimiter (sniffed from the content; the
 * extension only breaks ties), the leading rows to skip (`#` comments, scikit-learn's `n_samples,n_features,classes`
 * line), and whether the first kept row is a header. The loader, `inspect` and the training form all call this.
 */
import type { Delimiter } from './csvParser';
import { DelimitedParser } from './csvParser';
import { parseCell } from './columns';

/** scikit-learn's bundled CSV layout (iris.csv, wine_data.csv, breast_cancer.csv, ...). */
export interface SklearnLayout {
  samples: number;
  features: number;
  /** Class names from the first line: the last column's integer `k` is class `classNames[k]`. */
  classNames: string[];
}

export interface TableLayout {
  delimiter: Delimiter;
  /** Non-blank records skipped before the header (or the data). */
  skipRows: number;
  /** Why each skipped record was skipped, e.g. `line 1: comment`. */
  skipped: string[];
  hasHeader: boolean;
  sklearn?: SklearnLayout;
}

/** What the user may force; the rest is sniffed. */
export interface LayoutChoices {
  delimiter?: string;
  hasHeader?: boolean;
  skipRows?: number;
}

const CANDIDATES = [',', '\t', ';', '|'];

/** A delimiter from user text: `tab`/`\t`, `space`/`whitespace`/` `, `comma`, `semicolon`, `pipe`, or one character. */
export function parseDelimiterChoice(text: string): Delimiter {
  const t = text.toLowerCase();
  if (t === 'tab' || t === '\\t' || text === '\t') return '\t';
  if (t === 'space' || t === 'whitespace' || text === ' ') return 'whitespace';
  if (t === 'comma') return ',';
  if (t === 'semicolon') return ';';
  if (t === 'pipe') return '|';
  return text;
}

/** How a delimiter prints: `,` `tab` `whitespace` ... */
export function delimiterName(d: Delimiter): string {
  return d === '\t' ? 'tab' : d === 'whitespace' ? 'whitespace' : d;
}

/** Default delimiter for a file extension (used only when the content does not decide). */
function extensionDelimiter(ext: string): Delimiter {
  return ext === '.tsv' || ext === '.tab' ? '\t' : ',';
}

/**
 * Picks the delimiter from the first lines, whatever the extension: the candidate (`,` tab `;` `|`) that appears the
 * same, non-zero number of times on every line after the first (the first may be a header or a size line; quoted
 * text is removed first), most occurrences first; else whitespace when every line splits on it; else the extension's.
 * `complete` says the text is the whole file (else its last line may be cut short and is not used).
 */
export function sniffDelimiter(text: string, ext = '', complete = false): Delimiter {
  let lines = text
    .split(/\r?\n|\r/)
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .slice(0, 30)
    .map((l) => l.replace(/"(?:[^"]|"")*"/g, '""'));
  if (!complete && lines.length > 1) lines = lines.slice(0, -1);
  if (lines.length === 0) return extensionDelimiter(ext);
  const body = lines.length > 1 ? lines.slice(1) : lines;
  const preferred = extensionDelimiter(ext);
  // Each candidate's most common count per line, and the share of lines that have it: a ragged line or two (the
  // loader reports them) must not hide the delimiter.
  let best: string | undefined;
  let bestScore = 0;
  let loose: string | undefined;
  let looseScore = 0;
  for (const cand of [preferred, ...CANDIDATES.filter((c) => c !== preferred)]) {
    const counts = body.map((l) => l.split(cand).length - 1);
    const freq = new Map<number, number>();
    for (const c of counts) if (c > 0) freq.set(c, (freq.get(c) ?? 0) + 1);
    let mode = 0;
    let hits = 0;
    for (const [c, f] of freq) if (f > hits || (f === hits && c > mode)) [mode, hits] = [c, f];
    if (mode === 0) continue;
    const agreement = hits / counts.length;
    // Agreement with the first line too breaks ties (a header has as many delimiters as the rows).
    const first = lines[0].split(cand).length - 1;
    const score = mode + (first === mode ? 0.5 : 0);
    if (agreement === 1 || (agreement >= 0.8 && counts.length >= 5)) {
      if (score > bestScore) {
        best = cand;
        bestScore = score;
      }
    } else if (agreement >= 0.5 && agreement * score > looseScore) {
      loose = cand;
      looseScore = agreement * score;
    }
  }
  if (best === undefined && loose !== undefined && !body.every((l) => /\S\s+\S/.test(l.trim()))) best = loose;
  if (best !== undefined) return best;
  if (body.every((l) => /\S\s+\S/.test(l.trim()))) return 'whitespace';
  return preferred;
}

function isWholeNumber(s: string): boolean {
  return /^\s*\d+\s*$/.test(s);
}

/**
 * The scikit-learn layout: the first record is `n_samples,n_features[,class names...]` and the data rows have
 * `n_features + 1` fields, the last an integer class index when class names are given (possibly after one header row,
 * as in boston_house_prices.csv).
 */
export function detectSklearn(records: { fields: string[] }[]): { layout: SklearnLayout; headerAfter: boolean } | undefined {
  if (records.length < 2) return undefined;
  const first = records[0].fields;
  if (first.length < 2 || !isWholeNumber(first[0]) || !isWholeNumber(first[1])) return undefined;
  const rest = first.slice(2).map((s) => s.trim());
  if (rest.some((s) => s !== '' && typeof parseCell(s) === 'number')) return undefined;
  const classNames = rest.filter((s) => s !== '');
  if (classNames.length === 0 && rest.length === 0) return undefined;
  const features = Number(first[1]);
  const headerAfter = records[1].fields.every((f) => typeof parseCell(f) === 'string');
  const body = records.slice(headerAfter ? 2 : 1, 50);
  if (body.length === 0 || !body.every((r) => r.fields.length === features + 1)) return undefined;
  if (classNames.length > 0 && !body.every((r) => isWholeNumber(r.fields[features]) && Number(r.fields[features]) < classNames.length)) return undefined;
  return { layout: { samples: Number(first[0]), features, classNames }, headerAfter };
}

/**
 * A header is present when some column holds text in the first record but numbers (or blanks) in the records below;
 * a lone record of text is a header too.
 */
export function detectHeader(records: { fields: string[] }[]): boolean {
  if (records.length === 0) return false;
  const first = records[0].fields;
  if (records.length === 1) return first.every((f) => typeof parseCell(f) !== 'number');
  const sample = records.slice(1, 21);
  for (let j = 0; j < first.length; j++) {
    if (typeof parseCell(first[j]) !== 'string') continue;
    let nums = 0;
    let ok = true;
    for (const r of sample) {
      const v = j < r.fields.length ? parseCell(r.fields[j]) : null;
      if (typeof v === 'string') {
        ok = false;
        break;
      }
      if (typeof v === 'number') nums++;
    }
    if (ok && nums > 0) return true;
  }
  // Every cell of the first record is text and some column below is numeric: a header of a table with text columns.
  if (first.every((f) => typeof parseCell(f) === 'string')) {
    return first.some((_, j) => sample.some((r) => typeof parseCell(r.fields[j]) === 'number'));
  }
  return false;
}

/**
 * Sniffs the layout of a table from its first text (`head`). `complete` says `head` is the whole file.
 * Returns the layout and the head's records after the skipped ones (header first when there is one).
 */
export function sniffLayout(head: string, ext: string, file: string, complete: boolean, choices: LayoutChoices = {}): { layout: TableLayout; records: { fields: string[]; line: number; span: number }[] } {
  // Excel's "sep=;" first line names the delimiter.
  const sep = /^\s*"?sep=(.)"?\s*(?:\r?\n|\r)/i.exec(head);
  const given = choices.delimiter !== undefined && choices.delimiter !== '' ? parseDelimiterChoice(choices.delimiter) : undefined;
  const delimiter = given ?? (sep ? sep[1] : sniffDelimiter(head, ext, complete));
  // Only complete records: a sample cut inside a quoted field just ends before that record.
  const records: { fields: string[]; line: number; span: number }[] = [];
  const parser = new DelimitedParser(delimiter, file, (rec, line, span) => {
    records.push({ fields: rec.fields(), line, span });
    return records.length < 200;
  });
  parser.push(head);
  if (complete) parser.end();
  const skipped: string[] = [];
  let skipRows = 0;
  let hasHeader: boolean | undefined = choices.hasHeader;
  let sklearn: SklearnLayout | undefined;
  if (choices.skipRows !== undefined) {
    skipRows = Math.min(choices.skipRows, records.length);
    for (const r of records.slice(0, skipRows)) skipped.push(`line ${r.line}: skipped (as asked)`);
  } else {
    if (sep && records.length > 0 && /^\s*"?sep=/i.test(records[0].fields.join(delimiter === 'whitespace' ? ' ' : delimiter))) {
      skipped.push(`line ${records[0].line}: Excel's delimiter line (sep=${sep[1]})`);
      skipRows++;
    }
    while (skipRows < records.length && records[skipRows].fields[0].trimStart().startsWith('#')) {
      skipped.push(`line ${records[skipRows].line}: comment`);
      skipRows++;
    }
    const sk = detectSklearn(records.slice(skipRows));
    if (sk) {
      sklearn = sk.layout;
      skipped.push(`line ${records[skipRows].line}: scikit-learn size line (${sk.layout.samples} samples, ${sk.layout.features} features${sk.layout.classNames.length ? `, classes ${sk.layout.classNames.join(', ')}` : ''})`);
      skipRows++;
      if (hasHeader === undefined) hasHeader = sk.headerAfter;
    }
  }
  const rest = records.slice(skipRows);
  if (hasHeader === undefined) hasHeader = detectHeader(rest);
  const layout: TableLayout = { delimiter, skipRows, skipped, hasHeader };
  if (sklearn) layout.sklearn = sklearn;
  return { layout, records: rest };
}

/** Header names made usable: trimmed, empty ones `Unnamed: j` (as pandas names them), duplicates suffixed `.1`, `.2`. */
export function cleanHeader(fields: string[]): { names: string[]; warnings: string[] } {
  const seen = new Map<string, number>();
  const dups: string[] = [];
  const names = fields.map((raw, j) => {
    const h = raw.trim() === '' ? `Unnamed: ${j}` : raw.trim();
    const k = seen.get(h) ?? 0;
    seen.set(h, k + 1);
    if (k === 0) return h;
    dups.push(h);
    return `${h}.${k}`;
  });
  const warnings = dups.length > 0 ? [`duplicate column name${dups.length > 1 ? 's' : ''} ${[...new Set(dups)].map((d) => `"${d}"`).join(', ')}: later ones renamed "${dups[0]}.1", ...`] : [];
  return { names, warnings };
}
