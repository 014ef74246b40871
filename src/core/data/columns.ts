/**
 * The role of every column of a table: feature, label, id, time, ignored, or dropped (text that is none of these).
 * Roles the user chose win; otherwise they are inferred from the column names and the first rows, and every inference
 * is reported as a warning so the user can see it and override it (CLI: --label/--id/--time/--ignore).
 *
 * Cells: a finite number, missing (an empty cell, `NA`, `N/A`, `NaN`, `null`, `None`, `?`), or text.
 */
import { DatasetError } from './dataset';

export type Cell = string | number | boolean | bigint | Date | object | null | undefined;

/** What a column is used for. */
export type ColumnRole = 'feature' | 'label' | 'id' | 'time' | 'ignored' | 'dropped';

/** Choices about columns: a name, or a 0-based index as text. `labelColumn: ''` means "no label". */
export interface ColumnChoices {
  labelColumn?: string;
  idColumn?: string;
  timeColumn?: string;
  ignoreColumns?: string[];
}

export interface ColumnPlan {
  roles: ColumnRole[];
  /** Indices of the feature columns, in order. */
  features: number[];
  label: number;
  id: number;
  time: number;
  /** Columns missing in every preview row: dropped, but a number in them later is an error. */
  empty: Set<number>;
  warnings: string[];
}

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', '#n/a', 'nil']);
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const LABEL_NAME_RE = /^(?:labels?|class(?:es)?|target|y|species|category|classname|class_name)$/i;
/** A numeric column with one of these names is the answer, not an input (`y` is too often a coordinate). */
const NUMERIC_LABEL_NAME_RE = /^(?:labels?|class(?:es)?|target|species|category|class_?id)$/i;
const ID_NAME_RE = /^(?:id|_id|uuid|key|index|idx|row|row_?id|row_?number|unnamed: ?0|)$/i;
const TIME_NAME_RE = /^(?:time|timestamp|datetime|date|t|ts|time_?s|time_?ms|seconds|epoch_?time)$/i;

export const DECIMAL_COMMA = /^\s*[+-]?\d*,\d+(?:[eE][+-]?\d+)?\s*$/;

/** `1,5` -> `1.5` (other text unchanged). */
export function commaToPoint(s: string): string {
  return DECIMAL_COMMA.test(s) ? s.replace(',', '.') : s;
}

/** Classification of one cell: a finite number, missing (null), or text. */
export function parseCell(c: Cell): number | null | string {
  if (c === null || c === undefined) return null;
  if (typeof c === 'number') return Number.isFinite(c) ? c : Number.isNaN(c) ? null : String(c);
  if (typeof c === 'bigint') return Number(c);
  if (typeof c === 'boolean') return String(c);
  if (typeof c === 'object') return c instanceof Date ? c.toISOString() : JSON.stringify(c);
  const s = c.trim();
  if (s.length < 6 && MISSING.has(s.toLowerCase())) return null;
  return NUMBER_RE.test(s) ? Number(s) : s;
}

/** Per-column counts over the preview rows. */
export interface ColumnStats {
  numeric: number;
  text: number;
  missing: number;
  /** Distinct text values (capped at 1,000). */
  distinct: Set<string>;
  /** Distinct numbers (capped at 64). */
  distinctNumbers: Set<number>;
  integers: boolean;
  /** Numbers never decrease / strictly increase down the column. */
  nondecreasing: boolean;
  increasing: boolean;
}

export function columnStats(rows: Cell[][], width: number): ColumnStats[] {
  const stats: ColumnStats[] = Array.from({ length: width }, () => ({ numeric: 0, text: 0, missing: 0, distinct: new Set<string>(), distinctNumbers: new Set<number>(), integers: true, nondecreasing: true, increasing: true }));
  const last = new Float64Array(width).fill(-Infinity);
  for (const row of rows) {
    for (let j = 0; j < width; j++) {
      const v = parseCell(row[j]);
      const s = stats[j];
      if (typeof v === 'number') {
        s.numeric++;
        if (s.distinctNumbers.size < 64) s.distinctNumbers.add(v);
        if (!Number.isInteger(v)) s.integers = false;
        if (v < last[j]) s.nondecreasing = false;
        if (v <= last[j]) s.increasing = false;
        last[j] = v;
      } else if (v === null) s.missing++;
      else {
        s.text++;
        if (s.distinct.size < 1000) s.distinct.add(v);
      }
    }
  }
  return stats;
}

/** Index of a column given by name (exact, then case-insensitive) or 0-based index; DatasetError if none. */
export function findColumn(header: string[], spec: string, what: string, file: string): number {
  const exact = header.indexOf(spec);
  if (exact >= 0) return exact;
  const lower = header.map((h) => h.toLowerCase());
  const ci = lower.indexOf(spec.toLowerCase());
  if (ci >= 0 && lower.lastIndexOf(spec.toLowerCase()) === ci) return ci;
  const t = spec.trim();
  if (/^\d+$/.test(t) && Number(t) < header.length) return Number(t);
  const shown = header.length > 12 ? `${header.slice(0, 12).join(', ')}, ... (${header.length} in all)` : header.join(', ');
  throw new DatasetError(`${what} column "${spec}" not found (columns: ${shown}; or give a 0-based index below ${header.length})`, file);
}

function quoted(names: string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

/**
 * Decides every column's role. `stats` come from the preview rows; `hasHeader` false means the names are `f<j>`
 * (then a lone low-cardinality text column is taken as the label). `forcedLabel` is the sklearn layout's class column.
 */
export function planColumns(header: string[], stats: ColumnStats[], choices: ColumnChoices, file: string, hasHeader: boolean, forcedLabel?: number): ColumnPlan {
  const m = header.length;
  const roles: ColumnRole[] = new Array<ColumnRole>(m).fill('feature');
  const warnings: string[] = [];
  const taken = new Map<number, string>();
  const assign = (j: number, role: ColumnRole, what: string): void => {
    const prev = taken.get(j);
    if (prev !== undefined) throw new DatasetError(`column "${header[j]}" cannot be both the ${prev} and the ${what}`, file);
    taken.set(j, what);
    roles[j] = role;
  };
  let label = -1;
  let id = -1;
  let time = -1;
  if (choices.labelColumn !== undefined && choices.labelColumn !== '') assign((label = findColumn(header, choices.labelColumn, 'label', file)), 'label', 'label');
  if (choices.idColumn !== undefined && choices.idColumn !== '') assign((id = findColumn(header, choices.idColumn, 'id', file)), 'id', 'id');
  if (choices.timeColumn !== undefined && choices.timeColumn !== '') assign((time = findColumn(header, choices.timeColumn, 'time', file)), 'time', 'time');
  for (const spec of choices.ignoreColumns ?? []) if (spec !== '') assign(findColumn(header, spec, 'ignored', file), 'ignored', 'ignored column');

  const free = (j: number): boolean => !taken.has(j);
  const auto = (j: number, role: 'label' | 'id' | 'time', flag: string): void => {
    assign(j, role, role);
    const none = `--${flag} none`;
    warnings.push(`column "${header[j]}" used as the ${role}${role === 'label' ? ' (not a feature)' : ', not a feature'}, from its ${hasHeader ? 'name' : 'values'}; choose another with --${flag} COL or ${none}`);
  };
  if (choices.labelColumn === undefined) {
    if (forcedLabel !== undefined && free(forcedLabel)) {
      assign((label = forcedLabel), 'label', 'label');
    } else {
      const byName = hasHeader ? header.findIndex((h, j) => free(j) && ((stats[j].text > stats[j].numeric && LABEL_NAME_RE.test(h.trim())) || (stats[j].numeric > 0 && stats[j].text === 0 && NUMERIC_LABEL_NAME_RE.test(h.trim())))) : -1;
      if (byName >= 0) auto((label = byName), 'label', 'label');
      else if (!hasHeader) {
        const text = header.map((_, j) => j).filter((j) => free(j) && stats[j].text > stats[j].numeric);
        const rows = stats[0] ? stats[0].numeric + stats[0].text + stats[0].missing : 0;
        if (text.length === 1 && stats[text[0]].distinct.size <= Math.max(2, Math.min(100, rows / 2))) auto((label = text[0]), 'label', 'label');
      }
    }
  }
  if (choices.idColumn === undefined && hasHeader) {
    const j = header.findIndex((h, k) => free(k) && ID_NAME_RE.test(h.trim()) && ((stats[k].numeric > 0 && stats[k].text === 0 && stats[k].integers && stats[k].increasing) || (stats[k].text > 0 && stats[k].numeric === 0)));
    if (j >= 0) auto((id = j), 'id', 'id');
  }
  if (choices.timeColumn === undefined && hasHeader) {
    const j = header.findIndex((h, k) => free(k) && TIME_NAME_RE.test(h.trim()) && ((stats[k].numeric > 1 && stats[k].text === 0 && stats[k].nondecreasing) || (stats[k].text > 0 && stats[k].numeric === 0)));
    if (j >= 0) auto((time = j), 'time', 'time');
  }

  const features: number[] = [];
  const dropped: string[] = [];
  const empty = new Set<number>();
  for (let j = 0; j < m; j++) {
    if (!free(j)) continue;
    const s = stats[j];
    // A column is numeric when its numbers outnumber its text cells; its stray text cells are then errors.
    if (s.numeric > 0 && s.numeric >= s.text) features.push(j);
    else if (s.text > 0 && [...s.distinct].every((v) => /^[+-]?\d+,\d+$/.test(v))) {
      const example = [...s.distinct][0];
      throw new DatasetError(`${JSON.stringify(example)} is not a number (a decimal comma? write decimal points, e.g. ${example.replace(',', '.')})`, file, undefined, header[j]);
    } else {
      roles[j] = 'dropped';
      if (s.numeric === 0 && s.text === 0) empty.add(j);
      dropped.push(header[j]);
    }
  }
  // A headerless table whose first or last column holds a few small integers among real-valued columns: probably the
  // class. Kept as a feature (it could be a count), but said so: a label used as a feature leaks the answer.
  if (!hasHeader && label < 0 && choices.labelColumn === undefined && features.length > 2 && features.some((j) => !stats[j].integers)) {
    for (const j of [features[features.length - 1], features[0]]) {
      const st = stats[j];
      const rows = st.numeric + st.text + st.missing;
      if (st.integers && st.text === 0 && st.distinctNumbers.size >= 2 && st.distinctNumbers.size <= Math.min(20, rows / 3) && [...st.distinctNumbers].every((v) => v >= 0 && v < 1000)) {
        warnings.push(`column ${j} (${header[j]}) holds ${st.distinctNumbers.size} small whole numbers, like a class label, and is used as a feature; if it is the label pass --label ${j} (or --label none to keep it)`);
        break;
      }
    }
  }
  const emptyNames = [...empty].map((j) => header[j]);
  const textNames = dropped.filter((n) => !emptyNames.includes(n));
  if (textNames.length > 0) warnings.push(`dropped non-numeric column${textNames.length > 1 ? 's' : ''} ${quoted(textNames)} (make one the label with --label, or --ignore it)`);
  if (emptyNames.length > 0) warnings.push(`dropped empty column${emptyNames.length > 1 ? 's' : ''} ${quoted(emptyNames)}`);
  if (features.length === 0) {
    const what = m === 1 ? 'the only column' : `all ${m} columns`;
    throw new DatasetError(`no numeric columns to use as features (${what} hold text or are chosen as label/id/time/ignored)`, file);
  }
  return { roles, features, label, id, time, empty, warnings };
}
