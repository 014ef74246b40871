/**
 * Scoring new data with a trained model (train on normal data, score new data: the novelty workflow). The new file is
 * read with the choices saved with the model (delimiter, header, column roles, window, image size); new data often
 * lacks the training data's label (or id / time) column, so a choice naming a column the new file does not have is
 * dropped, with a warning, instead of failing the load.
 */
import { DatasetError } from './data/dataset';
import type { LoadOptions } from './data/dataset';
import { LocalExplorer } from './localExplorer';

/** Column choices that may be dropped when the new data lacks the column. */
const OPTIONAL_COLUMNS = { label: 'labelColumn', id: 'idColumn', time: 'timeColumn' } as const;

/** The choice to drop for a "<what> column "<name>" not found" load error; undefined for any other error. */
export function missingColumnChoice(e: unknown): { key: (typeof OPTIONAL_COLUMNS)[keyof typeof OPTIONAL_COLUMNS]; column: string } | undefined {
  if (!(e instanceof DatasetError)) return undefined;
  const m = /^(label|id|time) column "(.*)" not found/.exec(e.detail);
  return m ? { key: OPTIONAL_COLUMNS[m[1] as keyof typeof OPTIONAL_COLUMNS], column: m[2] } : undefined;
}

/**
 * Opens the model in `modelDir` over the dataset at `datasetPath` (see `LocalExplorer.load`). A label / id / time
 * column of the training data that the new file lacks is left out, and said so in the explorer's warnings.
 */
export async function openForScoring(modelDir: string, datasetPath: string, loadOptions: LoadOptions = {}): Promise<LocalExplorer> {
  const options: LoadOptions = { ...loadOptions };
  const dropped: string[] = [];
  for (;;) {
    try {
      const explorer = await LocalExplorer.load(modelDir, datasetPath, options);
      if (dropped.length > 0) explorer.addWarnings(dropped.map((d) => `${d}: read without it`));
      return explorer;
    } catch (e) {
      const missing = missingColumnChoice(e);
      if (!missing || options[missing.key] === '') throw e;
      options[missing.key] = '';
      dropped.push(`the model's ${missing.key.replace('Column', '')} column "${missing.column}" is not in this data`);
    }
  }
}
