/**
 * Accumulates table rows straight into typed arrays, one row at a time, so a streamed file never exists as an array
 * of rows: features go into one preallocated Float32Array (sized from an estimate of the row count), labels are
 * class codes in an Int32Array until the end, source lines are an Int32Array. Every cell is checked as it arrives and a bad one is a DatasetError naming
 * the file, the row (its line in the file) and the column.
 */
import type { Dataset, DatasetFormat } from './dataset';
import { DatasetError } from './dataset';
import type { Cell, ColumnPlan } from './columns';
import { commaToPoint, parseCell } from './columns';
import type { RecordView } from './csvParser';
import { lineRefs } from './refs';
import { MetadataCollector, metadataColumns } from './metadata';

/** Largest finite float32: anything beyond becomes Infinity in the float32 feature matrix. */
export const FLOAT32_MAX = 3.4028234663852886e38;

export interface SinkSpec {
  file: string;
  name: string;
  format: DatasetFormat;
  header: string[];
  plan: ColumnPlan;
  /** Rows expected (an estimate is fine; the arrays grow when it is exceeded). */
  capacity: number;
  /** Stop accepting rows after this many. */
  limit: number;
  /** Turns a label cell into its text (e.g. sklearn's class index into the class name). */
  labelText?: (raw: string) => string;
  /** Rows come from a text file: refs carry the line. */
  withLines: boolean;
  /** Numbers are written with a decimal comma (`1,5`). */
  decimalComma?: boolean;
}

/** A string that holds no reference to the (large) chunk it was cut from. */
function own(s: string): string {
  return s.length > 256 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

/**
 * A plain decimal number (`-1.5e3`, `.5`, `7.`), or NaN for anything else, including what `Number` accepts but a
 * table cell should not be: '' (0), hex/octal/binary literals, padded text, `Infinity`. Cheaper than a regex per cell.
 */
export function plainNumber(s: string): number {
  const len = s.length;
  if (len === 0) return NaN;
  const c0 = s.charCodeAt(0);
  const cl = s.charCodeAt(len - 1);
  if (!((c0 >= 48 && c0 <= 57) || c0 === 45 || c0 === 43 || c0 === 46)) return NaN;
  if (!((cl >= 48 && cl <= 57) || cl === 46)) return NaN;
  if (len > 1 && c0 === 48) {
    const c1 = s.charCodeAt(1) | 32;
    if (c1 === 120 || c1 === 111 || c1 === 98) return NaN;
  }
  return Number(s);
}

function cellText(c: Cell): string {
  return c === null || c === undefined ? '' : (typeof c === 'string' ? c : typeof c === 'object' ? JSON.stringify(c) : String(c)).trim();
}

export class TableSink {
  private features: Float32Array;
  private lines: Int32Array;
  private labelCodes: Int32Array | undefined;
  private readonly classes: string[] = [];
  private readonly codeOf = new Map<string, number>();
  private readonly ids: string[] | undefined;
  /** The non-feature columns kept per sample (none: undefined). */
  private readonly metadata: MetadataCollector | undefined;
  private readonly dim: number;
  private readonly empty: number[];
  private lastTime = -Infinity;
  private timeSorted = true;
  n = 0;

  constructor(private readonly spec: SinkSpec) {
    this.dim = spec.plan.features.length;
    this.empty = [...spec.plan.empty];
    const cap = Math.max(1, Math.min(spec.capacity, spec.limit));
    this.features = new Float32Array(cap * this.dim);
    this.lines = new Int32Array(spec.withLines ? cap : 0);
    if (spec.plan.label >= 0) this.labelCodes = new Int32Array(cap);
    if (spec.plan.id >= 0) this.ids = [];
    const meta = metadataColumns(spec.plan.roles, spec.plan.empty);
    if (meta.length > 0) this.metadata = new MetadataCollector(spec.header, meta, cap, own);
  }

  get full(): boolean {
    return this.n >= this.spec.limit;
  }

  private fail(detail: string, line: number | undefined, column: number | undefined): never {
    const col = column === undefined ? undefined : this.spec.header[column];
    throw new DatasetError(line === undefined ? `record ${this.n + 1}: ${detail}` : detail, this.spec.file, line, col);
  }

  private grow(): void {
    // Grow by a quarter: the estimate was short, so the file is nearly read; doubling would overshoot.
    const cap = Math.min(this.spec.limit, Math.max(this.n + 1024, Math.ceil(this.n * 1.25)));
    const f = new Float32Array(cap * this.dim);
    f.set(this.features);
    this.features = f;
    if (this.spec.withLines) {
      const l = new Int32Array(cap);
      l.set(this.lines);
      this.lines = l;
    }
    if (this.labelCodes) {
      const c = new Int32Array(cap);
      c.set(this.labelCodes);
      this.labelCodes = c;
    }
  }

  /**
   * Adds one delimited-text row without cutting its numeric cells into strings. Plain decimal features are read in
   * place; a row with anything else (padding, missing values, text, long mantissas) goes through `add`, which checks
   * and reports every cell the same way.
   */
  addView(rec: RecordView, line: number, span: number): void {
    const { plan, header } = this.spec;
    if (rec.count !== header.length) {
      this.add(rec.fields(), line, span);
      return;
    }
    if (this.n * this.dim >= this.features.length) this.grow();
    const base = this.n * this.dim;
    const f = plan.features;
    for (let k = 0; k < f.length; k++) {
      const v = rec.num(f[k]);
      if (!(v === v) || v > FLOAT32_MAX || v < -FLOAT32_MAX) {
        this.add(rec.fields(), line, span);
        return;
      }
      this.features[base + k] = v;
    }
    if (this.empty.length > 0 || this.ids !== undefined || plan.time >= 0) {
      this.add(rec.fields(), line, span);
      return;
    }
    if (this.labelCodes) {
      const code = this.codeOf.get(rec.str(plan.label));
      if (code === undefined) {
        this.add(rec.fields(), line, span);
        return;
      }
      this.labelCodes[this.n] = code;
    }
    this.metadata?.addRow((j) => rec.str(j));
    if (this.spec.withLines) this.lines[this.n] = line;
    this.n++;
  }

  /** Adds one row of `width` cells; `span` > 1 means a quoted field ran over several lines. */
  add(cells: Cell[], line: number | undefined, span = 1): void {
    const { plan, header } = this.spec;
    if (cells.length !== header.length) {
      const hint = span > 1 ? `; a quoted field runs from line ${line} over ${span} lines (an unterminated quote?)` : '';
      this.fail(`has ${cells.length} fields, expected ${header.length} (ragged row)${hint}`, line, undefined);
    }
    if (this.n * this.dim >= this.features.length) this.grow();
    const base = this.n * this.dim;
    const f = plan.features;
    for (let k = 0; k < f.length; k++) {
      const j = f[k];
      const cell = cells[j];
      const raw = this.spec.decimalComma && typeof cell === 'string' ? commaToPoint(cell) : cell;
      let v: number | null | string;
      if (typeof raw === 'number') v = Number.isFinite(raw) ? raw : Number.isNaN(raw) ? null : String(raw);
      else {
        const n = typeof raw === 'string' ? plainNumber(raw) : NaN;
        v = n === n ? n : parseCell(raw);
      }
      if (typeof v !== 'number') {
        const s = cellText(raw);
        if (span > 1 && s.includes('\n')) this.fail(`a quoted field runs from line ${line} over ${span} lines (an unterminated quote?)`, line, j);
        if (v === null) this.fail('missing value (empty, NA or NaN) in a numeric column', line, j);
        if (/^[+-]?(?:inf|infinity)$/i.test(s)) this.fail(`${s} is not a finite number`, line, j);
        const hint = /^[+-]?\d+,\d+$/.test(s) ? ' (a decimal comma? write decimal points, e.g. 1.5)' : '';
        this.fail(`${JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s)} is not a number${hint}`, line, j);
      }
      if (v > FLOAT32_MAX || v < -FLOAT32_MAX) this.fail(`${cellText(raw)} is outside the float32 range (about ±3.4e38); rescale this column`, line, j);
      this.features[base + k] = v;
    }
    const empty = this.empty;
    for (let k = 0; k < empty.length; k++) {
      const j = empty[k];
      if (parseCell(cells[j]) !== null) this.fail(`${JSON.stringify(cellText(cells[j]))} in a column that was empty in the first rows (dropped); choose its role with --ignore or fill the column`, line, j);
    }
    if (this.labelCodes) {
      const raw = cells[plan.label];
      let code = typeof raw === 'string' ? this.codeOf.get(raw) : undefined;
      if (code === undefined) {
        const t = cellText(raw);
        code = this.codeOf.get(t);
        if (code === undefined) {
          code = this.classes.length;
          this.classes.push(own(this.spec.labelText ? this.spec.labelText(t) : t));
          this.codeOf.set(own(t), code);
        }
        // The raw text too, so the next identical cell (even padded) is one lookup.
        if (typeof raw === 'string' && raw !== t) this.codeOf.set(own(raw), code);
      }
      this.labelCodes[this.n] = code;
    }
    if (this.ids) this.ids.push(own(cellText(cells[plan.id])));
    this.metadata?.addRow((j) => cellText(cells[j]));
    if (plan.time >= 0) {
      const t = parseCell(cells[plan.time]);
      if (typeof t === 'number') {
        if (t < this.lastTime) this.timeSorted = false;
        this.lastTime = t;
      }
    }
    if (this.spec.withLines) this.lines[this.n] = line ?? 0;
    this.n++;
  }

  /** The finished dataset; `warnings` are added to the plan's. */
  finish(warnings: string[] = []): Dataset {
    const { spec } = this;
    const n = this.n;
    if (n === 0) throw new DatasetError('no data rows', spec.file);
    const used = n * this.dim;
    // Keep the buffer when the estimate overshot a little: a copy would double the peak memory.
    const features = used === this.features.length ? this.features : used >= this.features.length * 0.9 ? this.features.subarray(0, used) : this.features.slice(0, used);
    this.features = new Float32Array(0);
    const all = [...spec.plan.warnings, ...warnings];
    if (spec.plan.time >= 0 && !this.timeSorted) all.push(`time column "${spec.header[spec.plan.time]}" is not in increasing order: rows are used in file order`);
    const ds: Dataset = {
      name: spec.name,
      source: spec.file,
      format: spec.format,
      kind: 'table',
      n,
      dim: this.dim,
      sampleShape: [this.dim],
      features,
      columns: spec.plan.features.map((j) => spec.header[j]),
      refs: lineRefs(spec.file, spec.withLines ? this.lines.subarray(0, n) : undefined, n),
    };
    if (this.labelCodes) {
      const labels = new Array<string>(n);
      const codes = this.labelCodes;
      for (let i = 0; i < n; i++) labels[i] = this.classes[codes[i]];
      this.labelCodes = undefined;
      ds.labels = labels;
      ds.labelName = spec.header[spec.plan.label];
    }
    if (this.ids) {
      ds.ids = this.ids;
      ds.idName = spec.header[spec.plan.id];
    }
    if (spec.plan.time >= 0) ds.timeName = spec.header[spec.plan.time];
    if (this.metadata) ds.metadata = this.metadata.finish();
    if (all.length > 0) ds.warnings = all;
    return ds;
  }
}
