/**
 * `latent-explorer inspect FILE [data options]`: shows what loading FILE would do (format, encoding, delimiter, header
 * and skipped rows, shape, each column's role with its first values, warnings) and the flags that reproduce it, so
 * each choice can be changed and the file looked at again before training.
 */
import { parseArgs } from 'node:util';
import * as path from 'node:path';
import type { DataChoices } from '../../core/data/dataset';
import type { InspectReport } from '../../core/data/inspect';
import { classNamesText, inspectData } from '../../core/data/inspect';
import type { CliCommand, CliIo } from '../command';
import { UsageError, parseOrUsage } from '../command';
import { DATA_OPTIONS, DATA_USAGE, parseDataFlags } from '../dataOptions';

const USAGE = `Usage: latent-explorer inspect <dataset> [options]

Shows how a dataset would be read: format, encoding, delimiter, header row and skipped rows, shape, the role of
every column (feature, label, id, time, ignored, dropped) with its first values, and the warnings. Change any choice
with the options below and inspect again; pass the same options to \`train\` (the model remembers them and embed,
cluster and export reuse them).

Options:
  --json             print the report as JSON
${DATA_USAGE}
  -h, --help         this help
`;

function shellWord(s: string): string {
  return /^[\w.,:/=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command-line flags that reproduce `choices`. */
export function choicesToFlags(c: DataChoices): string[] {
  const f: string[] = [];
  const col = (flag: string, v: string | undefined): void => {
    if (v !== undefined) f.push(`--${flag}`, v === '' ? 'none' : shellWord(v));
  };
  if (c.delimiter !== undefined) f.push('--delimiter', shellWord(c.delimiter));
  if (c.hasHeader !== undefined) f.push(c.hasHeader ? '--header' : '--no-header');
  if (c.skipRows !== undefined && c.skipRows > 0) f.push('--skip-rows', String(c.skipRows));
  if (c.decimalComma === true) f.push('--decimal-comma');
  if (c.encoding !== undefined) f.push('--encoding', c.encoding);
  col('label', c.labelColumn);
  col('id', c.idColumn);
  col('time', c.timeColumn);
  if (c.ignoreColumns && c.ignoreColumns.length > 0) f.push('--ignore', shellWord(c.ignoreColumns.join(',')));
  if (c.imageShape) f.push('--image-shape', c.imageShape.join('x'));
  if (c.imageSize) f.push('--image-size', c.imageSize.join('x'));
  if (c.grayscale === false) f.push('--rgb');
  if (c.npzKey !== undefined) f.push('--npz-key', shellWord(c.npzKey));
  return f;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** The report as text. */
export function formatReport(r: InspectReport): string {
  const out: string[] = [];
  out.push(`File:       ${r.file}`);
  const text = r.encoding !== undefined ? `, ${r.encoding}${r.gzip ? ', gzip' : ''}` : '';
  out.push(`Format:     ${r.format}${text}`);
  if (r.delimiter !== undefined) {
    out.push(`Delimiter:  ${r.delimiter}`);
    out.push(`Header:     ${r.headerLine !== undefined ? `line ${r.headerLine}` : 'none (columns named f0, f1, ...)'}`);
    out.push(`Skipped:    ${r.skipped.length > 0 ? r.skipped.join('; ') : 'nothing'}`);
  }
  const features = r.columns.filter((c) => c.role === 'feature').length;
  if (r.error !== undefined) out.push(`Error:      ${r.error}`);
  if (r.error === undefined) out.push(`Shape:      ${r.n}${r.partial ? '+' : ''} samples x ${r.dim} features (${r.kind}${r.kind !== 'table' ? ` [${r.sampleShape.join(', ')}]` : ''})`);
  if (r.labelName !== undefined && r.labelClasses) {
    const more = r.labelClasses.count > r.labelClasses.first.length ? ', ...' : '';
    out.push(`Label:      ${r.labelName} (${r.labelClasses.count} value${r.labelClasses.count === 1 ? '' : 's'}: ${r.labelClasses.first.join(', ')}${more})`);
  } else out.push('Label:      none');
  if (r.labelFile !== undefined) out.push(`Labels from: ${r.labelFile}`);
  const names = classNamesText(r);
  if (names !== undefined) out.push(`Class names: ${names}`);
  if (r.idName !== undefined) out.push(`Id:         ${r.idName}`);
  if (r.timeName !== undefined) out.push(`Time:       ${r.timeName}`);
  out.push('');
  const shown = r.columns.length > 40 ? [...r.columns.slice(0, 20), undefined, ...r.columns.slice(-10)] : r.columns;
  const w = Math.min(30, Math.max(6, ...r.columns.map((c) => c.name.length)));
  out.push(`  ${pad('#', 4)} ${pad('column', w)}  ${pad('role', 8)}  first values`);
  for (const c of shown) {
    if (c === undefined) {
      out.push(`  ... ${r.columns.length - 30} more columns (${features} features in all)`);
      continue;
    }
    out.push(`  ${pad(String(c.index), 4)} ${pad(c.name.length > w ? `${c.name.slice(0, w - 1)}~` : c.name, w)}  ${pad(c.role, 8)}  ${c.first.map((v) => (v.length > 12 ? `${v.slice(0, 11)}~` : v)).join(', ')}`);
  }
  out.push('');
  if (r.warnings.length > 0) {
    out.push('Warnings:');
    for (const wn of r.warnings) out.push(`  - ${wn}`);
    out.push('');
  }
  const flags = choicesToFlags(r.choices);
  out.push(r.error === undefined ? 'To train with these choices (change any flag, then inspect again):' : 'These choices do not load; change one and inspect again:');
  out.push(`  latent-explorer train ${shellWord(r.file)}${flags.length > 0 ? ` ${flags.join(' ')}` : ''}`);
  return `${out.join('\n')}\n`;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOrUsage(() => parseArgs({ args, allowPositionals: true, strict: true, options: { ...DATA_OPTIONS, json: { type: 'boolean' } } }));
  if (positionals.length !== 1) throw new UsageError(`expected one dataset, got ${positionals.length}${positionals.length ? `: ${positionals.join(' ')}` : ''}`);
  const report = await inspectData(path.resolve(positionals[0]), parseDataFlags(values));
  io.stdout.write(values.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  if (report.error !== undefined) {
    io.stderr.write(`latent-explorer: ${report.error}\n`);
    return 1;
  }
  // The text report lists the warnings itself; with --json they also go to stderr, where scripts expect them.
  if (values.json === true) for (const w of report.warnings) io.stderr.write(`warning: ${path.basename(report.file)}: ${w}\n`);
  return 0;
}

export const inspectCommand: CliCommand = {
  summary: 'show how a dataset would be read (format, delimiter, header, column roles, shape, warnings) before training',
  usage: USAGE,
  run,
};
