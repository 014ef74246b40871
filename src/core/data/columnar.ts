/**
 * Columnar files: Apache Parquet (read with hyparquet, pure JS: snappy/gzip/zstd pages, every physical type) and
 * Arrow IPC (file or stream format, read with apache-arrow). Both become the same raw table as JSON records and go
 * through `buildTable`, so column roles, warnings and errors follow the CSV rules.
 */
import { promises as fsp } from 'node:fs';
import type { Dataset, LoadOptions } from './dataset';
import { DatasetError } from './dataset';
import type { Cell } from './columns';
import { datasetName, readBytes, rowLimit } from './fileUtil';
import { buildTable } from './table';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Loads a Parquet file (only the first `maxRows` rows are decoded). */
export async function loadParquet(file: string, opts: LoadOptions = {}): Promise<Dataset> {
  const hp = await import('hyparquet');
  const buf = await readBytes(file);
  const arrayBuffer = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  let header: string[];
  let rows: Cell[][] = [];
  try {
    const metadata = hp.parquetMetadata(arrayBuffer);
    header = hp.parquetSchema(metadata).children.map((c) => c.element.name);
    const limit = rowLimit(opts.maxRows);
    const rowEnd = Math.min(Number(metadata.num_rows), limit);
    await hp.parquetRead({ file: arrayBuffer, metadata, rowEnd, onComplete: (data: unknown[][]) => (rows = data as Cell[][]) });
  } catch (err) {
    throw new DatasetError(`cannot read Parquet (${message(err)})`, file);
  }
  return buildTable({ file, name: datasetName(file), format: 'parquet', header, rows }, opts);
}

/** Loads an Arrow IPC file or stream (`.arrow`, `.feather` v2, `.ipc`). */
export async function loadArrow(file: string, opts: LoadOptions = {}): Promise<Dataset> {
  const arrow = await import('apache-arrow');
  const buf = await readBytes(file);
  let header: string[];
  let columns: ArrayLike<unknown>[];
  let n: number;
  try {
    const table = arrow.tableFromIPC(buf);
    header = table.schema.fields.map((f) => f.name);
    columns = header.map((_, j) => {
      const col = table.getChildAt(j);
      if (col === null) return [];
      const a = col.toArray() as ArrayLike<unknown>;
      // Dictionary / nullable columns come back as plain arrays; numeric columns as typed arrays (nulls read as 0),
      // so nulls are taken from the validity bitmap.
      return col.nullCount > 0 ? Array.from({ length: col.length }, (_, i) => (col.isValid(i) ? (col.get(i) as unknown) : null)) : a;
    });
    n = table.numRows;
  } catch (err) {
    throw new DatasetError(`cannot read Arrow IPC (${message(err)})`, file);
  }
  const limit = Math.min(n, rowLimit(opts.maxRows));
  const rows: Cell[][] = new Array<Cell[]>(limit);
  for (let i = 0; i < limit; i++) rows[i] = columns.map((c) => c[i] as Cell);
  return buildTable({ file, name: datasetName(file), format: 'arrow', header, rows }, opts);
}

/** Size of a file in bytes (for messages). */
export async function fileSize(file: string): Promise<number> {
  return (await fsp.stat(file)).size;
}
