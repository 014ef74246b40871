/**
 * `latent-explorer score <modelDir> <dataset> [options]`: scores new data with a trained model against the anomaly
 * threshold saved with it (train on normal data, score new data). Writes the per-sample scores (the embeddings CSV
 * layout plus `score_<method>` and `anomalous`) and, for a time series, the flagged windows merged into ranked
 * events and the score of every row over time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { describeBackend, initBackend, isBackendPreference } from '../../core/backend/backend';
import { ANOMALY_SCORE_METHODS, isAnomalyScoreMethod } from '../../common/anomalyMethods';
import { describeScoreSummary, eventsToCsv, refsForSummary, rowScoresToCsv, summariseScores } from '../../core/analysis/scoreSummary';
import { assertWritable } from '../../core/export/atomicWrite';
import { scoreOutputPaths } from '../../core/export/outputPaths';
import { openForScoring } from '../../core/scoreData';
import type { CliCommand, CliIo } from '../command';
import { UsageError, parseOrUsage } from '../command';
import { DATA_OPTIONS, DATA_USAGE, parseDataFlags } from '../dataOptions';

const USAGE = `Usage: latent-explorer score <modelDir> <dataset> [options]

Encodes another dataset with a saved model and scores every sample against the anomaly threshold calibrated when
the model was trained (on its validation split, at the false-positive rate chosen then). The data is read with
the model's saved choices; a label / id / time column the new data lacks is left out.

Writes (default under <modelDir>/scores/):
  <dataset>.csv          one row per sample: codes, error, score_<method>, anomalous (1 above the threshold), ...
  <dataset>-events.csv   time series (sequence models): flagged windows whose rows overlap merged into events,
                         ranked by their highest window score
  <dataset>-rows.csv     time series: per row of the source table, the max and mean score of the windows over it

Options:
  --out FILE         the scores file (events and rows go beside it, named after it)
  --score S          ${ANOMALY_SCORE_METHODS.join('|')} (default: the model's calibrated default)
  --backend B        auto|tensorflow|wasm|cpu (default auto)
  --force            replace existing output files
  --quiet            print only the summary
  -h, --help         this help

${DATA_USAGE.replace('Data options', 'Data options (default: the choices saved with the model)')}`;

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOrUsage(() =>
    parseArgs({
      args, allowPositionals: true, strict: true,
      options: { ...DATA_OPTIONS, out: { type: 'string' }, score: { type: 'string' }, backend: { type: 'string' }, force: { type: 'boolean' }, quiet: { type: 'boolean' } },
    }),
  );
  if (positionals.length !== 2) throw new UsageError(`expected a model folder and a dataset, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`);
  const [modelDir, dataPath] = positionals.map((p) => path.resolve(p));
  const method = values.score;
  if (method !== undefined && !isAnomalyScoreMethod(method)) throw new UsageError(`--score must be one of ${ANOMALY_SCORE_METHODS.join(', ')}, got "${method}"`);
  const backend = values.backend ?? 'auto';
  if (!isBackendPreference(backend)) throw new UsageError(`--backend must be auto, tensorflow, wasm or cpu, got "${backend}"`);
  const defaults = scoreOutputPaths(modelDir, dataPath);
  const scoresFile = values.out !== undefined ? path.resolve(values.out) : defaults.scores;
  const stem = scoresFile.replace(/\.csv$/i, '');
  const out = { scores: scoresFile, events: `${stem}-events.csv`, rows: `${stem}-rows.csv` };
  const force = values.force === true;
  const info = await initBackend(backend);
  const quiet = values.quiet === true;
  if (!quiet) io.stdout.write(`Backend: ${describeBackend(info)}\n`);
  const explorer = await openForScoring(modelDir, dataPath, parseDataFlags(values));
  try {
    const i = explorer.info();
    for (const w of i.warnings ?? []) io.stderr.write(`warning: ${i.datasetName}: ${w}\n`);
    if (!quiet) io.stdout.write(`Model ${i.model.kind} (latent ${i.model.latentDim}) on ${i.datasetName}: ${i.n} samples x ${i.dim} features\n`);
    const outputs = i.window ? [out.scores, out.events, out.rows] : [out.scores];
    assertWritable(outputs, force);
    const report = await explorer.anomalies(method);
    mkdirSync(path.dirname(out.scores), { recursive: true });
    const e = await explorer.embed();
    await explorer.exportEmbeddings(out.scores, 'csv', force);
    const first = summariseScores(report, { window: i.window, labels: e.labels });
    const refs = await refsForSummary(first, (index) => explorer.sample(index));
    const summary = summariseScores(report, { window: i.window, refs, labels: e.labels });
    if (i.window && summary.events) {
      writeFileSync(out.events, eventsToCsv(summary.events, refs));
      writeFileSync(out.rows, rowScoresToCsv(report.scores, report.threshold, i.window));
    }
    io.stdout.write(describeScoreSummary(summary));
    io.stdout.write(`${outputs.join('\n')}\n`);
    return 0;
  } finally {
    explorer.dispose();
  }
}

export const scoreCommand: CliCommand = {
  summary: 'score new data with a saved model against its anomaly threshold (events for time series)',
  usage: USAGE,
  run,
};
