/** The reading choices that reproduce a load: what the user gave plus the column roles the loader settled on. */
import type { ColumnRole } from './columns';
import type { DataChoices, Dataset, LoadOptions } from './dataset';

const GIVEN_KEYS = ['delimiter', 'hasHeader', 'skipRows', 'decimalComma', 'encoding', 'ignoreColumns', 'imageShape', 'npzKey', 'imageSize', 'grayscale'] as const;

/** Formats whose columns have roles (label / id / time). */
export const TABLE_FORMATS: readonly string[] = ['csv', 'tsv', 'json', 'jsonl', 'parquet', 'arrow'];

/** The choices that reproduce how `ds` was read: the ones given, plus the label / id / time columns it ended with. */
export function dataChoicesOf(ds: Dataset, given: LoadOptions = {}): DataChoices {
  const c: DataChoices = {};
  for (const k of GIVEN_KEYS) if (given[k] !== undefined) (c as Record<string, unknown>)[k] = given[k];
  if (TABLE_FORMATS.includes(ds.format)) {
    c.labelColumn = ds.labelName ?? '';
    c.idColumn = ds.idName ?? '';
    c.timeColumn = ds.timeName ?? '';
  }
  return c;
}

/** Applies a role chosen for column `name` to the choices (a column has one role; the old holder loses it). */
export function withRole(c: DataChoices, name: string, role: ColumnRole): DataChoices {
  const next: DataChoices = { ...c, ignoreColumns: (c.ignoreColumns ?? []).filter((n) => n !== name) };
  for (const key of ['labelColumn', 'idColumn', 'timeColumn'] as const) if (next[key] === name) next[key] = '';
  if (role === 'label') next.labelColumn = name;
  if (role === 'id') next.idColumn = name;
  if (role === 'time') next.timeColumn = name;
  if (role === 'ignored') next.ignoreColumns = [...(next.ignoreColumns ?? []), name];
  if (next.ignoreColumns?.length === 0) delete next.ignoreColumns;
  return next;
}
