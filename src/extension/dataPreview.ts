/**
 * The training form's preview / confirm step: shows how the dataset will be read (the `inspect` report: format,
 * encoding, delimiter, header, skipped rows, shape, each column's role and first values, warnings) and lets the user
 * change any choice (label / id / time / ignored columns, header, delimiter, skipped rows, encoding, image shape) and
 * look again, until they confirm. The same report as `latent-explorer inspect`.
 */
import * as vscode from 'vscode';
import type { ColumnRole } from '../core/data/columns';
import { TABLE_FORMATS, withRole } from '../core/data/choices';
import type { DataChoices } from '../core/data/dataset';
import { parseImageShape } from '../core/data/imageShape';
import type { InspectReport } from '../core/data/inspect';
import { inspectData, reportSummary } from '../core/data/inspect';
import type { TextEncoding } from '../core/data/magic';
import { detectedLines } from './trainingFormModel';

/** Rows the preview reads (the whole file is read when training starts). */
export const PREVIEW_MAX_ROWS = 5000;

type Action =
  | { do: 'confirm' }
  | { do: 'column'; index: number }
  | { do: 'header' }
  | { do: 'delimiter' }
  | { do: 'skip' }
  | { do: 'encoding' }
  | { do: 'imageShape' }
  | { do: 'role'; role: 'time' | 'id' }
  | { do: 'none' };

interface Item extends vscode.QuickPickItem {
  action: Action;
}

function items(r: InspectReport | undefined, error: string | undefined): Item[] {
  const out: Item[] = [];
  if (r && r.error === undefined) out.push({ label: '$(check) Train with these choices', description: reportSummary(r), action: { do: 'confirm' } });
  if (error !== undefined) out.push({ label: `$(error) ${error}`, description: 'change a choice below', action: { do: 'none' } });
  if (r && r.error === undefined) {
    out.push({ label: 'Detected', kind: vscode.QuickPickItemKind.Separator, action: { do: 'none' } });
    for (const line of detectedLines(r)) out.push({ label: `$(info) ${line}`, action: { do: 'none' } });
  }
  out.push({ label: 'Reading', kind: vscode.QuickPickItemKind.Separator, action: { do: 'none' } });
  if (!r || r.delimiter !== undefined) {
    out.push({ label: `Delimiter: ${r?.delimiter ?? '?'}`, description: 'change', action: { do: 'delimiter' } });
    out.push({ label: `Header row: ${r?.headerLine !== undefined ? `line ${r.headerLine}` : 'none'}`, description: 'toggle', action: { do: 'header' } });
    out.push({ label: `Skipped rows: ${r && r.skipped.length > 0 ? r.skipped.join('; ') : 'none'}`, description: 'change', action: { do: 'skip' } });
    out.push({ label: `Encoding: ${r?.encoding ?? '?'}`, description: 'change', action: { do: 'encoding' } });
  }
  const table = r !== undefined && TABLE_FORMATS.includes(r.format);
  if (table && (r.kind === 'table' || r.kind === 'image')) {
    out.push({ label: `Image shape: ${r.kind === 'image' ? r.sampleShape.join('×') : 'none (a table)'}`, description: 'set H×W×C to train conv models on pixel columns', action: { do: 'imageShape' } });
  }
  if (table && r.columns.length > 0) {
    out.push({ label: `Time column: ${r.timeName ?? 'none'}`, description: 'rows in time order (a time series); not a feature', action: { do: 'role', role: 'time' } });
    out.push({ label: `Id column: ${r.idName ?? 'none'}`, description: 'kept per sample, not a feature', action: { do: 'role', role: 'id' } });
  }
  if (r && r.columns.length > 0) {
    out.push({ label: table ? 'Columns (pick one to change its role)' : 'Values', kind: vscode.QuickPickItemKind.Separator, action: { do: 'none' } });
    for (const c of r.columns.slice(0, 200)) {
      out.push({ label: `${c.index}: ${c.name}`, description: c.role, detail: c.first.join(', '), action: table ? { do: 'column', index: c.index } : { do: 'none' } });
    }
  }
  if (r && r.warnings.length > 0) {
    out.push({ label: 'Warnings', kind: vscode.QuickPickItemKind.Separator, action: { do: 'none' } });
    for (const w of r.warnings) out.push({ label: `$(warning) ${w}`, action: { do: 'none' } });
  }
  return out;
}

async function pick<T extends string>(title: string, options: readonly T[], current?: string): Promise<T | undefined> {
  const p = await vscode.window.showQuickPick(
    options.map((o) => ({ label: o, description: o === current ? 'current' : undefined })),
    { title, ignoreFocusOut: true },
  );
  return p?.label;
}

/** Applies one action to the choices; undefined when the user backed out of it. */
async function change(action: Action, r: InspectReport | undefined, c: DataChoices): Promise<DataChoices | undefined> {
  switch (action.do) {
    case 'column': {
      const col = r?.columns.find((x) => x.index === action.index);
      if (!col) return undefined;
      const role = await pick<ColumnRole>(`Role of column "${col.name}"`, ['feature', 'label', 'id', 'time', 'ignored'], col.role);
      return role === undefined ? undefined : withRole(c, col.name, role);
    }
    case 'role': {
      const current = action.role === 'time' ? r?.timeName : r?.idName;
      const none = '(none)';
      const names = [none, ...(r?.columns ?? []).filter((col) => col.role === 'feature' || col.role === action.role || col.role === 'ignored').map((col) => col.name)];
      const name = await pick(`${action.role === 'time' ? 'Time' : 'Id'} column`, names, current ?? none);
      if (name === undefined) return undefined;
      if (name !== none) return withRole(c, name, action.role);
      return current !== undefined ? withRole(c, current, 'feature') : c;
    }
    case 'header':
      return { ...c, hasHeader: r?.headerLine === undefined };
    case 'delimiter': {
      const d = await pick('Delimiter', [',', ';', 'tab', '|', 'whitespace'], r?.delimiter);
      return d === undefined ? undefined : { ...c, delimiter: d };
    }
    case 'skip': {
      const s = await vscode.window.showInputBox({ title: 'Rows to skip before the header', value: String(c.skipRows ?? 0), validateInput: (v) => (/^\d+$/.test(v) ? undefined : 'A whole number.') });
      return s === undefined ? undefined : { ...c, skipRows: Number(s) };
    }
    case 'encoding': {
      const e = await pick<TextEncoding>('Text encoding', ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'], r?.encoding);
      return e === undefined ? undefined : { ...c, encoding: e };
    }
    case 'imageShape': {
      const s = await vscode.window.showInputBox({
        title: 'Image shape of each row: height×width×channels (empty: a plain table)',
        value: c.imageShape?.join('x') ?? '',
        validateInput: (v) => (v.trim() === '' || parseImageShape(v) ? undefined : 'Like 8x8x1 or 28x28x1.'),
      });
      if (s === undefined) return undefined;
      const next = { ...c };
      const shape = parseImageShape(s);
      if (shape) next.imageShape = shape;
      else delete next.imageShape;
      return next;
    }
    default:
      return undefined;
  }
}

/**
 * Shows the preview of `datasetPath` starting from `initial` choices; resolves to the confirmed choices and the report
 * they gave, or undefined when the user dismisses it.
 */
export async function previewData(datasetPath: string, title: string, initial: DataChoices = {}): Promise<{ choices: DataChoices; report: InspectReport } | undefined> {
  let choices = { ...initial };
  for (;;) {
    let report: InspectReport | undefined;
    let error: string | undefined;
    try {
      report = await inspectData(datasetPath, { ...choices, maxRows: PREVIEW_MAX_ROWS });
      error = report.error;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const picked = await vscode.window.showQuickPick(items(report, error), {
      title: `${title}: data preview`,
      placeHolder: report && report.error === undefined ? reportSummary(report) : 'The data cannot be read with these choices: change one',
      ignoreFocusOut: true,
      matchOnDescription: true,
    });
    if (!picked) return undefined;
    if (picked.action.do === 'confirm' && report && report.error === undefined) return { choices: { ...report.choices, ...choices }, report };
    const next = await change(picked.action, report, { ...(report?.choices ?? {}), ...choices });
    if (next) choices = next;
  }
}
