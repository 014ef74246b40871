/**
 * Display names for label values: datasets often store classes as numbers (MNIST's 0-9, Fashion-MNIST's 0-9 for
 * T-shirt ... ankle boot) with the names in a small file beside the data. Two files are recognised, in the data's
 * folder (and, for an image folder, inside it): `classes.txt`, one name per line in label order (line 1 names label
 * 0), and `labels.json`, an array in label order or an object mapping label values to names. The labels themselves
 * stay as stored; the names travel beside them (Dataset.classNames, the model's sidecar, exports' `label_name`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

export type { ClassNames } from './dataset';
import type { ClassNames } from './dataset';

/** File names looked for beside the data, in order of preference. */
export const CLASS_NAME_FILES = ['classes.txt', 'labels.json'] as const;

/** Largest class list read (a longer list is per-sample labels, not class names). */
export const MAX_CLASS_NAMES = 10_000;

/** A class-name list in label order (index i names label `i`), or a map; undefined with the reason when unusable. */
export function classNamesFrom(value: unknown): { names?: ClassNames; problem?: string } {
  if (Array.isArray(value)) {
    if (value.length === 0) return { problem: 'lists no names' };
    if (value.length > MAX_CLASS_NAMES) return { problem: `lists ${value.length} names (more than ${MAX_CLASS_NAMES}: per-sample labels, not class names?)` };
    if (!value.every((v) => typeof v === 'string' || typeof v === 'number')) return { problem: 'must list names as text' };
    const names = value.map((v) => String(v).trim());
    // Class names are distinct; a list with repeats is per-sample labels.
    if (new Set(names).size !== names.length) return { problem: 'repeats names (per-sample labels, not one name per class?)' };
    return { names: Object.fromEntries(names.map((n, i) => [String(i), n])) };
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return { problem: 'maps no labels' };
    if (!entries.every(([, v]) => typeof v === 'string' || typeof v === 'number')) return { problem: 'must map label values to names as text' };
    return { names: Object.fromEntries(entries.map(([k, v]) => [k.trim(), String(v).trim()])) };
  }
  return { problem: 'must be an array of names or an object mapping labels to names' };
}

/** Parses the text of a `classes.txt` (one name per line; blank lines at the end ignored) or `labels.json`. */
export function parseClassNames(text: string, fileName: string): { names?: ClassNames; problem?: string } {
  const clean = text.replace(/^\uFEFF/, '');
  if (fileName.toLowerCase().endsWith('.json')) {
    try {
      return classNamesFrom(JSON.parse(clean));
    } catch (e) {
      return { problem: `is not valid JSON (${e instanceof Error ? e.message : String(e)})` };
    }
  }
  const lines = clean.split(/\r?\n/).map((l) => l.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return classNamesFrom(lines);
}

/** Folders where a class-name file for `datasetPath` may sit: the file's folder; an image folder itself, then its parent. */
export function classNameFolders(datasetPath: string): string[] {
  const abs = path.resolve(datasetPath);
  let dir = false;
  try {
    dir = statSync(abs).isDirectory();
  } catch {
    // missing: treated as a file
  }
  return dir ? [abs, path.dirname(abs)] : [path.dirname(abs)];
}

/**
 * The class names beside `datasetPath`, if a class-name file is there: `{ names, file }`, or `{ file, problem }` when
 * the file is unusable. The dataset itself is never taken for its own class-name file.
 */
export function findClassNames(datasetPath: string): { names?: ClassNames; file: string; problem?: string } | undefined {
  const abs = path.resolve(datasetPath);
  for (const folder of classNameFolders(abs)) {
    for (const name of CLASS_NAME_FILES) {
      const file = path.join(folder, name);
      if (file === abs || !existsSync(file)) continue;
      let text: string;
      try {
        if (!statSync(file).isFile() || statSync(file).size > 4 * 1024 * 1024) continue;
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      return { file, ...parseClassNames(text, name) };
    }
  }
  return undefined;
}

/**
 * The names that apply to `labels`: only entries for label values that occur, so a model's metadata stays small.
 * Returns the names and the label values that have none (a warning for the user); undefined names when none apply.
 */
export function namesForLabels(names: ClassNames, labels: readonly string[]): { names?: ClassNames; unnamed: string[] } {
  const seen = new Set(labels);
  const used: ClassNames = {};
  const unnamed: string[] = [];
  for (const l of seen) {
    const key = l.trim();
    if (Object.prototype.hasOwnProperty.call(names, key)) used[l] = names[key];
    else unnamed.push(l);
  }
  return Object.keys(used).length > 0 ? { names: used, unnamed: unnamed.sort((a, b) => a.localeCompare(b, undefined, { numeric: true })) } : { unnamed };
}

/** The display name of a label value: its class name when known, else the value. */
export function labelDisplayName(label: string, names: ClassNames | undefined): string {
  return names && Object.prototype.hasOwnProperty.call(names, label) ? names[label] : label;
}

/** Label values listed in a warning before "and N more". */
const LISTED_UNNAMED = 5;

/**
 * Gives a labelled dataset its class names: from a class-name file beside the data when there is one, else from
 * `fallback` (a setting, or the names a saved model recorded). What does not fit becomes a warning. Returns `ds`
 * (changed in place) for chaining; datasets without labels are returned as they are.
 */
export function attachClassNames<T extends { labels?: string[]; classNames?: ClassNames; classNamesSource?: string; warnings?: string[] }>(ds: T, datasetPath: string, fallback?: ClassNames): T {
  if (!ds.labels) return ds;
  const warnings: string[] = [];
  const found = findClassNames(datasetPath);
  const tries: { names: ClassNames; source: string }[] = [];
  if (found?.names) tries.push({ names: found.names, source: found.file });
  else if (found?.problem) warnings.push(`class names in ${path.basename(found.file)} not used: it ${found.problem}`);
  if (fallback && Object.keys(fallback).length > 0) tries.push({ names: fallback, source: 'given' });
  for (const t of tries) {
    const fit = namesForLabels(t.names, ds.labels);
    if (!fit.names) {
      if (t.source !== 'given') warnings.push(`${path.basename(t.source)} names none of the label values (${fit.unnamed.slice(0, LISTED_UNNAMED).join(', ')}${fit.unnamed.length > LISTED_UNNAMED ? ', ...' : ''})`);
      continue;
    }
    ds.classNames = fit.names;
    ds.classNamesSource = t.source;
    if (fit.unnamed.length > 0) {
      const list = fit.unnamed.slice(0, LISTED_UNNAMED).join(', ') + (fit.unnamed.length > LISTED_UNNAMED ? `, and ${fit.unnamed.length - LISTED_UNNAMED} more` : '');
      warnings.push(`no class name for label value${fit.unnamed.length === 1 ? '' : 's'} ${list}${t.source === 'given' ? '' : ` in ${path.basename(t.source)}`}`);
    }
    break;
  }
  if (warnings.length > 0) ds.warnings = [...(ds.warnings ?? []), ...warnings];
  return ds;
}
