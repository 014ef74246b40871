/**
 * What loading a file would do, before training on it: the detected format, encoding, delimiter, header row and
 * skipped rows, the shape, every column's role with its first values, and the loader's warnings. The CLI's `inspect`
 * and the training form's preview step both show this report, and both let the user change each choice (the
 * `DataChoices`) and look again.
 */
import * as path from 'node:path';
import type { ColumnRole } from './columns';
import type { DataChoices, Dataset, DatasetFormat, LoadOptions } from './dataset';
import { planDelimited } from './delimited';
import type { DelimitedPlan } from './delimited';
import { DatasetError } from './dataset';
import { loadDataset, sniffFormat } from './index';
import { dataChoicesOf } from './choices';
import { delimiterName } from './sniff';
import { statOrUndefined } from './fileUtil';

/** Rows of values shown per column. */
export const PREVIEW_VALUES = 5;

export interface InspectColumn {
  /** 0-based position in the file (tables) or in the sample (other formats). */
  index: number;
  name: string;
  role: ColumnRole;
  /** The first values as text. */
  first: string[];
}

export interface InspectReport {
  file: string;
  format: DatasetFormat;
  /** Text formats. */
  encoding?: string;
  gzip?: boolean;
  /** Delimited text: `,` `;` `tab` `whitespace` ... */
  delimiter?: string;
  /** Delimited text: the 1-based line of the header row, or undefined when there is none. */
  headerLine?: number;
  /** Delimited text: the skipped leading rows and why. */
  skipped: string[];
  kind: Dataset['kind'];
  n: number;
  dim: number;
  sampleShape: number[];
  /** True when `maxRows` stopped the read early (n is then a lower bound). */
  partial: boolean;
  columns: InspectColumn[];
  labelName?: string;
  /** Distinct labels (at most 20 shown) and how many there are. */
  labelClasses?: { count: number; first: string[] };
  /** The file the labels were paired from when it is not the data file (an IDX images file's labels file). */
  labelFile?: string;
  /** Display names of label values and where they came from (a file beside the data, or `given`). */
  classNames?: { source: string; names: Record<string, string> };
  idName?: string;
  timeName?: string;
  warnings: string[];
  /** The choices that reproduce this reading (pass them back to change one and inspect again). */
  choices: DataChoices;
  /**
   * Delimited text whose layout could be read but whose rows could not: the loader's error (the report then shows the
   * layout and the first rows, so the user can change a choice; n and dim are 0).
   */
  error?: string;
}

function firstValues(ds: Dataset, k: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.min(ds.n, PREVIEW_VALUES); i++) out.push(String(ds.features[i * ds.dim + k]));
  return out;
}

/** The layout part of a report for delimited text whose rows fail to load. */
function failedReport(file: string, format: DatasetFormat, p: DelimitedPlan, error: string): InspectReport {
  const rows = p.preview.slice(0, PREVIEW_VALUES);
  const report: InspectReport = {
    file,
    format,
    encoding: p.source.info.encoding + (p.source.info.bom ? ' (BOM)' : ''),
    gzip: p.source.info.gzip,
    delimiter: delimiterName(p.layout.delimiter),
    skipped: p.layout.skipped,
    kind: 'table',
    n: 0,
    dim: 0,
    sampleShape: [0],
    partial: false,
    columns: p.header.map((name, j) => ({ index: j, name, role: p.plan.roles[j], first: rows.map((r) => (r.fields[j] ?? '').trim()) })),
    warnings: [...p.warnings, ...p.plan.warnings],
    choices: { delimiter: delimiterName(p.layout.delimiter), hasHeader: p.layout.hasHeader, skipRows: p.layout.skipRows },
    error,
  };
  if (p.layout.hasHeader && p.headerLine !== undefined) report.headerLine = p.headerLine;
  return report;
}

/** Inspects `file` with `opts` (the user's choices so far). Throws the same DatasetError a load would. */
export async function inspectData(file: string, opts: LoadOptions = {}): Promise<InspectReport> {
  const abs = path.resolve(file);
  const st = await statOrUndefined(abs);
  const format = st?.isDirectory() ? 'images' : (await sniffFormat(abs)).format;
  let ds: Dataset;
  try {
    ds = await loadDataset(abs, opts);
  } catch (err) {
    if (!(err instanceof DatasetError) || (format !== 'csv' && format !== 'tsv')) throw err;
    const p = await planDelimited(abs, opts).catch(() => undefined);
    if (p === undefined) throw err;
    return failedReport(abs, format, p, err.message);
  }
  const report: InspectReport = {
    file: abs,
    format: ds.format,
    skipped: [],
    kind: ds.kind,
    n: ds.n,
    dim: ds.dim,
    sampleShape: [...ds.sampleShape],
    partial: opts.maxRows !== undefined && ds.n >= opts.maxRows,
    columns: [],
    warnings: [...(ds.warnings ?? [])],
    choices: {},
  };
  if (format === 'csv' || format === 'tsv') {
    const p = await planDelimited(abs, opts);
    report.encoding = p.source.info.encoding + (p.source.info.bom ? ' (BOM)' : '');
    report.gzip = p.source.info.gzip;
    report.delimiter = delimiterName(p.layout.delimiter);
    report.skipped = p.layout.skipped;
    const rows = p.preview.slice(0, PREVIEW_VALUES);
    report.columns = p.header.map((name, j) => ({ index: j, name, role: p.plan.roles[j], first: rows.map((r) => (r.fields[j] ?? '').trim()) }));
    report.headerLine = p.layout.hasHeader ? p.headerLine : undefined;
    report.choices = {
      ...dataChoicesOf(ds, opts),
      delimiter: report.delimiter,
      hasHeader: p.layout.hasHeader,
      skipRows: p.layout.skipRows,
      ...(p.decimalComma ? { decimalComma: true } : {}),
      ...(opts.encoding !== undefined || p.source.info.encoding !== 'utf-8' ? { encoding: p.source.info.encoding } : {}),
    };
  } else {
    const roleOf = (name: string): ColumnRole => (name === ds.labelName ? 'label' : name === ds.idName ? 'id' : name === ds.timeName ? 'time' : 'feature');
    const shown = ds.kind === 'table' ? ds.columns.length : Math.min(ds.dim, 8);
    report.columns = ds.columns.slice(0, shown).map((name, k) => ({ index: k, name, role: roleOf(name), first: firstValues(ds, k) }));
    // Columns that are not features are listed after them, with their own first values.
    const extra: [string | undefined, string[] | undefined, ColumnRole][] = [[ds.labelName, ds.labels, 'label'], [ds.idName, ds.ids, 'id']];
    for (const [name, values, role] of extra) {
      if (name !== undefined && values !== undefined) report.columns.push({ index: report.columns.length, name, role, first: values.slice(0, PREVIEW_VALUES) });
    }
  }
  // The sample dimensions after windows / image shape; columns from the file before them.
  if (ds.labels) {
    const classes = [...new Set(ds.labels)];
    report.labelName = ds.labelName;
    report.labelClasses = { count: classes.length, first: classes.slice(0, 20) };
    if (ds.labelFile !== undefined) report.labelFile = ds.labelFile;
    if (ds.classNames && ds.classNamesSource !== undefined) report.classNames = { source: ds.classNamesSource, names: ds.classNames };
  }
  if (ds.idName !== undefined) report.idName = ds.idName;
  if (ds.timeName !== undefined) report.timeName = ds.timeName;
  if (format !== 'csv' && format !== 'tsv') report.choices = dataChoicesOf(ds, opts);
  return report;
}

/** One line that sums up the report. */
export function reportSummary(r: InspectReport): string {
  const parts = [`${r.format}${r.encoding ? `, ${r.encoding}` : ''}${r.gzip ? ', gzip' : ''}`];
  if (r.delimiter !== undefined) parts.push(`delimiter ${r.delimiter}`, r.headerLine !== undefined ? `header on line ${r.headerLine}` : 'no header');
  if (r.skipped.length > 0) parts.push(`${r.skipped.length} row(s) skipped`);
  parts.push(`${r.n}${r.partial ? '+' : ''} samples × ${r.dim} features (${r.kind}${r.kind === 'table' ? '' : ` ${r.sampleShape.join('×')}`})`);
  const classes = r.labelClasses ? ` (${r.labelClasses.count}${r.partial ? '+' : ''} classes${r.classNames ? `, names from ${path.basename(r.classNames.source)}` : ''})` : '';
  parts.push(r.labelName !== undefined ? `label ${r.labelName}${classes}` : 'no label');
  return parts.join(' · ');
}

/** Class names shown in a report line. */
const SHOWN_NAMES = 10;

/** `0 T-shirt, 1 Trouser, ... (classes.txt)`: the label values' names in a report; undefined without names. */
export function classNamesText(r: InspectReport): string | undefined {
  if (!r.classNames) return undefined;
  const entries = Object.entries(r.classNames.names).sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }));
  const shown = entries.slice(0, SHOWN_NAMES).map(([k, v]) => `${k} ${v}`).join(', ');
  return `${shown}${entries.length > SHOWN_NAMES ? ', ...' : ''} (from ${r.classNames.source === 'given' ? 'the settings' : path.basename(r.classNames.source)})`;
}
