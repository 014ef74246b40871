/**
 * The non-feature columns of a table kept per sample for the panel (colour, filter and search by them): id, time,
 * ignored and dropped text columns. Which columns these are is decided once, by the column plan of the loader
 * (./columns.ts); the table sink (./tableSink.ts) feeds every row's cells here. A column whose non-missing cells are
 * all numbers is numeric (NaN = missing), any other is categorical: its distinct texts and one code per sample.
 */
/** Metadata columns kept at most (the first ones in file order). */
export const MAX_METADATA_COLUMNS = 32;

/** The roles whose columns are metadata. */
/** The column roles (./columns.ts ColumnRole) whose columns are metadata. */
export type MetadataRole = 'id' | 'time' | 'ignored' | 'dropped';

const isMetadataRole = (role: string): role is MetadataRole => role === 'id' || role === 'time' || role === 'ignored' || role === 'dropped';

export type MetadataColumn =
  | { name: string; role: MetadataRole; kind: 'number'; values: Float32Array }
  /** `codes[i]` indexes `categories`; -1 = missing. */
  | { name: string; role: MetadataRole; kind: 'category'; categories: string[]; codes: Int32Array };

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', '#n/a', 'nil']);
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Collects one column's cells as category codes; numeric columns are recognised at the end. */
class ColumnCollector {
  private codes: Int32Array;
  private readonly categories: string[] = [];
  private readonly codeOf = new Map<string, number>();
  private n = 0;

  constructor(readonly name: string, readonly role: MetadataRole, capacity: number, private readonly own: (s: string) => string) {
    this.codes = new Int32Array(Math.max(16, capacity));
  }

  add(text: string): void {
    if (this.n >= this.codes.length) {
      const next = new Int32Array(Math.ceil(this.codes.length * 1.5));
      next.set(this.codes);
      this.codes = next;
    }
    const t = text.trim();
    let code = t.length < 6 && MISSING.has(t.toLowerCase()) ? -1 : this.codeOf.get(t);
    if (code === undefined) {
      // A copy: the cell text may be a slice of a large chunk of the file, which the category would keep alive.
      const owned = this.own(t);
      code = this.categories.length;
      this.categories.push(owned);
      this.codeOf.set(owned, code);
    }
    this.codes[this.n++] = code;
  }

  finish(): MetadataColumn {
    const codes = this.codes.slice(0, this.n);
    if (this.categories.length > 0 && this.categories.every((c) => NUMBER_RE.test(c))) {
      const numbers = this.categories.map(Number);
      return { name: this.name, role: this.role, kind: 'number', values: Float32Array.from(codes, (c) => (c < 0 ? NaN : numbers[c])) };
    }
    return { name: this.name, role: this.role, kind: 'category', categories: this.categories, codes };
  }
}

/** The metadata columns of one table being read, fed one row of cell texts at a time. */
export class MetadataCollector {
  private readonly columns: ColumnCollector[];
  /** Header indices of the kept columns, in order. */
  readonly indices: number[];

  /**
   * `columns`: header index and role of each metadata column (at most MAX_METADATA_COLUMNS are kept); `own` copies a
   * cell text that becomes a category, so it does not keep the chunk of the file it was cut from alive.
   */
  constructor(header: readonly string[], columns: readonly { index: number; role: MetadataRole }[], capacity: number, own: (s: string) => string) {
    this.indices = columns.slice(0, MAX_METADATA_COLUMNS).map((c) => c.index);
    this.columns = columns.slice(0, MAX_METADATA_COLUMNS).map((c) => new ColumnCollector(header[c.index], c.role, capacity, own));
  }

  /** Adds one row: `cell(j)` is the text of header column j. */
  addRow(cell: (j: number) => string): void {
    for (let k = 0; k < this.columns.length; k++) this.columns[k].add(cell(this.indices[k]));
  }

  finish(): MetadataColumn[] {
    return this.columns.map((c) => c.finish());
  }
}

/** The metadata columns of a column plan's roles (none when the table has none). */
export function metadataColumns(roles: readonly string[], empty: ReadonlySet<number>): { index: number; role: MetadataRole }[] {
  const out: { index: number; role: MetadataRole }[] = [];
  roles.forEach((role, index) => {
    if (isMetadataRole(role) && !empty.has(index)) out.push({ index, role });
  });
  return out;
}
